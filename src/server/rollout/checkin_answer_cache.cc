#include "server/rollout/checkin_answer_cache.h"

#include <sodium.h>

#include <algorithm>
#include <functional>

namespace tinymlops::server {

BodyFingerprint FingerprintBody(const std::string& body) {
  BodyFingerprint fingerprint;
  crypto_generichash(fingerprint.data(), fingerprint.size(),
                     reinterpret_cast<const uint8_t*>(body.data()), body.size(), nullptr, 0);
  return fingerprint;
}

CheckinAnswerCache::CheckinAnswerCache(size_t capacity)
    : shard_capacity_(std::max<size_t>(1, capacity / kShards)) {}

CheckinAnswerCache::Shard& CheckinAnswerCache::ShardOf(const std::string& device_id) const {
  return shards_[std::hash<std::string>()(device_id) % kShards];
}

std::optional<CachedAnswer> CheckinAnswerCache::Find(const std::string& device_id,
                                                     const BodyFingerprint& request,
                                                     const AnswerRevisions& revisions) const {
  Shard& shard = ShardOf(device_id);
  std::lock_guard<std::mutex> lock(shard.mutex);
  const auto found = shard.entries.find(device_id);
  if (found == shard.entries.end() || found->second.request != request ||
      !(found->second.revisions == revisions)) {
    return std::nullopt;
  }
  return found->second.answer;
}

std::shared_ptr<const std::string> CheckinAnswerCache::Intern(const std::string& body) {
  std::lock_guard<std::mutex> lock(interned_mutex_);
  auto& slot = interned_[body];
  if (auto alive = slot.lock()) return alive;
  auto fresh = std::make_shared<const std::string>(body);
  slot = fresh;
  if (interned_.size() > next_sweep_) {
    for (auto it = interned_.begin(); it != interned_.end();) {
      it = it->second.expired() ? interned_.erase(it) : std::next(it);
    }
    next_sweep_ = std::max<size_t>(1024, 2 * interned_.size());
  }
  return fresh;
}

void CheckinAnswerCache::Remember(const std::string& device_id, const BodyFingerprint& request,
                                  const AnswerRevisions& revisions, const std::string& answer,
                                  bool desired) {
  if (revisions.project < 0 || revisions.device < 0) return;
  Entry entry{request, revisions, CachedAnswer{Intern(answer), desired}};
  Shard& shard = ShardOf(device_id);
  std::lock_guard<std::mutex> lock(shard.mutex);
  auto found = shard.entries.find(device_id);
  if (found != shard.entries.end()) {
    found->second = std::move(entry);
    return;
  }
  if (shard.entries.size() >= shard_capacity_) shard.entries.erase(shard.entries.begin());
  shard.entries.emplace(device_id, std::move(entry));
}

size_t CheckinAnswerCache::size() const {
  size_t total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mutex);
    total += shard.entries.size();
  }
  return total;
}

size_t CheckinAnswerCache::distinct_answers() const {
  std::lock_guard<std::mutex> lock(interned_mutex_);
  return static_cast<size_t>(std::count_if(interned_.begin(), interned_.end(),
                                           [](const auto& b) { return !b.second.expired(); }));
}

}  // namespace tinymlops::server
