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

// Places buffers in `order`, each at the lowest offset free of every already placed buffer
// whose lifetime overlaps; returns the arena size and writes the offsets into `offsets`.
size_t ArenaPlanner::PlaceInOrder(const std::vector<int>& order,
                                  std::vector<size_t>& offsets) const {
  std::vector<int> placed;
  std::vector<std::pair<size_t, size_t>> conflicts;  // (offset, bytes)
  size_t arena_bytes = 0;
  for (int id : order) {
    const Buffer& buffer = buffers_[id];
    conflicts.clear();
    for (int other_id : placed) {
      const Buffer& other = buffers_[other_id];
      if (other.first <= buffer.last && buffer.first <= other.last)
        conflicts.emplace_back(offsets[other_id], other.bytes);
    }
    std::sort(conflicts.begin(), conflicts.end());
    size_t candidate = 0;
    for (const auto& [offset, bytes] : conflicts) {
      if (offset >= candidate + buffer.bytes) break;
      candidate = std::max(candidate, offset + bytes);
    }
    offsets[id] = candidate;
    arena_bytes = std::max(arena_bytes, candidate + buffer.bytes);
    placed.push_back(id);
  }
  return arena_bytes;
}

void ArenaPlanner::Plan() {
  // Greedy placement depends on the order; try a few classic orders and keep the smallest arena.
  using Order = bool (*)(const Buffer&, const Buffer&);
  const Order orders[] = {
      [](const Buffer& a, const Buffer& b) { return a.bytes > b.bytes; },
      [](const Buffer& a, const Buffer& b) {
        return a.bytes * static_cast<size_t>(a.last - a.first + 1) >
               b.bytes * static_cast<size_t>(b.last - b.first + 1);
      },
      [](const Buffer& a, const Buffer& b) { return a.first < b.first; },
      [](const Buffer& a, const Buffer& b) {
        return a.last - a.first > b.last - b.first ||
               (a.last - a.first == b.last - b.first && a.bytes > b.bytes);
      },
  };
  std::vector<size_t> offsets(buffers_.size());
  arena_bytes_ = 0;
  bool first_plan = true;
  for (Order compare : orders) {
    std::vector<int> order(buffers_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return compare(buffers_[a], buffers_[b]); });
    const size_t arena_bytes = PlaceInOrder(order, offsets);
    if (first_plan || arena_bytes < arena_bytes_) {
      arena_bytes_ = arena_bytes;
      for (size_t i = 0; i < buffers_.size(); ++i) buffers_[i].offset = offsets[i];
      first_plan = false;
    }
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
