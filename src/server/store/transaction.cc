#include "server/store/store.h"

namespace tinymlops::server {

Status Transaction::Commit() {
  TMM_RETURN_IF_ERROR(CommitWork());
  std::vector<std::function<void()>> actions = std::move(after_commit_);
  after_commit_.clear();
  for (auto& action : actions) action();
  return Status::Ok();
}

}  // namespace tinymlops::server
