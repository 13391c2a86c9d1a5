#include "server/auth/operator_token.h"

#include <ctime>

#include "server/auth/opaque_token.h"

namespace tinymlops::server {

const char* RoleName(Role role) {
  switch (role) {
    case Role::kViewer: return "viewer";
    case Role::kDeployer: return "deployer";
    case Role::kAdmin: return "admin";
  }
  return "viewer";
}

bool ParseRole(const std::string& name, Role* role) {
  for (Role r : {Role::kViewer, Role::kDeployer, Role::kAdmin}) {
    if (name == RoleName(r)) {
      *role = r;
      return true;
    }
  }
  return false;
}

Result<CreatedToken> CreateOperatorToken(Transaction& tx, const std::string& project_id, Role role,
                                         const std::string& name) {
  CreatedToken created{NewRecordId("tok_"), NewSecretToken("tmo_")};
  SqlValue project;  // NULL: a server-wide token
  if (!project_id.empty()) project = project_id;
  TMM_RETURN_IF_ERROR(
      tx.Execute("INSERT INTO api_tokens (id, token_hash, project_id, role, name, created_unix) "
                 "VALUES (?, ?, ?, ?, ?, ?)",
                 {created.id, HashToken(created.token), project, std::string(RoleName(role)),
                  name, static_cast<int64_t>(std::time(nullptr))})
          .status());
  return created;
}

Result<OperatorIdentity> FindOperatorToken(Transaction& tx, const std::string& token) {
  TMM_ASSIGN_OR_RETURN(auto rows,
                       tx.Query("SELECT id, project_id, role, name FROM api_tokens "
                                "WHERE token_hash = ? AND revoked = 0",
                                {HashToken(token)}));
  if (rows.empty()) {
    return Status::Error(StatusCode::kNotFound, "the API token is unknown or revoked");
  }
  OperatorIdentity identity;
  identity.token_id = rows[0].Text(0);
  identity.project_id = rows[0].Text(1);
  identity.name = rows[0].Text(3);
  if (!ParseRole(rows[0].Text(2), &identity.role)) {
    return Status::Error(StatusCode::kInternal, "token %s has an unknown role",
                         identity.token_id.c_str());
  }
  return identity;
}

Result<std::vector<TokenRecord>> ListOperatorTokens(Transaction& tx,
                                                    const std::string& project_id) {
  TMM_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT id, name, role, created_unix, revoked FROM "
                                           "api_tokens WHERE project_id = ? ORDER BY created_unix, id",
                                           {project_id}));
  std::vector<TokenRecord> tokens;
  for (const Row& row : rows) {
    TokenRecord token{row.Text(0), row.Text(1), Role::kViewer, row.Int(3), row.Int(4) != 0};
    ParseRole(row.Text(2), &token.role);
    tokens.push_back(token);
  }
  return tokens;
}

Status RevokeOperatorToken(Transaction& tx, const std::string& project_id,
                           const std::string& token_id) {
  TMM_ASSIGN_OR_RETURN(int64_t changed,
                       tx.Execute("UPDATE api_tokens SET revoked = 1 WHERE id = ? AND "
                                  "project_id = ?",
                                  {token_id, project_id}));
  if (changed == 0) {
    return Status::Error(StatusCode::kNotFound, "no token %s in this project", token_id.c_str());
  }
  return Status::Ok();
}

Result<std::string> BootstrapAdminToken(Transaction& tx) {
  TMM_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT token_id FROM bootstrap WHERE id = 1"));
  if (!rows.empty()) return std::string();
  TMM_ASSIGN_OR_RETURN(CreatedToken created,
                       CreateOperatorToken(tx, "", Role::kAdmin, "bootstrap admin"));
  TMM_ASSIGN_OR_RETURN(int64_t inserted,
                       tx.Execute("INSERT INTO bootstrap (id, token_id, created_unix) "
                                  "VALUES (1, ?, ?) ON CONFLICT DO NOTHING",
                                  {created.id, static_cast<int64_t>(std::time(nullptr))}));
  if (inserted == 0) return std::string();  // another process won; the caller rolls back
  return created.token;
}

}  // namespace tinymlops::server
