// ArenaPlanner: places buffers with known lifetimes into one arena so that buffers alive at the
// same time never overlap, and reports the liveness lower bound (the largest total size of
// buffers alive at once) that no placement can beat.
//
// Greedy placement (as TensorFlow Lite Micro's greedy planner): each buffer in turn takes the
// lowest 16-byte aligned offset that does not collide with an already placed buffer whose
// lifetime overlaps. The result depends on the order, so Plan() tries several (by size, by
// size x lifetime, by first use, by lifetime length) and keeps the smallest arena. Lifetimes
// are inclusive operator steps.
// Usage: Add() every buffer, then Plan(), then read Offset() and ArenaBytes().
// Not thread-safe. Allocates only while planning (at model load).
#ifndef TINYMLOPS_RUNTIME_ARENA_PLANNER_H_
#define TINYMLOPS_RUNTIME_ARENA_PLANNER_H_

#include <cstddef>
#include <vector>

namespace tinymlops::runtime {

class ArenaPlanner {
 public:
  static constexpr size_t kAlignment = 16;

  // Adds a buffer of `bytes` alive from step `first` to step `last` inclusive; returns its id.
  int Add(size_t bytes, int first, int last);
  void Plan();

  size_t Offset(int id) const { return buffers_[id].offset; }
  // Bytes the arena needs for the planned placement.
  size_t ArenaBytes() const { return arena_bytes_; }
  // The largest sum of (aligned) sizes of buffers alive at one step.
  size_t LivenessLowerBound() const;

 private:
  struct Buffer {
    size_t bytes;
    int first;
    int last;
    size_t offset;
  };
  size_t PlaceInOrder(const std::vector<int>& order, std::vector<size_t>& offsets) const;

  std::vector<Buffer> buffers_;
  size_t arena_bytes_ = 0;
};

}  // namespace tinymlops::runtime

#endif  // TINYMLOPS_RUNTIME_ARENA_PLANNER_H_
