#include "runtime/kernels/broadcast.h"

#include <cstdio>

namespace tinymlops::runtime {
namespace {

// "[2,3,4]" into a caller's buffer, for error messages.
const char* FormatShape(const Shape& shape, char* buffer, size_t size) {
  size_t used = 0;
  buffer[used++] = '[';
  for (int i = 0; i < shape.rank && used + 12 < size; ++i)
    used += static_cast<size_t>(
        std::snprintf(buffer + used, size - used, i ? ",%d" : "%d", shape.dims[i]));
  buffer[used++] = ']';
  buffer[used] = '\0';
  return buffer;
}

// Dimension `i` of `shape` counted from the right-aligned position in a rank-`rank` shape.
int32_t AlignedDim(const Shape& shape, int rank, int i) {
  const int offset = rank - shape.rank;
  return i < offset ? 1 : shape.dims[i - offset];
}

}  // namespace

Status MakeBroadcastPlan(const Node& node, const Shape& a, const Shape& b, const Shape& output,
                         BroadcastPlan* plan) {
  const int rank = output.rank;
  bool valid = a.rank <= rank && b.rank <= rank;
  for (int i = 0; valid && i < rank; ++i) {
    const int32_t da = AlignedDim(a, rank, i), db = AlignedDim(b, rank, i);
    const bool compatible = da == db || da == 1 || db == 1;
    const int32_t broadcast = da == 1 ? db : da;
    valid = compatible && broadcast == output.dims[i];
  }
  if (!valid) {
    char a_text[96], b_text[96], out_text[96];
    return Status::Error(
        StatusCode::kInvalidArgument,
        "%s node '%s': input shapes %s and %s do not broadcast to the output "
        "shape %s (NumPy broadcasting)",
        tmm::EnumNameOpType(node.op->type()), node.name, FormatShape(a, a_text, sizeof(a_text)),
        FormatShape(b, b_text, sizeof(b_text)), FormatShape(output, out_text, sizeof(out_text)));
  }

  // Full-rank strides, 0 where an input is broadcast.
  int64_t a_strides[kMaxRank] = {}, b_strides[kMaxRank] = {};
  int64_t a_step = 1, b_step = 1;
  for (int i = rank - 1; i >= 0; --i) {
    const int32_t da = AlignedDim(a, rank, i), db = AlignedDim(b, rank, i);
    a_strides[i] = da == 1 ? 0 : a_step;
    b_strides[i] = db == 1 ? 0 : b_step;
    a_step *= da;
    b_step *= db;
  }

  // Merge dimension i into the previous merged one when both inputs keep walking contiguously
  // (or both stay put) across the boundary; drop dimensions of size 1.
  *plan = BroadcastPlan();
  plan->rank = 0;
  plan->count = output.ElementCount();
  for (int i = 0; i < rank; ++i) {
    const int32_t dim = output.dims[i];
    if (dim == 1) continue;
    if (plan->rank > 0) {
      const int last = plan->rank - 1;
      const bool a_merges = plan->a_strides[last] == a_strides[i] * dim;
      const bool b_merges = plan->b_strides[last] == b_strides[i] * dim;
      if (a_merges && b_merges) {
        plan->dims[last] *= dim;
        plan->a_strides[last] = a_strides[i];
        plan->b_strides[last] = b_strides[i];
        continue;
      }
    }
    plan->dims[plan->rank] = dim;
    plan->a_strides[plan->rank] = a_strides[i];
    plan->b_strides[plan->rank] = b_strides[i];
    ++plan->rank;
  }
  if (plan->rank == 0) {
    plan->rank = 1;
    plan->dims[0] = 1;
  }
  return Status::Ok();
}

}  // namespace tinymlops::runtime
