#include "device/self_test.h"

#include <cmath>
#include <cstring>

namespace tinymlops::device {
namespace {

// The tensor `value` names, if its dtype and shape match; else an error.
Result<runtime::Tensor*> Match(runtime::Interpreter& interpreter, const tpkg::TensorValueT& value,
                               bool input, size_t test) {
  const int index = input ? interpreter.FindInput(value.name.c_str())
                          : interpreter.FindOutput(value.name.c_str());
  runtime::Tensor* tensor =
      index < 0 ? nullptr : (input ? interpreter.input(index) : interpreter.output(index));
  bool fits = tensor != nullptr && static_cast<uint8_t>(tensor->dtype) == value.dtype &&
              tensor->shape.rank == static_cast<int>(value.shape.size()) &&
              tensor->bytes == value.data.size();
  for (int d = 0; fits && d < tensor->shape.rank; ++d)
    fits = tensor->shape.dims[d] == value.shape[d];
  if (!fits)
    return Status::Error(StatusCode::kInvalidArgument,
                         "self-test %zu names %s '%s', which the model has not with that dtype "
                         "and shape; rebuild the package from this model",
                         test, input ? "input" : "output", value.name.c_str());
  return tensor;
}

}  // namespace

Status RunSelfTests(runtime::Interpreter& interpreter, const tpkg::ManifestT& manifest) {
  for (size_t t = 0; t < manifest.self_tests.size(); ++t) {
    const tpkg::SelfTestT& test = *manifest.self_tests[t];
    for (const auto& value : test.inputs) {
      TMM_ASSIGN_OR_RETURN(runtime::Tensor * input, Match(interpreter, *value, true, t));
      if (!value->data.empty()) std::memcpy(input->data, value->data.data(), value->data.size());
    }
    TMM_RETURN_IF_ERROR(interpreter.Invoke());
    for (const auto& expected : test.expected_outputs) {
      TMM_ASSIGN_OR_RETURN(runtime::Tensor * output, Match(interpreter, *expected, false, t));
      const auto* got = static_cast<const uint8_t*>(output->data);
      if (output->dtype != runtime::DType::kFloat32) {
        if (std::memcmp(got, expected->data.data(), expected->data.size()) != 0)
          return Status::Error(StatusCode::kFailedPrecondition,
                               "self-test %zu failed: output '%s' differs from the expected "
                               "values; the package does not run correctly on this device",
                               t, expected->name.c_str());
        continue;
      }
      const size_t count = expected->data.size() / sizeof(float);
      for (size_t i = 0; i < count; ++i) {
        float a, b;
        std::memcpy(&a, got + i * sizeof(float), sizeof(float));
        std::memcpy(&b, expected->data.data() + i * sizeof(float), sizeof(float));
        const float allowed = manifest.self_test_tolerance * std::fmax(1.0f, std::fabs(b));
        if (!(std::fabs(a - b) <= allowed))
          return Status::Error(StatusCode::kFailedPrecondition,
                               "self-test %zu failed: output '%s' element %zu is %g, expected %g "
                               "(tolerance %g); the package does not run correctly on this device",
                               t, expected->name.c_str(), i, a, b,
                               static_cast<double>(manifest.self_test_tolerance));
      }
    }
  }
  return Status::Ok();
}

}  // namespace tinymlops::device
