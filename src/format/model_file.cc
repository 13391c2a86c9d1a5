#include "format/model_file.h"

#include <cstring>

#include "flatbuffers/flatbuffers.h"

namespace tinymlops::format {
namespace {

constexpr int kMaxRank = 6;  // matches runtime::kMaxRank

size_t ElementSize(tmm::DType dtype) {
  switch (dtype) {
    case tmm::DType::Float32:
      return 4;
    case tmm::DType::Int8:
      return 1;
    case tmm::DType::UInt8:
      return 1;
    case tmm::DType::Int32:
      return 4;
    case tmm::DType::Int64:
      return 8;
  }
  return 0;
}

Status CheckTensor(const tmm::Model& model, size_t index) {
  const tmm::Tensor* tensor = model.tensors()->Get(static_cast<flatbuffers::uoffset_t>(index));
  const char* name = tensor->name() ? tensor->name()->c_str() : "";
  const size_t element_size = ElementSize(tensor->dtype());
  if (element_size == 0)
    return Status::Error(
        StatusCode::kInvalidArgument,
        "tensor %zu '%s' has unknown dtype %d; the file is corrupt or from a newer "
        "tinymlops",
        index, name, static_cast<int>(tensor->dtype()));
  const auto* shape = tensor->shape();
  const int rank = shape ? static_cast<int>(shape->size()) : 0;
  if (rank > kMaxRank)
    return Status::Error(StatusCode::kUnsupported,
                         "tensor '%s' has rank %d; at most %d is supported", name, rank, kMaxRank);
  int64_t elements = 1;
  for (int d = 0; d < rank; ++d) {
    const int32_t dim = shape->Get(d);
    if (dim < 0)
      return Status::Error(StatusCode::kInvalidArgument, "tensor '%s' has negative dimension %d",
                           name, dim);
    elements *= dim;
    if (elements > kMaxTensorElements)
      return Status::Error(StatusCode::kOutOfRange, "tensor '%s' has more than 2^31 elements",
                           name);
  }
  if (const tmm::Quantization* quant = tensor->quantization()) {
    const size_t scales = quant->scale() ? quant->scale()->size() : 0;
    const size_t zero_points = quant->zero_point() ? quant->zero_point()->size() : 0;
    if (scales == 0)  // the writer leaves quantization out of an unquantized tensor
      return Status::Error(StatusCode::kInvalidArgument,
                           "tensor '%s' has a quantization with no scales", name);
    if (scales != zero_points)
      return Status::Error(StatusCode::kInvalidArgument,
                           "tensor '%s' has %zu scales but %zu zero points", name, scales,
                           zero_points);
    if (scales > 1) {
      const int axis = quant->axis();
      if (axis < 0 || axis >= rank || static_cast<size_t>(shape->Get(axis)) != scales)
        return Status::Error(StatusCode::kInvalidArgument,
                             "tensor '%s' has %zu per-channel scales, which do not match axis %d",
                             name, scales, axis);
    }
  }
  const uint32_t buffer = tensor->buffer();
  if (buffer != 0) {
    if (!model.buffers() || buffer >= model.buffers()->size())
      return Status::Error(StatusCode::kInvalidArgument,
                           "tensor '%s' refers to buffer %u, which does not exist", name, buffer);
    const auto* data = model.buffers()->Get(buffer)->data();
    if (!data)
      return Status::Error(StatusCode::kInvalidArgument,
                           "constant tensor '%s' refers to buffer %u, which holds no data", name,
                           buffer);
    const size_t expected = static_cast<size_t>(elements) * element_size;
    const size_t actual = data->size();
    if (actual != expected)
      return Status::Error(StatusCode::kInvalidArgument,
                           "constant tensor '%s' needs %zu bytes but its buffer holds %zu", name,
                           expected, actual);
    if (reinterpret_cast<uintptr_t>(data->data()) % 16 != 0)
      return Status::Error(StatusCode::kInvalidArgument,
                           "constant tensor '%s' is not 16-byte aligned; load the model at a "
                           "16-byte aligned address",
                           name);
  }
  return Status::Ok();
}

Status CheckTensorList(const flatbuffers::Vector<int32_t>* list, size_t tensor_count,
                       bool allow_absent, const char* what) {
  if (!list) return Status::Ok();
  for (int32_t index : *list) {
    if (index == -1 && allow_absent) continue;
    if (index < 0 || static_cast<size_t>(index) >= tensor_count)
      return Status::Error(StatusCode::kInvalidArgument,
                           "%s refers to tensor %d, but the model has %zu tensors", what, index,
                           tensor_count);
  }
  return Status::Ok();
}

// Every non-constant tensor an operator reads must be a graph input or written by an earlier
// operator; every tensor is written at most once and never a constant or a graph input.
Status CheckDataflow(const tmm::Model& model, size_t tensor_count) {
  // 0 = not yet available, 1 = available (input, constant or written).
  constexpr size_t kStackTensors = 4096;
  unsigned char stack_state[kStackTensors];
  unsigned char* state = stack_state;
  unsigned char* heap_state = nullptr;
  if (tensor_count > kStackTensors) {
    heap_state = new unsigned char[tensor_count];
    state = heap_state;
  }
  std::memset(state, 0, tensor_count);
  for (size_t i = 0; i < tensor_count; ++i)
    if (model.tensors()->Get(static_cast<flatbuffers::uoffset_t>(i))->buffer() != 0) state[i] = 1;
  if (model.inputs())
    for (int32_t index : *model.inputs()) state[index] = 1;

  Status status;
  const auto* ops = model.operators();
  for (flatbuffers::uoffset_t i = 0; ops && i < ops->size() && status.ok(); ++i) {
    const tmm::Operator* op = ops->Get(i);
    const char* op_name = op->name() ? op->name()->c_str() : "";
    if (op->inputs())
      for (int32_t index : *op->inputs()) {
        if (index >= 0 && !state[index]) {
          status = Status::Error(StatusCode::kInvalidArgument,
                                 "operator %u '%s' reads tensor %d before any operator writes it",
                                 i, op_name, index);
          break;
        }
      }
    if (status.ok() && op->outputs())
      for (int32_t index : *op->outputs()) {
        if (index < 0 || state[index]) {
          status = Status::Error(StatusCode::kInvalidArgument,
                                 "operator %u '%s' writes tensor %d, which is already defined", i,
                                 op_name, index);
          break;
        }
        state[index] = 1;
      }
  }
  if (status.ok() && model.outputs())
    for (int32_t index : *model.outputs())
      if (!state[index]) {
        status = Status::Error(StatusCode::kInvalidArgument,
                               "graph output tensor %d is never written", index);
        break;
      }
  delete[] heap_state;
  return status;
}

}  // namespace

Result<const tmm::Model*> VerifyModel(const void* data, size_t size) {
  if (data == nullptr || size < 8)
    return Status::Error(StatusCode::kInvalidArgument,
                         "the model is %zu bytes, too short to be a .tmm file", size);
  const auto* bytes = static_cast<const uint8_t*>(data);
  if (!tmm::ModelBufferHasIdentifier(bytes))
    return Status::Error(StatusCode::kInvalidArgument,
                         "not a .tmm model (file identifier is not TMM1); convert it with "
                         "'tinymlops model import'");
  flatbuffers::Verifier verifier(bytes, size, /*max_depth=*/64, /*max_tables=*/4000000);
  if (!tmm::VerifyModelBuffer(verifier))
    return Status::Error(StatusCode::kInvalidArgument,
                         "the .tmm file is corrupt or truncated (flatbuffer verification failed); "
                         "re-export it");
  const tmm::Model* model = tmm::GetModel(bytes);
  if (model->format_version() != kTmmFormatVersion)
    return Status::Error(StatusCode::kUnsupported,
                         "the .tmm file has format version %u but this build reads version %u; "
                         "re-import the model with this tinymlops",
                         model->format_version(), kTmmFormatVersion);
  if (!model->tensors())
    return Status::Error(StatusCode::kInvalidArgument, "the .tmm model has no tensor table");
  if (!model->buffers() || model->buffers()->size() == 0)
    return Status::Error(StatusCode::kInvalidArgument, "the .tmm model has no buffer table");
  const size_t tensor_count = model->tensors()->size();
  for (size_t i = 0; i < tensor_count; ++i) TMM_RETURN_IF_ERROR(CheckTensor(*model, i));
  TMM_RETURN_IF_ERROR(CheckTensorList(model->inputs(), tensor_count, false, "the graph inputs"));
  TMM_RETURN_IF_ERROR(CheckTensorList(model->outputs(), tensor_count, false, "the graph outputs"));
  if (model->operators())
    for (const tmm::Operator* op : *model->operators()) {
      TMM_RETURN_IF_ERROR(CheckTensorList(op->inputs(), tensor_count, true, "an operator input"));
      TMM_RETURN_IF_ERROR(
          CheckTensorList(op->outputs(), tensor_count, false, "an operator output"));
    }
  if (model->inputs())
    for (int32_t index : *model->inputs())
      if (model->tensors()->Get(index)->buffer() != 0)
        return Status::Error(StatusCode::kInvalidArgument, "graph input tensor %d is a constant",
                             index);
  TMM_RETURN_IF_ERROR(CheckDataflow(*model, tensor_count));
  return model;
}

}  // namespace tinymlops::format
