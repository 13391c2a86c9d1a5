#include "server/store/migrations.h"
#include "server/store/postgres_store.h"
#include "server/store/sqlite_store.h"
#include "server/store/store.h"

namespace tinymlops::server {

Result<std::unique_ptr<Store>> OpenStore(const std::string& location) {
  const bool postgres =
      location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0;
  TMM_ASSIGN_OR_RETURN(auto store,
                       postgres ? OpenPostgresStore(location) : OpenSqliteStore(location));
  TMM_RETURN_IF_ERROR(ApplyMigrations(*store));
  return store;
}

}  // namespace tinymlops::server
