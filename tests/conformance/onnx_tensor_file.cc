#include "onnx_tensor_file.h"

#include <limits>
#include <vector>

#include "toolchain/io/file_io.h"

namespace tinymlops::conformance {
namespace {

using toolchain::DType;
using toolchain::TensorDef;

Result<DType> DTypeOf(int32_t onnx_type, const std::string& path) {
  switch (onnx_type) {
    case onnx::TensorProto::FLOAT:
      return DType::kFloat32;
    case onnx::TensorProto::UINT8:
      return DType::kUInt8;
    case onnx::TensorProto::INT8:
      return DType::kInt8;
    case onnx::TensorProto::INT32:
      return DType::kInt32;
    case onnx::TensorProto::INT64:
      return DType::kInt64;
    default:
      return Status::Error(StatusCode::kUnsupported,
                           "%s: ONNX dtype %s has no tinymlops runtime dtype", path.c_str(),
                           onnx::TensorProto::DataType_Name(onnx_type).c_str());
  }
}

// Copies the typed field `values` (float_data, int32_data or int64_data) into `tensor` as T.
template <typename T, typename Field>
void SetTypedValues(const Field& values, TensorDef& tensor) {
  std::vector<T> converted(values.begin(), values.end());
  tensor.SetValues(converted);
}

}  // namespace

Result<TensorDef> TensorFromProto(const onnx::TensorProto& proto, const std::string& where) {
  TensorDef tensor;
  tensor.name = proto.name();
  TMM_ASSIGN_OR_RETURN(tensor.dtype, DTypeOf(proto.data_type(), where));
  for (int64_t dim : proto.dims()) {
    if (dim < 0 || dim > std::numeric_limits<int32_t>::max())
      return Status::Error(StatusCode::kOutOfRange, "%s: dimension %lld is out of range",
                           where.c_str(), static_cast<long long>(dim));
    tensor.shape.push_back(static_cast<int32_t>(dim));
  }
  if (proto.has_raw_data()) {
    tensor.data.assign(proto.raw_data().begin(), proto.raw_data().end());
    tensor.is_constant = true;
  } else {
    switch (tensor.dtype) {
      case DType::kFloat32:
        SetTypedValues<float>(proto.float_data(), tensor);
        break;
      case DType::kUInt8:
        SetTypedValues<uint8_t>(proto.int32_data(), tensor);
        break;
      case DType::kInt8:
        SetTypedValues<int8_t>(proto.int32_data(), tensor);
        break;
      case DType::kInt32:
        SetTypedValues<int32_t>(proto.int32_data(), tensor);
        break;
      case DType::kInt64:
        SetTypedValues<int64_t>(proto.int64_data(), tensor);
        break;
    }
  }
  size_t expected_bytes =
      static_cast<size_t>(tensor.ElementCount()) * runtime::DTypeSize(tensor.dtype);
  if (tensor.data.size() != expected_bytes)
    return Status::Error(StatusCode::kInvalidArgument,
                         "%s: '%s' holds %zu bytes of data, its shape needs %zu", where.c_str(),
                         tensor.name.c_str(), tensor.data.size(), expected_bytes);
  return tensor;
}

Result<TensorDef> ReadTensorProtoFile(const std::string& path) {
  TMM_ASSIGN_OR_RETURN(std::string bytes, toolchain::ReadFile(path));
  onnx::TensorProto proto;
  if (!proto.ParseFromString(bytes))
    return Status::Error(StatusCode::kInvalidArgument, "%s is not a serialized onnx.TensorProto",
                         path.c_str());
  return TensorFromProto(proto, path);
}

Result<onnx::ModelProto> ReadModelProtoFile(const std::string& path) {
  TMM_ASSIGN_OR_RETURN(std::string bytes, toolchain::ReadFile(path));
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes))
    return Status::Error(StatusCode::kInvalidArgument, "%s is not a serialized onnx.ModelProto",
                         path.c_str());
  return model;
}

}  // namespace tinymlops::conformance
