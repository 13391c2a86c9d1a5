// Compares tinymlops with ONNX Runtime on random ONNX models that nobody here wrote
// (tests/conformance/make_random_models.py, outputs by bench/peer/ort_run.js).
//
// Usage: random_models_vs_ort MODELS_DIR
//
// Each MODELS_DIR/model_*/model.onnx is imported, run with the reference and the optimized kernels
// on input_J.npy, and every output is compared with ort_output_J.npy (rtol 1e-4, atol 1e-5;
// integers exact), plus the slack of one quantization step per requantizing op where quantized
// ops feed the output: tinymlops requantizes in TFLite's integer fixed point (bit-exact on every
// machine, docs/determinism.md), ONNX Runtime in float32, so values close to a rounding
// tie may land one step apart (quantization_slack.h); two steps still fail. Prints one line per
// mismatching model with its ops and the reason, ends with `passed N/M`, and exits non-zero on any
// mismatch.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "conformance_case.h"
#include "onnx_tensor_file.h"
#include "quantization_slack.h"
#include "toolchain/io/file_io.h"
#include "toolchain/io/npy.h"

namespace tinymlops::conformance {
namespace {

namespace fs = std::filesystem;
using toolchain::TensorDef;

const Tolerance kOrtTolerance = {1e-4, 1e-5};

// "opset 13: Conv(group=2) -> Relu", for routing a failure.
std::string Describe(const onnx::ModelProto& model) {
  std::string text = "opset " + std::to_string(model.opset_import(0).version()) + ":";
  for (const onnx::NodeProto& node : model.graph().node()) {
    text += " " + node.op_type();
    std::string attributes;
    for (const onnx::AttributeProto& attribute : node.attribute()) {
      if (attribute.type() != onnx::AttributeProto::INTS &&
          attribute.type() != onnx::AttributeProto::INT &&
          attribute.type() != onnx::AttributeProto::STRING)
        continue;
      attributes += (attributes.empty() ? "" : ",") + attribute.name() + "=";
      if (attribute.type() == onnx::AttributeProto::INT)
        attributes += std::to_string(attribute.i());
      else if (attribute.type() == onnx::AttributeProto::STRING)
        attributes += attribute.s();
      else
        for (int i = 0; i < attribute.ints_size(); ++i)
          attributes += (i ? "x" : "") + std::to_string(attribute.ints(i));
    }
    if (!attributes.empty()) text += "(" + attributes + ")";
  }
  return text;
}

Status CheckModel(const fs::path& model_dir, const onnx::ModelProto& model) {
  ConformanceCase conformance_case;
  conformance_case.tolerance = kOrtTolerance;
  TMM_ASSIGN_OR_RETURN(conformance_case.quantization_slack, QuantizationSlack(model));
  TMM_ASSIGN_OR_RETURN(conformance_case.model_bytes,
                       toolchain::ReadFile((model_dir / "model.onnx").string()));
  std::vector<std::string> initializers;
  for (const onnx::TensorProto& initializer : model.graph().initializer())
    initializers.push_back(initializer.name());
  int input_index = 0;
  for (const onnx::ValueInfoProto& input : model.graph().input()) {
    if (std::find(initializers.begin(), initializers.end(), input.name()) != initializers.end())
      continue;
    fs::path path = model_dir / ("input_" + std::to_string(input_index++) + ".npy");
    TMM_ASSIGN_OR_RETURN(TensorDef tensor, toolchain::ReadNpyFile(path.string()));
    tensor.name = input.name();
    conformance_case.inputs[input.name()] = std::move(tensor);
  }
  for (int j = 0; j < model.graph().output_size(); ++j) {
    fs::path path = model_dir / ("ort_output_" + std::to_string(j) + ".npy");
    TMM_ASSIGN_OR_RETURN(TensorDef tensor, toolchain::ReadNpyFile(path.string()));
    tensor.name = model.graph().output(j).name();
    conformance_case.expected_outputs.push_back(std::move(tensor));
  }
  return CheckConformanceCase(conformance_case);
}

int Main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s MODELS_DIR\n", argv[0]);
    return 2;
  }
  if (!fs::is_directory(argv[1])) {
    std::fprintf(stderr,
                 "%s is not a directory; make it with tests/conformance/make_random_models.py "
                 "and bench/peer/ort_run.js\n",
                 argv[1]);
    return 2;
  }
  std::vector<fs::path> model_dirs;
  for (const fs::directory_entry& entry : fs::directory_iterator(argv[1]))
    if (fs::exists(entry.path() / "model.onnx")) model_dirs.push_back(entry.path());
  std::sort(model_dirs.begin(), model_dirs.end());

  int passed = 0;
  for (const fs::path& model_dir : model_dirs) {
    std::string name = model_dir.filename().string();
    Result<onnx::ModelProto> model = ReadModelProtoFile((model_dir / "model.onnx").string());
    Status status = model.ok() ? CheckModel(model_dir, *model) : model.status();
    if (status.ok()) {
      ++passed;
      continue;
    }
    std::printf("FAIL %s [%s]: %s\n", name.c_str(),
                model.ok() ? Describe(*model).c_str() : "unreadable", status.message());
  }
  std::printf("passed %d/%zu\n", passed, model_dirs.size());
  return !model_dirs.empty() && passed == static_cast<int>(model_dirs.size()) ? 0 : 1;
}

}  // namespace
}  // namespace tinymlops::conformance

int main(int argc, char** argv) { return tinymlops::conformance::Main(argc, argv); }
