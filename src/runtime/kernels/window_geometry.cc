#include "runtime/kernels/window_geometry.h"

namespace tinymlops::runtime {
namespace {

const char* OpName(const Node& node) { return tmm::EnumNameOpType(node.op->type()); }

// Reads attribute `name` with `count` entries per spatial dim (1 for strides, 2 for pads) into
// `values` ([copy][spatial dim]); an absent or empty attribute gives `default_value`.
Status ReadSpatialAttribute(const Node& node, const char* name,
                            const flatbuffers::Vector<int32_t>* attribute, int spatial_dims,
                            int copies, int32_t default_value, int32_t min_value,
                            int32_t values[2][kWindowDims]) {
  const bool present = attribute && attribute->size() > 0;
  if (present && static_cast<int>(attribute->size()) != spatial_dims * copies)
    return Status::Error(StatusCode::kInvalidArgument,
                         "%s node '%s': %s has %u values; the input has %d spatial dims, so it "
                         "needs %d",
                         OpName(node), node.name, name, attribute->size(), spatial_dims,
                         spatial_dims * copies);
  for (int copy = 0; copy < copies; ++copy) {
    for (int dim = 0; dim < spatial_dims; ++dim) {
      const int32_t value = present ? attribute->Get(copy * spatial_dims + dim) : default_value;
      if (value < min_value)
        return Status::Error(StatusCode::kInvalidArgument, "%s node '%s': %s value %d is below %d",
                             OpName(node), node.name, name, value, min_value);
      values[copy][dim] = value;
    }
  }
  return Status::Ok();
}

// Floor and ceil of numerator / denominator for denominator > 0.
int64_t FloorDiv(int64_t numerator, int64_t denominator) {
  const int64_t quotient = numerator / denominator;
  return (numerator % denominator != 0 && numerator < 0) ? quotient - 1 : quotient;
}
int64_t CeilDiv(int64_t numerator, int64_t denominator) {
  return -FloorDiv(-numerator, denominator);
}

// Checks the output size along normalized dim `dim` (the op's spatial dim `source`) against
// `rule`.
Status CheckOutputSize(const Node& node, const Tensor& output, const WindowGeometry& g, int dim,
                       int source, WindowOutputRule rule) {
  const int64_t extent = int64_t{g.dilation[dim]} * (g.kernel[dim] - 1) + 1;
  const int64_t span = int64_t{g.input[dim]} + g.pad_begin[dim] + g.pad_end[dim] - extent;
  if (span < 0)
    return Status::Error(StatusCode::kInvalidArgument,
                         "%s node '%s': the window (extent %lld) is larger than the padded input "
                         "(%lld) along spatial dim %d",
                         OpName(node), node.name, static_cast<long long>(extent),
                         static_cast<long long>(span + extent), source);
  const int64_t floor_size = FloorDiv(span, g.stride[dim]) + 1;
  int64_t max_size = floor_size;
  if (rule == WindowOutputRule::kFloorOrCeil) {
    // ceil_mode adds a last window only when it starts inside the input or its begin padding.
    const int64_t ceil_size = CeilDiv(span, g.stride[dim]) + 1;
    if ((ceil_size - 1) * g.stride[dim] < int64_t{g.input[dim]} + g.pad_begin[dim])
      max_size = ceil_size;
  }
  const int64_t size = g.output[dim];
  if (size < floor_size || size > max_size)
    return Status::Error(StatusCode::kInvalidArgument,
                         "%s node '%s': output '%s' has size %lld along spatial dim %d where "
                         "the input, kernel, strides, dilations and pads give %lld to %lld",
                         OpName(node), node.name, output.name, static_cast<long long>(size), source,
                         static_cast<long long>(floor_size), static_cast<long long>(max_size));
  return Status::Ok();
}

}  // namespace

Status MakeWindowGeometry(const Node& node, const Tensor& input, const Tensor& output,
                          const int32_t* kernel, const WindowAttributes& attributes,
                          WindowOutputRule rule, WindowGeometry* geometry) {
  const int rank = input.shape.rank;
  if (rank < 3 || rank > 2 + kWindowDims)
    return Status::Error(StatusCode::kUnsupported,
                         "%s node '%s': input '%s' has rank %d; supported are [N, C] plus 1 to 3 "
                         "spatial dims",
                         OpName(node), node.name, input.name, rank);
  if (output.shape.rank != rank || output.shape.dims[0] != input.shape.dims[0])
    return Status::Error(StatusCode::kInvalidArgument,
                         "%s node '%s': output '%s' must have the input's rank %d and batch %d",
                         OpName(node), node.name, output.name, rank, input.shape.dims[0]);
  const int spatial_dims = rank - 2;
  int32_t strides[2][kWindowDims];
  int32_t dilations[2][kWindowDims];
  int32_t pads[2][kWindowDims];
  TMM_RETURN_IF_ERROR(
      ReadSpatialAttribute(node, "strides", attributes.strides, spatial_dims, 1, 1, 1, strides));
  TMM_RETURN_IF_ERROR(ReadSpatialAttribute(node, "dilations", attributes.dilations, spatial_dims, 1,
                                           1, 1, dilations));
  TMM_RETURN_IF_ERROR(
      ReadSpatialAttribute(node, "pads", attributes.pads, spatial_dims, 2, 0, 0, pads));

  // Spatial dim `dim` of the op lands on normalized dim `dim + first`.
  const int first = kWindowDims - spatial_dims;
  for (int dim = 0; dim < kWindowDims; ++dim) {
    const bool used = dim >= first;
    const int source = dim - first;
    geometry->input[dim] = used ? input.shape.dims[2 + source] : 1;
    geometry->output[dim] = used ? output.shape.dims[2 + source] : 1;
    geometry->kernel[dim] = used ? kernel[source] : 1;
    geometry->stride[dim] = used ? strides[0][source] : 1;
    geometry->dilation[dim] = used ? dilations[0][source] : 1;
    geometry->pad_begin[dim] = used ? pads[0][source] : 0;
    geometry->pad_end[dim] = used ? pads[1][source] : 0;
    if (geometry->kernel[dim] < 1)
      return Status::Error(StatusCode::kInvalidArgument,
                           "%s node '%s': kernel size %d along spatial dim %d must be positive",
                           OpName(node), node.name, geometry->kernel[dim], source);
    TMM_RETURN_IF_ERROR(CheckOutputSize(node, output, *geometry, dim, source, rule));
  }
  return Status::Ok();
}

}  // namespace tinymlops::runtime
