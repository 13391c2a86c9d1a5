#include "toolchain/package/self_test_vectors.h"

#include "toolchain/graph/model_session.h"

namespace tinymlops::toolchain {
namespace {

std::unique_ptr<tpkg::TensorValueT> ToValue(const TensorDef& tensor) {
  auto value = std::make_unique<tpkg::TensorValueT>();
  value->name = tensor.name;
  value->dtype = static_cast<uint8_t>(tensor.dtype);
  value->shape = tensor.shape;
  value->data = tensor.data;
  return value;
}

}  // namespace

Result<std::unique_ptr<tpkg::SelfTestT>> MakeSelfTest(
    const std::vector<uint8_t>& tmm_bytes, const std::map<std::string, TensorDef>& inputs) {
  TMM_ASSIGN_OR_RETURN(std::unique_ptr<ModelSession> session,
                       ModelSession::Load(tmm_bytes, KernelSet::kReference));
  TMM_ASSIGN_OR_RETURN(const std::vector<TensorDef> outputs, session->Run(inputs));
  auto test = std::make_unique<tpkg::SelfTestT>();
  for (const auto& [name, tensor] : inputs) {
    TensorDef named = tensor;
    named.name = name;
    test->inputs.push_back(ToValue(named));
  }
  for (const TensorDef& output : outputs) test->expected_outputs.push_back(ToValue(output));
  return test;
}

}  // namespace tinymlops::toolchain
