// Test oracle: a plain-loop 2-D convolution (NCHW, grouped, strided, dilated, padded), written
// from the ONNX definition independently of the importer and the kernels.
#ifndef TINYMLOPS_TESTS_TOOLCHAIN_ONNX_REFERENCE_CONV_H_
#define TINYMLOPS_TESTS_TOOLCHAIN_ONNX_REFERENCE_CONV_H_

#include <vector>

namespace tinymlops::toolchain::testing {

struct Conv2dParams {
  int n, c, h, w;  // input
  int m, kh, kw;   // weight [m, c / group, kh, kw]
  int group = 1;
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;

  int OutH() const { return (h + pad_top + pad_bottom - dilation_h * (kh - 1) - 1) / stride_h + 1; }
  int OutW() const { return (w + pad_left + pad_right - dilation_w * (kw - 1) - 1) / stride_w + 1; }
};

inline std::vector<float> ReferenceConv2d(const Conv2dParams& p, const std::vector<float>& x,
                                          const std::vector<float>& weight,
                                          const std::vector<float>& bias) {
  const int oh = p.OutH(), ow = p.OutW(), cg = p.c / p.group, mg = p.m / p.group;
  std::vector<float> y(static_cast<size_t>(p.n) * p.m * oh * ow);
  for (int n = 0; n < p.n; ++n)
    for (int m = 0; m < p.m; ++m)
      for (int i = 0; i < oh; ++i)
        for (int j = 0; j < ow; ++j) {
          double sum = bias.empty() ? 0.0 : bias[m];
          const int g = m / mg;
          for (int ci = 0; ci < cg; ++ci)
            for (int ki = 0; ki < p.kh; ++ki)
              for (int kj = 0; kj < p.kw; ++kj) {
                const int row = i * p.stride_h - p.pad_top + ki * p.dilation_h;
                const int col = j * p.stride_w - p.pad_left + kj * p.dilation_w;
                if (row < 0 || row >= p.h || col < 0 || col >= p.w) continue;
                const int c = g * cg + ci;
                sum += x[((n * p.c + c) * p.h + row) * p.w + col] *
                       weight[((m * cg + ci) * p.kh + ki) * p.kw + kj];
              }
          y[((n * p.m + m) * oh + i) * ow + j] = static_cast<float>(sum);
        }
  return y;
}

// 0, 1, 2, ... scaled by `step` and shifted by `offset`: varied, exactly representable inputs.
inline std::vector<float> Ramp(size_t count, float step = 1.0f, float offset = 0.0f) {
  std::vector<float> values(count);
  for (size_t i = 0; i < count; ++i) values[i] = offset + step * static_cast<float>(i);
  return values;
}

}  // namespace tinymlops::toolchain::testing

#endif  // TINYMLOPS_TESTS_TOOLCHAIN_ONNX_REFERENCE_CONV_H_
