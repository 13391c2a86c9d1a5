#include "toolchain/quantize/calibration.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "toolchain/quantize/quantize_test_models.h"

namespace tinymlops::toolchain {
namespace {

using testing_models::FloatTensor;

// x [1, 1000] -> Reshape -> y [1000]: the ranges of a graph input and of an op output.
Graph ReshapeModel() {
  Graph graph;
  graph.name = "reshape";
  TensorDef x;
  x.name = "x";
  x.shape = {1, 1000};
  TensorDef y;
  y.name = "y";
  y.shape = {1000};
  graph.inputs = {graph.AddTensor(x)};
  graph.outputs = {graph.AddTensor(y)};
  OpDef reshape;
  reshape.type = tmm::OpType::Reshape;
  reshape.name = "reshape";
  reshape.inputs = {0};
  reshape.outputs = {1};
  graph.ops.push_back(reshape);
  return graph;
}

// Two samples with values 0, 0.001, ..., 0.999 (minus the last in the second) and a single
// outlier of 1000 in the second.
std::vector<CalibrationSample> SamplesWithOneOutlier() {
  std::vector<float> values(1000);
  for (int i = 0; i < 1000; ++i) values[i] = static_cast<float>(i) / 1000.0f;
  std::vector<CalibrationSample> samples(2);
  samples[0]["x"] = FloatTensor("x", {1, 1000}, values);
  values[999] = 1000.0f;
  samples[1]["x"] = FloatTensor("x", {1, 1000}, values);
  return samples;
}

TEST(CalibrateRanges, MinMaxCoversEveryValueOfInputsAndActivations) {
  Result<std::map<int, TensorRange>> ranges =
      CalibrateRanges(ReshapeModel(), SamplesWithOneOutlier(), QuantizeOptions{});
  ASSERT_TRUE(ranges.ok()) << ranges.status().message();
  ASSERT_EQ(ranges->size(), 2u);
  for (int tensor : {0, 1}) {
    EXPECT_EQ(ranges->at(tensor).min, 0.0f);
    EXPECT_EQ(ranges->at(tensor).max, 1000.0f);
  }
}

TEST(CalibrateRanges, PercentileIgnoresARareOutlier) {
  QuantizeOptions options;
  options.method = CalibrationMethod::kPercentile;
  options.percentile = 99.0;
  Result<std::map<int, TensorRange>> ranges =
      CalibrateRanges(ReshapeModel(), SamplesWithOneOutlier(), options);
  ASSERT_TRUE(ranges.ok()) << ranges.status().message();
  for (int tensor : {0, 1}) {
    // 99% of the 2000 values are below 0.99; one histogram bin is 1000/2048 wide.
    EXPECT_EQ(ranges->at(tensor).min, 0.0f);
    EXPECT_GE(ranges->at(tensor).max, 0.98f);
    EXPECT_LE(ranges->at(tensor).max, 0.98f + 1000.0f / 2048.0f);
  }
}

TEST(CalibrateRanges, PercentileOutsideZeroToHundredIsAnError) {
  QuantizeOptions options;
  options.method = CalibrationMethod::kPercentile;
  options.percentile = 120.0;
  Result<std::map<int, TensorRange>> ranges =
      CalibrateRanges(ReshapeModel(), SamplesWithOneOutlier(), options);
  ASSERT_FALSE(ranges.ok());
  EXPECT_NE(std::string(ranges.status().message()).find("percentile"), std::string::npos);
}

TEST(CalibrateRanges, NonFiniteActivationIsAnError) {
  std::vector<CalibrationSample> samples = SamplesWithOneOutlier();
  std::vector<float> values = samples[0]["x"].Values<float>();
  values[3] = std::numeric_limits<float>::infinity();
  samples[0]["x"].SetValues(values);
  Result<std::map<int, TensorRange>> ranges =
      CalibrateRanges(ReshapeModel(), samples, QuantizeOptions{});
  ASSERT_FALSE(ranges.ok());
  EXPECT_NE(std::string(ranges.status().message()).find("non-finite"), std::string::npos);
}

}  // namespace
}  // namespace tinymlops::toolchain
