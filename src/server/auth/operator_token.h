// Operator API tokens with roles. A token belongs to one project, or to the whole server
// (project_id "", the bootstrap admin); its role is viewer (read), deployer (read, upload,
// enroll devices) or admin (also tokens, trusted keys; a server-wide admin creates projects).
// Only the token's BLAKE2b-256 hash is stored; the token itself is returned once, at creation.
// A revoked token is refused from the next request on.
// Errors: FindOperatorToken returns kNotFound for an unknown or revoked token; store errors
// otherwise. Thread-safety: functions over a caller's Transaction.
#ifndef TINYMLOPS_SERVER_AUTH_OPERATOR_TOKEN_H_
#define TINYMLOPS_SERVER_AUTH_OPERATOR_TOKEN_H_

#include <string>
#include <vector>

#include "runtime/status.h"
#include "server/store/store.h"

namespace tinymlops::server {

enum class Role { kViewer = 0, kDeployer = 1, kAdmin = 2 };

const char* RoleName(Role role);
bool ParseRole(const std::string& name, Role* role);

struct OperatorIdentity {
  std::string token_id;
  std::string project_id;  // "" for a server-wide token
  std::string name;        // the token's name, for records of who did what
  Role role = Role::kViewer;

  // True when this operator may act on `project` with at least `minimum`.
  bool Allows(const std::string& project, Role minimum) const {
    return (project_id.empty() || project_id == project) &&
           static_cast<int>(role) >= static_cast<int>(minimum);
  }
};

struct CreatedToken {
  std::string id;
  std::string token;  // the secret, shown once
};

Result<CreatedToken> CreateOperatorToken(Transaction& tx, const std::string& project_id, Role role,
                                         const std::string& name);
Result<OperatorIdentity> FindOperatorToken(Transaction& tx, const std::string& token);

struct TokenRecord {
  std::string id, name;
  Role role = Role::kViewer;
  int64_t created_unix = 0;
  bool revoked = false;
};
// The tokens of a project (never their secrets, which are not stored).
Result<std::vector<TokenRecord>> ListOperatorTokens(Transaction& tx, const std::string& project_id);
// Revokes a token of the project at once, for every server process. kNotFound when the
// project has no such token.
Status RevokeOperatorToken(Transaction& tx, const std::string& project_id,
                           const std::string& token_id);

// Creates the first server-wide admin token if the server has never been bootstrapped.
// Returns the token for the caller to print once, or "" when the server already was (by this
// process or another sharing the store).
Result<std::string> BootstrapAdminToken(Transaction& tx);

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_AUTH_OPERATOR_TOKEN_H_
