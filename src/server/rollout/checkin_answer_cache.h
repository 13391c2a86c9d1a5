// CheckinAnswerCache: the last answer this process gave each device's check-in, so that a
// routine check-in (the device sends the same body as last time, with no outcome) is answered
// without parsing it or reading what computes a desired state (server/rollout/device_checkin.h).
//
// An entry is the answer's bytes, the fingerprint of the request body it answered (one without
// outcomes: the caller remembers no other) and the answer revisions
// (server/fleet/answer_revisions.h) that the check-in computing it read first. Find returns it
// only for the same fingerprint and the same revisions, read again by the new check-in: every write
// an answer depends on bumps one of them, in any server process, so equal revisions mean the store
// holds what the answer was computed from. Fill it only from a committed transaction
// (Transaction::AfterCommit). What a stale entry cannot do: be found, since a revision read after
// the change differs; so there is nothing to invalidate.
//
// Answers are interned: devices answered the same bytes share one copy, so memory grows by an
// entry per device (about 150 bytes) plus each distinct answer once. At most `capacity`
// entries; past it an arbitrary one is dropped (that device's next check-in computes again).
// Thread-safety: every member from any thread.
#ifndef TINYMLOPS_SERVER_ROLLOUT_CHECKIN_ANSWER_CACHE_H_
#define TINYMLOPS_SERVER_ROLLOUT_CHECKIN_ANSWER_CACHE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "server/fleet/answer_revisions.h"

namespace tinymlops::server {

// BLAKE2b-128 of a check-in's request body.
using BodyFingerprint = std::array<uint8_t, 16>;
BodyFingerprint FingerprintBody(const std::string& body);

struct CachedAnswer {
  std::shared_ptr<const std::string> body;
  bool desired = false;  // the answer names a desired version
};

class CheckinAnswerCache {
 public:
  static constexpr size_t kDefaultCapacity = size_t{1} << 18;
  explicit CheckinAnswerCache(size_t capacity = kDefaultCapacity);

  std::optional<CachedAnswer> Find(const std::string& device_id, const BodyFingerprint& request,
                                   const AnswerRevisions& revisions) const;
  // Replaces the device's entry. Revisions not read (-1) store nothing.
  void Remember(const std::string& device_id, const BodyFingerprint& request,
                const AnswerRevisions& revisions, const std::string& answer, bool desired);

  size_t size() const;              // entries
  size_t distinct_answers() const;  // interned bodies still in use

 private:
  struct Entry {
    BodyFingerprint request{};
    AnswerRevisions revisions;
    CachedAnswer answer;
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, Entry> entries;
  };
  static constexpr size_t kShards = 16;

  Shard& ShardOf(const std::string& device_id) const;
  std::shared_ptr<const std::string> Intern(const std::string& body);

  size_t shard_capacity_;
  mutable std::array<Shard, kShards> shards_;
  mutable std::mutex interned_mutex_;
  std::unordered_map<std::string, std::weak_ptr<const std::string>> interned_;
  size_t next_sweep_ = 1024;  // sweep dead interned bodies when interned_ grows past this
};

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_ROLLOUT_CHECKIN_ANSWER_CACHE_H_
