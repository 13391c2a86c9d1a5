// `tinymlops model quantize IN.tmm --calibration [NAME=]FILE.npy -o OUT.tmm`: post-training int8
// quantization calibrated on sample inputs. A calibration file holds one sample of its input's
// shape, or N samples stacked on a new leading axis, or (for an input whose first dimension is
// 1) N samples stacked along that first dimension.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cli/command_output.h"
#include "cli/input_files.h"
#include "cli/model_commands.h"
#include "cli/model_loader.h"
#include "cli/tensor_description.h"
#include "toolchain/graph/tmm_writer.h"
#include "toolchain/io/file_io.h"
#include "toolchain/io/npy.h"
#include "toolchain/quantize/quantizer.h"

namespace tinymlops::cli {
namespace {

struct QuantizeArguments {
  std::string input_path;
  std::string output_path;
  std::vector<std::string> calibration;  // [NAME=]FILE.npy
  std::string method = "minmax";
  double percentile = 99.99;
  bool json = false;
};

// Splits the calibration `data` for graph input `input` into samples of the input's shape.
Result<std::vector<toolchain::TensorDef>> SplitSamples(const toolchain::TensorDef& input,
                                                       const toolchain::TensorDef& data,
                                                       const std::string& path) {
  if (input.dtype != runtime::DType::kFloat32 || data.dtype != runtime::DType::kFloat32)
    return Status::Error(StatusCode::kInvalidArgument,
                         "calibration for input '%s' must be float: the input is %s and '%s' "
                         "holds %s",
                         input.name.c_str(), runtime::DTypeName(input.dtype), path.c_str(),
                         runtime::DTypeName(data.dtype));
  const std::vector<int32_t>& shape = input.shape;
  const std::vector<int32_t>& file_shape = data.shape;
  const auto tail_matches = [&](size_t skip_file, size_t skip_input) {
    return std::equal(file_shape.begin() + skip_file, file_shape.end(), shape.begin() + skip_input,
                      shape.end());
  };
  int64_t count = 0;
  if (file_shape == shape) {
    count = 1;
  } else if (file_shape.size() == shape.size() + 1 && tail_matches(1, 0)) {
    count = file_shape[0];
  } else if (!shape.empty() && shape[0] == 1 && file_shape.size() == shape.size() &&
             tail_matches(1, 1)) {
    count = file_shape[0];
  } else {
    const std::string stacked = shape.empty() ? "[N]" : "[N, " + ShapeText(shape).substr(1);
    return Status::Error(StatusCode::kInvalidArgument,
                         "'%s' has shape %s; input '%s' takes one sample of shape %s, or N "
                         "stacked as %s",
                         path.c_str(), ShapeText(file_shape).c_str(), input.name.c_str(),
                         ShapeText(shape).c_str(), stacked.c_str());
  }
  if (count == 0)
    return Status::Error(StatusCode::kInvalidArgument, "'%s' holds no calibration samples",
                         path.c_str());
  const size_t sample_bytes = static_cast<size_t>(input.ElementCount()) * sizeof(float);
  std::vector<toolchain::TensorDef> samples;
  for (int64_t i = 0; i < count; ++i) {
    toolchain::TensorDef sample;
    sample.name = input.name;
    sample.dtype = runtime::DType::kFloat32;
    sample.shape = shape;
    sample.is_constant = true;
    sample.data.assign(data.data.begin() + i * sample_bytes,
                       data.data.begin() + (i + 1) * sample_bytes);
    samples.push_back(std::move(sample));
  }
  return samples;
}

Result<std::vector<toolchain::CalibrationSample>> ReadCalibration(
    const toolchain::Graph& graph, const std::vector<std::string>& arguments) {
  std::vector<std::string> input_names;
  for (int index : graph.inputs) input_names.push_back(graph.tensors[index].name);
  TMM_ASSIGN_OR_RETURN(auto files, BindInputFiles(arguments, input_names, "--calibration"));
  std::vector<toolchain::CalibrationSample> samples;
  for (int index : graph.inputs) {
    const toolchain::TensorDef& input = graph.tensors[index];
    const std::string& path = files[input.name];
    TMM_ASSIGN_OR_RETURN(toolchain::TensorDef data, toolchain::ReadNpyFile(path));
    TMM_ASSIGN_OR_RETURN(std::vector<toolchain::TensorDef> split, SplitSamples(input, data, path));
    if (samples.empty()) samples.resize(split.size());
    if (split.size() != samples.size())
      return Status::Error(StatusCode::kInvalidArgument,
                           "'%s' holds %zu samples but the other calibration files hold %zu; "
                           "give every input the same number",
                           path.c_str(), split.size(), samples.size());
    for (size_t i = 0; i < split.size(); ++i) samples[i][input.name] = std::move(split[i]);
  }
  return samples;
}

Status Quantize(const QuantizeArguments& arguments) {
  TMM_ASSIGN_OR_RETURN(toolchain::Graph graph, ReadModelGraph(arguments.input_path));
  TMM_ASSIGN_OR_RETURN(std::vector<toolchain::CalibrationSample> samples,
                       ReadCalibration(graph, arguments.calibration));
  toolchain::QuantizeOptions options;
  options.method = arguments.method == "percentile" ? toolchain::CalibrationMethod::kPercentile
                                                    : toolchain::CalibrationMethod::kMinMax;
  options.percentile = arguments.percentile;
  auto quantized = toolchain::QuantizeGraph(graph, samples, options);
  if (!quantized.ok())
    return WithContext("cannot quantize '" + arguments.input_path + "'", quantized.status());
  auto bytes = toolchain::WriteTmm(*quantized);
  if (!bytes.ok())
    return WithContext("cannot write the quantized '" + arguments.input_path + "'", bytes.status());
  TMM_RETURN_IF_ERROR(
      toolchain::WriteFileAtomically(arguments.output_path, bytes->data(), bytes->size()));

  JsonValue report = JsonValue::Object();
  report.Set("output", arguments.output_path);
  report.Set("samples", samples.size());
  report.Set("method", arguments.method);
  if (options.method == toolchain::CalibrationMethod::kPercentile)
    report.Set("percentile", arguments.percentile);
  report.Set("op_count", quantized->ops.size());
  report.Set("bytes", bytes->size());
  PrintReport(report, arguments.json);
  return Status::Ok();
}

}  // namespace

void AddModelQuantizeCommand(CLI::App& model, Status& outcome) {
  auto arguments = std::make_shared<QuantizeArguments>();
  CLI::App* command = model.add_subcommand(
      "quantize", "Quantize a float .tmm model to int8, calibrated on sample inputs");
  command->add_option("IN.tmm", arguments->input_path, "Float model to quantize")->required();
  command->add_option("-o,--output", arguments->output_path, "The int8 .tmm file to write")
      ->required();
  command
      ->add_option("--calibration", arguments->calibration,
                   "[NAME=]FILE.npy: samples for input NAME, one sample or N stacked on a "
                   "leading axis (one per input; NAME= optional for one-input models)")
      ->allow_extra_args(false);
  command->add_option("--method", arguments->method, "Activation range: minmax or percentile")
      ->check(CLI::IsMember({"minmax", "percentile"}))
      ->capture_default_str();
  command
      ->add_option("--percentile", arguments->percentile,
                   "With --method percentile: the |x| percentile bounding each range")
      ->check(CLI::Range(50.0, 100.0))
      ->capture_default_str();
  command->add_flag("--json", arguments->json, "Print the report as JSON");
  command->callback([arguments, &outcome] { outcome = Quantize(*arguments); });
}

}  // namespace tinymlops::cli
