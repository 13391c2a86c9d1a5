// Converting ONNX tensors and tensor types to toolchain TensorDefs.
//
// Supported element types: FLOAT, INT8, UINT8, INT32, INT64 (the .tmm dtypes). Constant data
// may be stored in raw_data or in the typed fields (float_data, int32_data, int64_data); its
// size is checked against dims. Externally stored data is rejected.
// Errors: an unsupported element type, a negative or oversized dimension, data whose size does
// not match the dims, external data; each message names the tensor.
// Thread-safety: pure functions.
#ifndef TINYMLOPS_TOOLCHAIN_ONNX_ONNX_TENSOR_H_
#define TINYMLOPS_TOOLCHAIN_ONNX_ONNX_TENSOR_H_

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/status.h"
#include "toolchain/graph/graph.h"

namespace tinymlops::toolchain {

// Largest element count of any tensor the importer accepts (keeps byte sizes far from overflow).
constexpr int64_t kMaxOnnxTensorElements = int64_t{1} << 30;
// Largest element count of a constant the importer computes itself (ConstantOfShape, Gather,
// ...): bounds the memory a small malicious file can make the importer allocate.
constexpr int64_t kMaxComputedConstantElements = int64_t{1} << 24;

// The dtype of ONNX element type `elem_type` (TensorProto::DataType); `what` names the tensor.
Result<DType> DTypeFromOnnx(int32_t elem_type, const std::string& what);

// The ONNX element type of `dtype`.
int32_t OnnxElementType(DType dtype);

// Validates ONNX dims (each >= 0, rank <= runtime::kMaxRank, element count bounded) and
// converts them to a toolchain shape; `what` names the tensor.
Result<std::vector<int32_t>> ShapeFromOnnxDims(const std::vector<int64_t>& dims,
                                               const std::string& what);

// Converts an initializer or Constant value into a constant TensorDef named `name`.
Result<TensorDef> TensorFromOnnx(const onnx::TensorProto& proto, const std::string& name);

}  // namespace tinymlops::toolchain

#endif  // TINYMLOPS_TOOLCHAIN_ONNX_ONNX_TENSOR_H_
