#include "toolchain/onnx/onnx_tensor.h"

#include <cstring>
#include <limits>

namespace tinymlops::toolchain {
namespace {

// Copies `values` (the typed field of `proto`) into `tensor` converted to element type T.
template <typename T, typename Field>
Status CopyTypedField(const Field& values, TensorDef& tensor) {
  const int64_t count = tensor.ElementCount();
  if (values.size() != count)
    return Status::Error(StatusCode::kInvalidArgument,
                         "ONNX tensor '%s' holds %d values but its dims need %lld",
                         tensor.name.c_str(), values.size(), static_cast<long long>(count));
  std::vector<T> converted(values.begin(), values.end());
  tensor.SetValues(converted);
  return Status::Ok();
}

}  // namespace

Result<DType> DTypeFromOnnx(int32_t elem_type, const std::string& what) {
  switch (elem_type) {
    case onnx::TensorProto::FLOAT:
      return DType::kFloat32;
    case onnx::TensorProto::INT8:
      return DType::kInt8;
    case onnx::TensorProto::UINT8:
      return DType::kUInt8;
    case onnx::TensorProto::INT32:
      return DType::kInt32;
    case onnx::TensorProto::INT64:
      return DType::kInt64;
    default:
      break;
  }
  const char* type_name = onnx::TensorProto::DataType_IsValid(elem_type)
                              ? onnx::TensorProto::DataType_Name(elem_type).c_str()
                              : "an unknown element type";
  return Status::Error(StatusCode::kUnsupported,
                       "ONNX tensor '%s' has element type %s (%d); tinymlops supports float, "
                       "int8, uint8, int32 and int64: convert the model's tensors to one of these",
                       what.c_str(), type_name, elem_type);
}

int32_t OnnxElementType(DType dtype) {
  switch (dtype) {
    case DType::kFloat32:
      return onnx::TensorProto::FLOAT;
    case DType::kInt8:
      return onnx::TensorProto::INT8;
    case DType::kUInt8:
      return onnx::TensorProto::UINT8;
    case DType::kInt32:
      return onnx::TensorProto::INT32;
    case DType::kInt64:
      return onnx::TensorProto::INT64;
  }
  return onnx::TensorProto::UNDEFINED;
}

Result<std::vector<int32_t>> ShapeFromOnnxDims(const std::vector<int64_t>& dims,
                                               const std::string& what) {
  if (dims.size() > static_cast<size_t>(runtime::kMaxRank))
    return Status::Error(StatusCode::kUnsupported,
                         "tensor '%s' has rank %zu; tinymlops supports rank up to %d", what.c_str(),
                         dims.size(), runtime::kMaxRank);
  std::vector<int32_t> shape;
  int64_t count = 1;
  for (int64_t dim : dims) {
    if (dim < 0 || dim > kMaxOnnxTensorElements)
      return Status::Error(StatusCode::kInvalidArgument,
                           "tensor '%s' has dimension %lld, outside [0, %lld]", what.c_str(),
                           static_cast<long long>(dim),
                           static_cast<long long>(kMaxOnnxTensorElements));
    count *= dim;
    if (count > kMaxOnnxTensorElements)
      return Status::Error(StatusCode::kUnsupported, "tensor '%s' has more than %lld elements",
                           what.c_str(), static_cast<long long>(kMaxOnnxTensorElements));
    shape.push_back(static_cast<int32_t>(dim));
  }
  return shape;
}

Result<TensorDef> TensorFromOnnx(const onnx::TensorProto& proto, const std::string& name) {
  TensorDef tensor;
  tensor.name = name;
  if (proto.data_location() == onnx::TensorProto::EXTERNAL)
    return Status::Error(StatusCode::kUnsupported,
                         "ONNX tensor '%s' stores its data in an external file, which tinymlops "
                         "does not read: re-save the model with all tensors inside it",
                         name.c_str());
  TMM_ASSIGN_OR_RETURN(tensor.dtype, DTypeFromOnnx(proto.data_type(), name));
  TMM_ASSIGN_OR_RETURN(tensor.shape,
                       ShapeFromOnnxDims({proto.dims().begin(), proto.dims().end()}, name));
  tensor.is_constant = true;
  const size_t bytes =
      static_cast<size_t>(tensor.ElementCount()) * runtime::DTypeSize(tensor.dtype);
  if (proto.has_raw_data()) {
    if (proto.raw_data().size() != bytes)
      return Status::Error(StatusCode::kInvalidArgument,
                           "ONNX tensor '%s' has %zu bytes of raw data but its dims and type "
                           "need %zu",
                           name.c_str(), proto.raw_data().size(), bytes);
    tensor.data.assign(proto.raw_data().begin(), proto.raw_data().end());
    return tensor;
  }
  switch (tensor.dtype) {
    case DType::kFloat32:
      TMM_RETURN_IF_ERROR(CopyTypedField<float>(proto.float_data(), tensor));
      break;
    case DType::kInt8:
      TMM_RETURN_IF_ERROR(CopyTypedField<int8_t>(proto.int32_data(), tensor));
      break;
    case DType::kUInt8:
      TMM_RETURN_IF_ERROR(CopyTypedField<uint8_t>(proto.int32_data(), tensor));
      break;
    case DType::kInt32:
      TMM_RETURN_IF_ERROR(CopyTypedField<int32_t>(proto.int32_data(), tensor));
      break;
    case DType::kInt64:
      TMM_RETURN_IF_ERROR(CopyTypedField<int64_t>(proto.int64_data(), tensor));
      break;
  }
  return tensor;
}

}  // namespace tinymlops::toolchain
