// Importing an ONNX model (opset 11 to 17, float or QDQ-quantized) into a toolchain Graph.
//
// The importer resolves every shape statically (the runtime has no dynamic shapes), folds
// constants (subgraphs whose inputs are all initializers), folds BatchNormalization into a
// preceding Conv, Gemm or MatMul (else lowers it to a per-channel scale and shift), lowers
// Flatten to Reshape, and turns QDQ patterns and QLinearConv/QLinearMatMul into int8 ops.
// Graph inputs listed in `constant_inputs` are bound to the given values and become constants
// (for inputs such as a Reshape shape that this static runtime needs at import time).
//
// Errors: an unsupported op names the op and the node; a malformed protobuf, a dynamic dimension
// without a binding, or an out-of-range opset is a one-line error saying what to do.
// Thread-safety: pure functions.
#ifndef TINYMLOPS_TOOLCHAIN_ONNX_ONNX_IMPORTER_H_
#define TINYMLOPS_TOOLCHAIN_ONNX_ONNX_IMPORTER_H_

#include <map>
#include <string>

#include "runtime/status.h"
#include "toolchain/graph/graph.h"

namespace tinymlops::toolchain {

struct OnnxImportOptions {
  // Graph input name -> constant value to bind it to (shape and dtype must match the input).
  std::map<std::string, TensorDef> constant_inputs;
  // Value for every symbolic or unknown dimension of the graph inputs (e.g. batch).
  int32_t default_dynamic_dim = 1;
  // Metadata written into the model.
  std::string name;     // default: the ONNX graph name
  std::string version;  // default: "1.0.0"
};

// Imports the serialized ONNX ModelProto `model_bytes`.
Result<Graph> ImportOnnx(const std::string& model_bytes, const OnnxImportOptions& options);

// Reads the .onnx file at `path` and imports it; an unreadable file is an I/O error naming it.
Result<Graph> ImportOnnxFile(const std::string& path, const OnnxImportOptions& options);

}  // namespace tinymlops::toolchain

#endif  // TINYMLOPS_TOOLCHAIN_ONNX_ONNX_IMPORTER_H_
