#include "runtime/arena_planner.h"

#include <algorithm>
#include <map>

namespace tinymlops::runtime {
namespace {

size_t AlignUp(size_t bytes) {
  return (bytes + ArenaPlanner::kAlignment - 1) / ArenaPlanner::kAlignment *
         ArenaPlanner::kAlignment;
}

}  // namespace

int ArenaPlanner::Add(size_t bytes, int first, int last) {
  buffers_.push_back({AlignUp(bytes), first, last, 0});
  return static_cast<int>(buffers_.size()) - 1;
}

void ArenaPlanner::Plan() {
  std::vector<int> order(buffers_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return buffers_[a].bytes > buffers_[b].bytes; });

  std::vector<int> placed;
  std::vector<const Buffer*> conflicts;
  arena_bytes_ = 0;
  for (int id : order) {
    Buffer& buffer = buffers_[id];
    conflicts.clear();
    for (int other_id : placed) {
      const Buffer& other = buffers_[other_id];
      if (other.first <= buffer.last && buffer.first <= other.last) conflicts.push_back(&other);
    }
    std::sort(conflicts.begin(), conflicts.end(),
              [](const Buffer* a, const Buffer* b) { return a->offset < b->offset; });
    // Lowest gap between conflicting buffers that fits.
    size_t candidate = 0;
    for (const Buffer* other : conflicts) {
      if (other->offset >= candidate + buffer.bytes) break;
      candidate = std::max(candidate, other->offset + other->bytes);
    }
    buffer.offset = candidate;
    arena_bytes_ = std::max(arena_bytes_, candidate + buffer.bytes);
    placed.push_back(id);
  }
}

size_t ArenaPlanner::LivenessLowerBound() const {
  std::map<int, long long> delta;  // step -> change in live bytes
  for (const Buffer& buffer : buffers_) {
    delta[buffer.first] += static_cast<long long>(buffer.bytes);
    delta[buffer.last + 1] -= static_cast<long long>(buffer.bytes);
  }
  long long live = 0, peak = 0;
  for (const auto& [step, change] : delta) {
    live += change;
    peak = std::max(peak, live);
  }
  return static_cast<size_t>(peak);
}

}  // namespace tinymlops::runtime
