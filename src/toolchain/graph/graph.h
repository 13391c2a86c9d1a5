// Graph: the toolchain's editable, in-memory form of a model. The importers build it, the
// passes (constant folding, BatchNorm folding, quantization) rewrite it, and the .tmm writer
// serializes it (toolchain/graph/tmm_writer.h). Op options use the flatbuffers object API types
// generated from format/tmm.fbs, so the IR and the file can never disagree on an attribute.
//
// Tensors are referred to by index; an op input of -1 is an absent optional input. Ops are kept
// in execution order. Host-only code: may allocate freely. Not thread-safe.
#ifndef TINYMLOPS_TOOLCHAIN_GRAPH_GRAPH_H_
#define TINYMLOPS_TOOLCHAIN_GRAPH_GRAPH_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "format/tmm_generated.h"
#include "runtime/tensor.h"

namespace tinymlops::toolchain {

using runtime::DType;

struct QuantInfo {
  std::vector<float> scale;        // empty: not quantized
  std::vector<int32_t> zero_point; // same size as scale
  int axis = -1;                   // per-channel axis when scale.size() > 1

  bool IsQuantized() const { return !scale.empty(); }
};

struct TensorDef {
  std::string name;
  DType dtype = DType::kFloat32;
  std::vector<int32_t> shape;
  QuantInfo quant;
  bool is_constant = false;
  std::vector<uint8_t> data;  // constant bytes, little-endian; empty unless is_constant

  int64_t ElementCount() const {
    int64_t n = 1;
    for (int32_t d : shape) n *= d;
    return n;
  }
  // Typed copies of / assignment to constant data.
  template <typename T>
  std::vector<T> Values() const {
    std::vector<T> values(data.size() / sizeof(T));
    if (!values.empty()) std::memcpy(values.data(), data.data(), values.size() * sizeof(T));
    return values;
  }
  template <typename T>
  void SetValues(const std::vector<T>& values) {
    data.resize(values.size() * sizeof(T));
    if (!values.empty()) std::memcpy(data.data(), values.data(), data.size());
    is_constant = true;
  }
};

struct OpDef {
  tmm::OpType type = tmm::OpType::Conv;
  std::string name;             // source node name, kept for error messages
  std::vector<int> inputs;      // tensor indices, -1 for absent optional inputs
  std::vector<int> outputs;
  tmm::OpOptionsUnion options;  // object-API options; type NONE when the op has none
};

struct Graph {
  std::string name;
  std::string version = "1.0.0";
  std::string description;
  std::string source;           // e.g. "onnx opset 13"
  std::vector<TensorDef> tensors;
  std::vector<OpDef> ops;       // execution order
  std::vector<int> inputs;
  std::vector<int> outputs;

  int AddTensor(TensorDef tensor) {
    tensors.push_back(std::move(tensor));
    return static_cast<int>(tensors.size()) - 1;
  }
  // Index of the tensor named `name`, or -1.
  int FindTensor(const std::string& tensor_name) const {
    for (size_t i = 0; i < tensors.size(); ++i)
      if (tensors[i].name == tensor_name) return static_cast<int>(i);
    return -1;
  }
};

}  // namespace tinymlops::toolchain

#endif  // TINYMLOPS_TOOLCHAIN_GRAPH_GRAPH_H_
