// The real trained example (examples/digits, made by train_digits.py): the int8 model, quantized
// with calibration samples from the training split, keeps the float model's accuracy on the
// held-out split within one point. The accuracies are printed and recorded as test properties.
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "toolchain/graph/model_session.h"
#include "toolchain/io/npy.h"
#include "toolchain/onnx/onnx_importer.h"
#include "toolchain/quantize/quantizer.h"

namespace tinymlops::toolchain {
namespace {

constexpr int kPixels = 64;
constexpr int kClasses = 10;

std::string DigitsFile(const std::string& name) {
  const char* source_dir = std::getenv("TINYMLOPS_SOURCE_DIR");
  return std::string(source_dir ? source_dir : ".") + "/examples/digits/" + name;
}

// Row `row` of a float32 [N, 64] array as the model input "pixels" [1, 64].
TensorDef PixelsRow(const TensorDef& images, int64_t row) {
  TensorDef pixels;
  pixels.name = "pixels";
  pixels.shape = {1, kPixels};
  pixels.data.assign(images.data.begin() + row * kPixels * sizeof(float),
                     images.data.begin() + (row + 1) * kPixels * sizeof(float));
  pixels.is_constant = true;
  return pixels;
}

class DigitsAccuracy : public testing::Test {
 protected:
  void SetUp() override {
    Result<Graph> model = ImportOnnxFile(DigitsFile("digits.onnx"), OnnxImportOptions{});
    ASSERT_TRUE(model.ok()) << model.status().message()
                            << " (regenerate with examples/digits/train_digits.py)";
    float_model_ = std::move(*model);
    Result<TensorDef> calibration = ReadNpyFile(DigitsFile("calibration_x.npy"));
    Result<TensorDef> images = ReadNpyFile(DigitsFile("heldout_x.npy"));
    Result<TensorDef> labels = ReadNpyFile(DigitsFile("heldout_y.npy"));
    ASSERT_TRUE(calibration.ok()) << calibration.status().message();
    ASSERT_TRUE(images.ok()) << images.status().message();
    ASSERT_TRUE(labels.ok()) << labels.status().message();
    ASSERT_EQ(calibration->dtype, DType::kFloat32);
    ASSERT_EQ(calibration->shape[1], kPixels);
    ASSERT_EQ(images->dtype, DType::kFloat32);
    ASSERT_EQ(images->shape[1], kPixels);
    ASSERT_EQ(labels->dtype, DType::kInt64);
    ASSERT_EQ(labels->shape[0], images->shape[0]);
    for (int64_t row = 0; row < calibration->shape[0]; ++row)
      calibration_.push_back({{"pixels", PixelsRow(*calibration, row)}});
    images_ = std::move(*images);
    labels_ = labels->Values<int64_t>();
  }

  // Fraction of held-out images whose most probable class is the label.
  double Accuracy(const Graph& graph) {
    Result<std::unique_ptr<ModelSession>> session =
        ModelSession::FromGraph(graph, KernelSet::kOptimized);
    EXPECT_TRUE(session.ok()) << session.status().message();
    if (!session.ok()) return 0;
    int correct = 0;
    for (size_t row = 0; row < labels_.size(); ++row) {
      Result<std::vector<TensorDef>> outputs =
          (*session)->Run({{"pixels", PixelsRow(images_, static_cast<int64_t>(row))}});
      EXPECT_TRUE(outputs.ok()) << outputs.status().message();
      if (!outputs.ok()) return 0;
      const std::vector<float> probabilities = outputs->at(0).Values<float>();
      EXPECT_EQ(probabilities.size(), static_cast<size_t>(kClasses));
      int best = 0;
      for (int c = 1; c < kClasses; ++c)
        if (probabilities[c] > probabilities[best]) best = c;
      correct += best == labels_[row];
    }
    return static_cast<double>(correct) / static_cast<double>(labels_.size());
  }

  double QuantizedAccuracy(const QuantizeOptions& options) {
    Result<Graph> quantized = QuantizeGraph(float_model_, calibration_, options);
    EXPECT_TRUE(quantized.ok()) << quantized.status().message();
    return quantized.ok() ? Accuracy(*quantized) : 0;
  }

  Graph float_model_;
  std::vector<CalibrationSample> calibration_;
  TensorDef images_;
  std::vector<int64_t> labels_;
};

TEST_F(DigitsAccuracy, Int8IsWithinOnePointOfFloat) {
  QuantizeOptions percentile;
  percentile.method = CalibrationMethod::kPercentile;
  const double fp32 = Accuracy(float_model_);
  const double int8_min_max = QuantizedAccuracy(QuantizeOptions{});
  const double int8_percentile = QuantizedAccuracy(percentile);
  std::cout << "digits held-out accuracy over " << labels_.size() << " images: fp32 " << fp32
            << ", int8 (min/max calibration) " << int8_min_max
            << ", int8 (99.99th percentile calibration) " << int8_percentile << "\n";
  RecordProperty("fp32_accuracy", std::to_string(fp32));
  RecordProperty("int8_min_max_accuracy", std::to_string(int8_min_max));
  RecordProperty("int8_percentile_accuracy", std::to_string(int8_percentile));
  EXPECT_GT(fp32, 0.9);
  EXPECT_GE(int8_min_max, fp32 - 0.01);
  EXPECT_GE(int8_percentile, fp32 - 0.01);
}

}  // namespace
}  // namespace tinymlops::toolchain
