#include "toolchain/quantize/calibration.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <string>

#include "toolchain/graph/model_session.h"

namespace tinymlops::toolchain {
namespace {

constexpr int kHistogramBins = 2048;

std::string Describe(DType dtype, const std::vector<int32_t>& shape) {
  std::string text = std::string(runtime::DTypeName(dtype)) + " [";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? "," : "") + std::to_string(shape[i]);
  return text + "]";
}

Status CheckSamples(const Graph& graph, const std::vector<CalibrationSample>& samples) {
  if (samples.empty())
    return Status::Error(StatusCode::kInvalidArgument,
                         "quantizing model '%s' needs at least one calibration sample: pass "
                         "representative inputs (e.g. --calibration FILE.npy)",
                         graph.name.c_str());
  for (size_t i = 0; i < samples.size(); ++i) {
    for (int input : graph.inputs) {
      const TensorDef& expected = graph.tensors[input];
      auto found = samples[i].find(expected.name);
      if (found == samples[i].end())
        return Status::Error(StatusCode::kInvalidArgument,
                             "calibration sample %zu has no value for model input '%s' (%s)", i,
                             expected.name.c_str(),
                             Describe(expected.dtype, expected.shape).c_str());
      const TensorDef& given = found->second;
      if (given.dtype != expected.dtype || given.shape != expected.shape ||
          static_cast<int64_t>(given.data.size()) !=
              given.ElementCount() * static_cast<int64_t>(runtime::DTypeSize(given.dtype)))
        return Status::Error(StatusCode::kInvalidArgument,
                             "calibration sample %zu: model input '%s' must be %s, got %s with "
                             "%zu bytes",
                             i, expected.name.c_str(),
                             Describe(expected.dtype, expected.shape).c_str(),
                             Describe(given.dtype, given.shape).c_str(), given.data.size());
    }
    for (const auto& [name, tensor] : samples[i]) {
      const int index = graph.FindTensor(name);
      if (std::find(graph.inputs.begin(), graph.inputs.end(), index) == graph.inputs.end())
        return Status::Error(StatusCode::kInvalidArgument,
                             "calibration sample %zu gives '%s', which is not an input of model "
                             "'%s'",
                             i, name.c_str(), graph.name.c_str());
    }
  }
  return Status::Ok();
}

// Calls `visit(tensor index, values, count)` for every float graph input and every float op
// output of `graph`, for every sample, by running `session` (which outputs `recorded`).
using ActivationVisitor = std::function<Status(int, const float*, size_t)>;

Status VisitActivations(const Graph& graph, ModelSession& session,
                        const std::vector<int>& recorded,
                        const std::vector<CalibrationSample>& samples,
                        const ActivationVisitor& visit) {
  for (const CalibrationSample& sample : samples) {
    for (int input : graph.inputs) {
      if (graph.tensors[input].dtype != DType::kFloat32) continue;
      const std::vector<float> values = sample.at(graph.tensors[input].name).Values<float>();
      TMM_RETURN_IF_ERROR(visit(input, values.data(), values.size()));
    }
    TMM_ASSIGN_OR_RETURN(std::vector<TensorDef> outputs, session.Run(sample));
    for (size_t k = 0; k < outputs.size(); ++k) {
      const std::vector<float> values = outputs[k].Values<float>();
      TMM_RETURN_IF_ERROR(visit(recorded[k], values.data(), values.size()));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::map<int, TensorRange>> CalibrateRanges(const Graph& graph,
                                                   const std::vector<CalibrationSample>& samples,
                                                   const QuantizeOptions& options) {
  TMM_RETURN_IF_ERROR(CheckSamples(graph, samples));
  if (options.method == CalibrationMethod::kPercentile &&
      !(options.percentile > 0.0 && options.percentile <= 100.0))
    return Status::Error(StatusCode::kInvalidArgument,
                         "calibration percentile %g is outside (0, 100]: pass e.g. 99.99",
                         options.percentile);

  // The float model with every float activation as an output.
  Graph instrumented = graph;
  std::vector<int> recorded;
  for (const OpDef& op : graph.ops)
    for (int output : op.outputs)
      if (graph.tensors[output].dtype == DType::kFloat32) recorded.push_back(output);
  instrumented.outputs = recorded;
  TMM_ASSIGN_OR_RETURN(std::unique_ptr<ModelSession> session,
                       ModelSession::FromGraph(instrumented, KernelSet::kReference));

  std::map<int, TensorRange> ranges;
  TMM_RETURN_IF_ERROR(VisitActivations(
      graph, *session, recorded, samples,
      [&](int tensor, const float* values, size_t count) -> Status {
        auto [entry, first] = ranges.try_emplace(tensor);
        TensorRange& range = entry->second;
        for (size_t i = 0; i < count; ++i) {
          if (!std::isfinite(values[i]))
            return Status::Error(StatusCode::kInvalidArgument,
                                 "tensor '%s' took the non-finite value %g during calibration: "
                                 "check the calibration samples and the float model",
                                 graph.tensors[tensor].name.c_str(), values[i]);
          if (first && i == 0) range.min = range.max = values[i];
          range.min = std::min(range.min, values[i]);
          range.max = std::max(range.max, values[i]);
        }
        return Status::Ok();
      }));
  if (options.method == CalibrationMethod::kMinMax) return ranges;

  // Second pass: histograms of |x| on [0, max|x|] to find the percentile.
  std::map<int, std::vector<int64_t>> histograms;
  TMM_RETURN_IF_ERROR(VisitActivations(
      graph, *session, recorded, samples,
      [&](int tensor, const float* values, size_t count) -> Status {
        const TensorRange& range = ranges[tensor];
        const float max_abs = std::max(std::abs(range.min), std::abs(range.max));
        std::vector<int64_t>& histogram = histograms[tensor];
        histogram.resize(kHistogramBins);
        for (size_t i = 0; i < count; ++i) {
          const int bin = max_abs > 0 ? static_cast<int>(std::abs(values[i]) / max_abs *
                                                         kHistogramBins)
                                      : 0;
          ++histogram[std::min(bin, kHistogramBins - 1)];
        }
        return Status::Ok();
      }));
  for (auto& [tensor, range] : ranges) {
    const std::vector<int64_t>& histogram = histograms[tensor];
    int64_t total = 0;
    for (int64_t count : histogram) total += count;
    const double target = std::ceil(static_cast<double>(total) * options.percentile / 100.0);
    int64_t cumulative = 0;
    int bin = 0;
    while (bin < kHistogramBins - 1 && static_cast<double>(cumulative + histogram[bin]) < target)
      cumulative += histogram[bin++];
    const float max_abs = std::max(std::abs(range.min), std::abs(range.max));
    const float bound = max_abs * static_cast<float>(bin + 1) / kHistogramBins;
    range.min = std::max(range.min, -bound);
    range.max = std::min(range.max, bound);
  }
  return ranges;
}

}  // namespace tinymlops::toolchain
