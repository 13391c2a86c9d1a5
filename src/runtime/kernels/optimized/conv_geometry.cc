#include "runtime/kernels/optimized/conv_geometry.h"

namespace tinymlops::runtime::optimized {

bool ReadConvGeometry(const Node& node, ConvGeometry* geometry) {
  const tmm::ConvOptions* options = node.op->options_as_ConvOptions();
  const Tensor* input = node.Input(0);
  const Tensor* weights = node.Input(1);
  const Tensor* output = node.Output(0);
  if (!options || !input || !weights || !output || input->shape.rank < 3 ||
      input->shape.rank > 4 || weights->shape.rank != input->shape.rank)
    return false;
  WindowGeometry window;
  const WindowAttributes attributes{options->strides(), options->dilations(), options->pads()};
  if (!MakeWindowGeometry(node, *input, *output, &weights->shape.dims[2], attributes,
                          WindowOutputRule::kFloor, &window)
           .ok())
    return false;
  ConvGeometry g;
  g.batch = input->shape.dims[0];
  g.in_channels = input->shape.dims[1];
  g.out_channels = output->shape.dims[1];
  g.group = options->group();
  // Spatial dims 1 and 2 of the window are height and width (dim 0, depth, is 1 here).
  g.in_h = window.input[1];
  g.in_w = window.input[2];
  g.out_h = window.output[1];
  g.out_w = window.output[2];
  g.kernel_h = window.kernel[1];
  g.kernel_w = window.kernel[2];
  g.stride_h = window.stride[1];
  g.stride_w = window.stride[2];
  g.dilation_h = window.dilation[1];
  g.dilation_w = window.dilation[2];
  g.pad_top = window.pad_begin[1];
  g.pad_left = window.pad_begin[2];
  g.pad_bottom = window.pad_end[1];
  g.pad_right = window.pad_end[2];
  if (g.group <= 0 || g.in_channels % g.group != 0 || g.out_channels % g.group != 0) return false;
  *geometry = g;
  return true;
}

}  // namespace tinymlops::runtime::optimized
