#include "runtime/kernels/pool_window.h"

#include "runtime/kernels/kernel_util.h"

namespace tinymlops::runtime {
namespace {

const char* OpName(const Node& node) { return tmm::EnumNameOpType(node.op->type()); }

// Taps of the window at output position `out` along `dim` that satisfy `inside`.
template <typename Inside>
int32_t CountTaps(const WindowGeometry& g, int dim, int32_t out, const Inside& inside) {
  int32_t count = 0;
  for (int32_t tap = 0; tap < g.kernel[dim]; ++tap)
    if (inside(g.InputCoordinate(dim, out, tap))) ++count;
  return count;
}

}  // namespace

Status PreparePoolWindow(const Node& node, PoolWindow* pool) {
  TMM_RETURN_IF_ERROR(CheckArity(node, 1, 1, 1));
  const tmm::PoolOptions* options = node.op->options_as_PoolOptions();
  if (!options || !options->kernel()) return MissingOptions(node, "PoolOptions with a kernel");
  const Tensor& input = *node.inputs[0];
  const Tensor& output = *node.outputs[0];
  TMM_RETURN_IF_ERROR(CheckDType(node, output, input.dtype, "output"));
  const int spatial_dims = input.shape.rank - 2;
  if (static_cast<int>(options->kernel()->size()) != spatial_dims)
    return Status::Error(StatusCode::kInvalidArgument,
                         "%s node '%s': kernel has %u sizes but input '%s' has %d spatial dims",
                         OpName(node), node.name, options->kernel()->size(), input.name,
                         spatial_dims);
  if (output.shape.rank >= 2 && output.shape.dims[1] != input.shape.dims[1])
    return Status::Error(StatusCode::kInvalidArgument,
                         "%s node '%s': output '%s' must have input '%s''s %d channels",
                         OpName(node), node.name, output.name, input.name, input.shape.dims[1]);
  int32_t kernel[kWindowDims] = {};
  for (int dim = 0; dim < spatial_dims && dim < kWindowDims; ++dim)
    kernel[dim] = options->kernel()->Get(dim);
  const WindowAttributes attributes{options->strides(), options->dilations(), options->pads()};
  WindowGeometry& g = pool->geometry;
  TMM_RETURN_IF_ERROR(MakeWindowGeometry(node, input, output, kernel, attributes,
                                         WindowOutputRule::kFloorOrCeil, &g));
  for (int dim = 0; dim < kWindowDims; ++dim) {
    for (int32_t out = 0; out < g.output[dim]; ++out) {
      const auto inside_input = [&](int32_t c) { return g.InsideInput(dim, c); };
      if (CountTaps(g, dim, out, inside_input) == 0)
        return Status::Error(StatusCode::kUnsupported,
                             "%s node '%s': output position %d of a spatial dim of '%s' pools "
                             "only padding; reduce the pads",
                             OpName(node), node.name, out, output.name);
    }
  }
  pool->planes = int64_t{input.shape.dims[0]} * input.shape.dims[1];
  return Status::Ok();
}

int32_t PaddedWindowSize(const WindowGeometry& g, int32_t od, int32_t oh, int32_t ow) {
  const int32_t out[kWindowDims] = {od, oh, ow};
  int32_t size = 1;
  for (int dim = 0; dim < kWindowDims; ++dim)
    size *= CountTaps(g, dim, out[dim], [&](int32_t c) { return g.InsidePaddedInput(dim, c); });
  return size;
}

}  // namespace tinymlops::runtime
