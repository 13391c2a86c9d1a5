#include "server/fleet/answer_revisions.h"

namespace tinymlops::server {

Status BumpProjectAnswers(Transaction& tx, const std::string& project_id) {
  return tx
      .Execute("UPDATE projects SET answer_revision = answer_revision + 1 WHERE id = ?",
               {project_id})
      .status();
}

Status BumpDeviceAnswer(Transaction& tx, const std::string& device_id) {
  return tx
      .Execute("UPDATE devices SET answer_revision = answer_revision + 1 WHERE id = ?",
               {device_id})
      .status();
}

}  // namespace tinymlops::server
