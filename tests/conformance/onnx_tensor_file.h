// Reading the files of an ONNX test case: serialized onnx::TensorProto files (the
// input_*.pb / output_*.pb of ONNX's backend tests) as toolchain tensors, and a serialized
// onnx::ModelProto.
//
// Tensors: float32, uint8, int8, int32 and int64, from raw_data or the typed fields; other ONNX
// dtypes are kUnsupported (the runtime has no such dtype). Errors name the file (or the place
// the proto came from). This parser is
// deliberately independent of the importer's (toolchain/onnx/onnx_tensor.h): expected outputs
// must not be read by the code under test.
// Thread-safety: pure functions.
#ifndef TINYMLOPS_TESTS_CONFORMANCE_ONNX_TENSOR_FILE_H_
#define TINYMLOPS_TESTS_CONFORMANCE_ONNX_TENSOR_FILE_H_

#include <string>

#include "onnx/onnx_pb.h"
#include "runtime/status.h"
#include "toolchain/graph/graph.h"

namespace tinymlops::conformance {

// A TensorProto (e.g. an initializer) as a constant TensorDef named as in the proto; `where`
// names it in errors.
Result<toolchain::TensorDef> TensorFromProto(const onnx::TensorProto& proto,
                                             const std::string& where);
// A TensorProto file as a constant TensorDef named as in the proto.
Result<toolchain::TensorDef> ReadTensorProtoFile(const std::string& path);
Result<onnx::ModelProto> ReadModelProtoFile(const std::string& path);

}  // namespace tinymlops::conformance

#endif  // TINYMLOPS_TESTS_CONFORMANCE_ONNX_TENSOR_FILE_H_
