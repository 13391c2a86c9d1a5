// Test helper: builds small ONNX models in C++ with the onnx protobuf classes, and runs
// imported graphs with the reference kernels. Header-only, for tests/toolchain/onnx.
#ifndef TINYMLOPS_TESTS_TOOLCHAIN_ONNX_ONNX_MODEL_BUILDER_H_
#define TINYMLOPS_TESTS_TOOLCHAIN_ONNX_ONNX_MODEL_BUILDER_H_

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "toolchain/graph/graph.h"
#include "toolchain/graph/model_session.h"
#include "toolchain/onnx/onnx_importer.h"

namespace tinymlops::toolchain::testing {

class OnnxModelBuilder {
 public:
  explicit OnnxModelBuilder(int opset = 13) {
    model_.set_ir_version(7);
    model_.set_producer_name("onnx_model_builder");
    auto* import = model_.add_opset_import();
    import->set_domain("");
    import->set_version(opset);
    model_.mutable_graph()->set_name("test_graph");
  }

  // A graph input; a negative dim is symbolic ("batch").
  OnnxModelBuilder& Input(const std::string& name, std::vector<int64_t> dims,
                          int elem_type = onnx::TensorProto::FLOAT) {
    auto* input = model_.mutable_graph()->add_input();
    input->set_name(name);
    auto* type = input->mutable_type()->mutable_tensor_type();
    type->set_elem_type(elem_type);
    auto* shape = type->mutable_shape();
    for (int64_t dim : dims) {
      if (dim < 0)
        shape->add_dim()->set_dim_param("batch");
      else
        shape->add_dim()->set_dim_value(dim);
    }
    return *this;
  }

  OnnxModelBuilder& Output(const std::string& name, int elem_type = onnx::TensorProto::FLOAT) {
    auto* output = model_.mutable_graph()->add_output();
    output->set_name(name);
    output->mutable_type()->mutable_tensor_type()->set_elem_type(elem_type);
    return *this;
  }

  template <typename T>
  static onnx::TensorProto Tensor(const std::string& name, std::vector<int64_t> dims,
                                  const std::vector<T>& values) {
    onnx::TensorProto tensor;
    tensor.set_name(name);
    for (int64_t dim : dims) tensor.add_dims(dim);
    tensor.set_data_type(ElemType<T>());
    tensor.set_raw_data(
        std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T)));
    return tensor;
  }

  template <typename T>
  OnnxModelBuilder& Initializer(const std::string& name, std::vector<int64_t> dims,
                                const std::vector<T>& values) {
    *model_.mutable_graph()->add_initializer() = Tensor(name, dims, values);
    return *this;
  }

  onnx::NodeProto& Node(const std::string& op_type, std::vector<std::string> inputs,
                        std::vector<std::string> outputs, const std::string& name = "") {
    auto* node = model_.mutable_graph()->add_node();
    node->set_op_type(op_type);
    node->set_name(name.empty() ? op_type + std::to_string(model_.graph().node_size()) : name);
    for (const auto& input : inputs) node->add_input(input);
    for (const auto& output : outputs) node->add_output(output);
    return *node;
  }

  onnx::ModelProto& model() { return model_; }
  std::string Bytes() const { return model_.SerializeAsString(); }

  template <typename T>
  static int ElemType() {
    if (std::is_same_v<T, float>) return onnx::TensorProto::FLOAT;
    if (std::is_same_v<T, int8_t>) return onnx::TensorProto::INT8;
    if (std::is_same_v<T, uint8_t>) return onnx::TensorProto::UINT8;
    if (std::is_same_v<T, int32_t>) return onnx::TensorProto::INT32;
    return onnx::TensorProto::INT64;
  }

 private:
  onnx::ModelProto model_;
};

inline void SetInt(onnx::NodeProto& node, const std::string& name, int64_t value) {
  auto* attribute = node.add_attribute();
  attribute->set_name(name);
  attribute->set_type(onnx::AttributeProto::INT);
  attribute->set_i(value);
}

inline void SetFloat(onnx::NodeProto& node, const std::string& name, float value) {
  auto* attribute = node.add_attribute();
  attribute->set_name(name);
  attribute->set_type(onnx::AttributeProto::FLOAT);
  attribute->set_f(value);
}

inline void SetInts(onnx::NodeProto& node, const std::string& name,
                    const std::vector<int64_t>& values) {
  auto* attribute = node.add_attribute();
  attribute->set_name(name);
  attribute->set_type(onnx::AttributeProto::INTS);
  for (int64_t value : values) attribute->add_ints(value);
}

inline void SetString(onnx::NodeProto& node, const std::string& name, const std::string& value) {
  auto* attribute = node.add_attribute();
  attribute->set_name(name);
  attribute->set_type(onnx::AttributeProto::STRING);
  attribute->set_s(value);
}

inline void SetTensor(onnx::NodeProto& node, const std::string& name,
                      const onnx::TensorProto& value) {
  auto* attribute = node.add_attribute();
  attribute->set_name(name);
  attribute->set_type(onnx::AttributeProto::TENSOR);
  *attribute->mutable_t() = value;
}

template <typename T>
DType DTypeOf() {
  if (std::is_same_v<T, float>) return DType::kFloat32;
  if (std::is_same_v<T, int8_t>) return DType::kInt8;
  if (std::is_same_v<T, uint8_t>) return DType::kUInt8;
  if (std::is_same_v<T, int32_t>) return DType::kInt32;
  return DType::kInt64;
}

// A tensor value (for ModelSession inputs and OnnxImportOptions::constant_inputs).
template <typename T>
TensorDef MakeTensor(const std::string& name, std::vector<int32_t> shape,
                     const std::vector<T>& values) {
  TensorDef tensor;
  tensor.name = name;
  tensor.dtype = DTypeOf<T>();
  tensor.shape = std::move(shape);
  tensor.SetValues(values);
  return tensor;
}

// Imports `bytes`, failing the test on error.
inline Graph ImportOrDie(const std::string& bytes, const OnnxImportOptions& options = {}) {
  Result<Graph> graph = ImportOnnx(bytes, options);
  EXPECT_TRUE(graph.ok()) << graph.status().message();
  return graph.ok() ? std::move(*graph) : Graph();
}

// Runs `graph` with the reference kernels; returns the outputs (empty on failure, which is
// reported as a test failure).
inline std::vector<TensorDef> RunGraph(const Graph& graph,
                                       const std::map<std::string, TensorDef>& inputs) {
  auto session = ModelSession::FromGraph(graph, KernelSet::kReference);
  EXPECT_TRUE(session.ok()) << session.status().message();
  if (!session.ok()) return {};
  auto outputs = (*session)->Run(inputs);
  EXPECT_TRUE(outputs.ok()) << outputs.status().message();
  if (!outputs.ok()) return {};
  return std::move(*outputs);
}

// The op types of `graph` in execution order.
inline std::vector<tmm::OpType> OpTypes(const Graph& graph) {
  std::vector<tmm::OpType> types;
  for (const OpDef& op : graph.ops) types.push_back(op.type);
  return types;
}

// Element-wise comparison with a tolerance; reports the first mismatch.
inline void ExpectNear(const std::vector<float>& actual, const std::vector<float>& expected,
                       float tolerance = 1e-5f) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i)
    ASSERT_NEAR(actual[i], expected[i], tolerance) << "at element " << i;
}

}  // namespace tinymlops::toolchain::testing

#endif  // TINYMLOPS_TESTS_TOOLCHAIN_ONNX_ONNX_MODEL_BUILDER_H_
