// OnnxNode: what an op converter sees of one ONNX node while the importer builds the Graph:
// its resolved inputs (tensor indices), typed attribute access, and ways to define its outputs
// (a new tensor produced by a tmm op, a constant computed at import, or an alias of an existing
// tensor). Every error it returns starts with "ONNX node 'NAME' (OP_TYPE): ".
//
// OnnxImportState is the importer's state shared by all nodes: the Graph under construction,
// the binding of ONNX value names to tensor indices, the model's opset and the options.
// Not thread-safe.
#ifndef TINYMLOPS_TOOLCHAIN_ONNX_ONNX_NODE_H_
#define TINYMLOPS_TOOLCHAIN_ONNX_ONNX_NODE_H_

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "runtime/status.h"
#include "toolchain/graph/graph.h"
#include "toolchain/onnx/onnx_importer.h"

namespace tinymlops::toolchain {

struct OnnxImportState {
  Graph graph;
  std::map<std::string, int> tensor_by_name;  // ONNX value name -> tensor index
  int opset = 0;
  OnnxImportOptions options;
};

class OnnxNode {
 public:
  OnnxNode(const onnx::NodeProto& proto, OnnxImportState& state);

  // Resolves the input names; an error names the first input no earlier node, initializer or
  // graph input defines. Must succeed before any other call.
  Status ResolveInputs();

  const std::string& op_type() const { return proto_.op_type(); }
  const std::string& name() const { return name_; }
  int opset() const { return state_.opset; }
  Graph& graph() { return state_.graph; }

  // An error whose message is prefixed with the node's name and op type.
  Status Error(StatusCode code, const char* format, ...) const
      __attribute__((format(printf, 3, 4)));
  // OK when the node has between the given numbers of inputs and outputs (counting absent
  // optional ones) and its first `min_inputs` inputs are present.
  Status CheckArity(int min_inputs, int max_inputs, int min_outputs, int max_outputs) const;

  // ---- inputs
  int input_count() const { return static_cast<int>(inputs_.size()); }
  // Tensor index of input `i`, or -1 when it is absent (empty name or beyond the count).
  int Input(int i) const { return i < input_count() ? inputs_[i] : -1; }
  // The tensor of input `i`, which must be present.
  const TensorDef& InputTensor(int i) const { return state_.graph.tensors[inputs_[i]]; }
  // The constant tensor of input `i`; an error, naming `role` and suggesting the binding in
  // OnnxImportOptions::constant_inputs, when it is absent or not constant.
  Result<const TensorDef*> ConstantInput(int i, const char* role) const;
  // Scalar or one-element constant input `i` converted to float (for scales, clip bounds...).
  Result<float> ScalarInput(int i, const char* role) const;

  // ---- attributes (an attribute of the wrong type is an error; an absent one is the default)
  const onnx::AttributeProto* FindAttribute(const char* name) const;
  Result<int64_t> IntAttribute(const char* name, int64_t default_value) const;
  Result<float> FloatAttribute(const char* name, float default_value) const;
  Result<std::vector<int64_t>> IntsAttribute(const char* name) const;  // empty when absent
  Result<std::string> StringAttribute(const char* name, const std::string& default_value) const;

  // ---- outputs
  int output_count() const { return proto_.output_size(); }
  bool HasOutput(int i) const { return i < output_count() && !proto_.output(i).empty(); }
  // A new activation tensor named after output `i` (which must be present), bound to it.
  int AddOutput(int i, DType dtype, std::vector<int32_t> shape);
  // Binds output `i` to the constant `value` (renamed after the output); returns its index.
  int AddConstantOutput(int i, TensorDef value);
  // Binds output `i` to the existing tensor `tensor` (Identity-like nodes).
  void BindOutput(int i, int tensor);
  // Appends a tmm op named after this node.
  void AddOp(tmm::OpType type, std::vector<int> inputs, std::vector<int> outputs,
             tmm::OpOptionsUnion options = {});

 private:
  const onnx::NodeProto& proto_;
  OnnxImportState& state_;
  std::string name_;
  std::vector<int> inputs_;
};

}  // namespace tinymlops::toolchain

#endif  // TINYMLOPS_TOOLCHAIN_ONNX_ONNX_NODE_H_
