// ConformanceCase: one end-to-end check of tinymlops against a reference: import an ONNX model
// (binding the graph inputs that must be constants), run it with each kernel set (reference and
// optimized) on the given inputs, and match every output with the reference outputs.
//
// Errors: the first failure, prefixed with the step that failed ("import", "load", "run",
// "output N") and, after import, the kernel set. Thread-safety: pure function.
#ifndef TINYMLOPS_TESTS_CONFORMANCE_CONFORMANCE_CASE_H_
#define TINYMLOPS_TESTS_CONFORMANCE_CONFORMANCE_CASE_H_

#include <map>
#include <string>
#include <vector>

#include "runtime/status.h"
#include "tensor_match.h"
#include "toolchain/graph/graph.h"

namespace tinymlops::conformance {

struct ConformanceCase {
  std::string model_bytes;                                      // serialized onnx.ModelProto
  std::map<std::string, toolchain::TensorDef> constant_inputs;  // bound at import
  std::map<std::string, toolchain::TensorDef> inputs;           // fed at run time
  std::vector<toolchain::TensorDef> expected_outputs;           // in graph-output order
  Tolerance tolerance;
  // Per expected output: its Tolerance::quantization_slack (empty: 0 for every output).
  std::vector<double> quantization_slack;
};

Status CheckConformanceCase(const ConformanceCase& conformance_case);

}  // namespace tinymlops::conformance

#endif  // TINYMLOPS_TESTS_CONFORMANCE_CONFORMANCE_CASE_H_
