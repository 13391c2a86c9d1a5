#include "conformance_case.h"

#include <memory>

#include "toolchain/graph/model_session.h"
#include "toolchain/onnx/onnx_importer.h"

namespace tinymlops::conformance {
namespace {

using toolchain::KernelSet;
using toolchain::ModelSession;
using toolchain::TensorDef;

Status Prefixed(const char* step, const char* kernels, const Status& status) {
  return Status::Error(status.code(), "%s%s%s: %s: %s", step, kernels[0] ? " with " : "", kernels,
                       StatusCodeName(status.code()), status.message());
}

Status RunWithKernels(const toolchain::Graph& graph, KernelSet kernel_set,
                      const ConformanceCase& conformance_case) {
  const char* kernels =
      kernel_set == KernelSet::kReference ? "reference kernels" : "optimized kernels";
  Result<std::unique_ptr<ModelSession>> session = ModelSession::FromGraph(graph, kernel_set);
  if (!session.ok()) return Prefixed("load", kernels, session.status());
  Result<std::vector<TensorDef>> outputs = (*session)->Run(conformance_case.inputs);
  if (!outputs.ok()) return Prefixed("run", kernels, outputs.status());
  const std::vector<TensorDef>& expected = conformance_case.expected_outputs;
  if (outputs->size() != expected.size()) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "%s: the model has %zu outputs, expected %zu", kernels, outputs->size(),
                         expected.size());
  }
  for (size_t i = 0; i < expected.size(); ++i) {
    Tolerance tolerance = conformance_case.tolerance;
    if (i < conformance_case.quantization_slack.size())
      tolerance.quantization_slack = conformance_case.quantization_slack[i];
    Status match = MatchTensor((*outputs)[i], expected[i], tolerance);
    if (!match.ok()) {
      return Status::Error(StatusCode::kInvalidArgument, "output %zu with %s: %s", i, kernels,
                           match.message());
    }
  }
  return Status::Ok();
}

}  // namespace

Status CheckConformanceCase(const ConformanceCase& conformance_case) {
  toolchain::OnnxImportOptions options;
  options.constant_inputs = conformance_case.constant_inputs;
  Result<toolchain::Graph> graph = toolchain::ImportOnnx(conformance_case.model_bytes, options);
  if (!graph.ok()) return Prefixed("import", "", graph.status());
  for (KernelSet kernel_set : {KernelSet::kReference, KernelSet::kOptimized})
    TMM_RETURN_IF_ERROR(RunWithKernels(*graph, kernel_set, conformance_case));
  return Status::Ok();
}

}  // namespace tinymlops::conformance
