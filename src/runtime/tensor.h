// Tensor: the runtime's view of one tensor of a loaded model: dtype, static shape, quantization
// and a pointer to its bytes (constant data inside the model buffer, or a slice of the arena).
// Tensors are owned by the Interpreter; kernels receive pointers to them. Not thread-safe.
#ifndef TINYMLOPS_RUNTIME_TENSOR_H_
#define TINYMLOPS_RUNTIME_TENSOR_H_

#include <cstddef>
#include <cstdint>

namespace tinymlops::runtime {

constexpr int kMaxRank = 6;

enum class DType : uint8_t { kFloat32 = 0, kInt8 = 1, kUInt8 = 2, kInt32 = 3, kInt64 = 4 };

// Bytes of one element of `dtype`.
size_t DTypeSize(DType dtype);
// "float32", "int8", ...
const char* DTypeName(DType dtype);

struct Shape {
  int rank = 0;
  int32_t dims[kMaxRank] = {};

  int64_t ElementCount() const {
    int64_t n = 1;
    for (int i = 0; i < rank; ++i) n *= dims[i];
    return n;
  }
  int32_t Dim(int i) const { return dims[i]; }
  bool operator==(const Shape& other) const {
    if (rank != other.rank) return false;
    for (int i = 0; i < rank; ++i)
      if (dims[i] != other.dims[i]) return false;
    return true;
  }
  bool operator!=(const Shape& other) const { return !(*this == other); }
};

// Affine quantization: real = scale[i] * (q - zero_point[i]). Pointers into the model buffer.
// count == 0 means "not quantized"; count == 1 is per-tensor; otherwise per-channel on `axis`.
struct QuantParams {
  const float* scale = nullptr;
  const int32_t* zero_point = nullptr;
  int count = 0;
  int axis = -1;

  bool IsQuantized() const { return count > 0; }
  bool IsPerTensor() const { return count == 1; }
};

struct Tensor {
  const char* name = "";  // points into the model buffer
  DType dtype = DType::kFloat32;
  Shape shape;
  QuantParams quant;
  void* data = nullptr;   // constant data (read-only) or arena memory
  size_t bytes = 0;       // ElementCount() * DTypeSize(dtype)
  bool is_constant = false;

  template <typename T>
  T* Data() { return static_cast<T*>(data); }
  template <typename T>
  const T* Data() const { return static_cast<const T*>(data); }
  int64_t ElementCount() const { return shape.ElementCount(); }
};

}  // namespace tinymlops::runtime

#endif  // TINYMLOPS_RUNTIME_TENSOR_H_
