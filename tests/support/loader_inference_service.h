// The InferenceService an agent provides to its local endpoint (agent/local_endpoint.h), over
// a device::PackageLoader: status from the served manifest, inputs and outputs from its
// interpreter. Shared by the endpoint's test and fuzzer; an agent's own implementation adds
// its locking around model swaps. Thread-safety: one caller at a time, as the loader.
#ifndef TINYMLOPS_TESTS_SUPPORT_LOADER_INFERENCE_SERVICE_H_
#define TINYMLOPS_TESTS_SUPPORT_LOADER_INFERENCE_SERVICE_H_

#include <map>
#include <string>

#include "agent/local_endpoint.h"
#include "device/package_loader.h"

namespace tinymlops::test_support {

class LoaderInferenceService : public agent::InferenceService {
 public:
  explicit LoaderInferenceService(device::PackageLoader& loader) : loader_(loader) {}

  agent::ServingStatus Status() override {
    agent::ServingStatus status;
    status.ready = loader_.interpreter().ok();
    if (const tpkg::ManifestT* manifest = loader_.manifest()) {
      status.model_id = manifest->model_id;
      status.version = manifest->version;
      status.variant = manifest->variant;
      status.release = manifest->release;
    }
    return status;
  }

  Result<std::map<std::string, agent::TensorValues>> Inputs() override {
    TMM_ASSIGN_OR_RETURN(runtime::Interpreter * interpreter, loader_.interpreter());
    std::map<std::string, agent::TensorValues> inputs;
    for (int i = 0; i < interpreter->input_count(); ++i)
      inputs[interpreter->input(i)->name] = agent::ReadTensorValues(*interpreter->input(i), false);
    return inputs;
  }

  Result<std::map<std::string, agent::TensorValues>> Infer(
      const std::map<std::string, agent::TensorValues>& inputs) override {
    TMM_ASSIGN_OR_RETURN(runtime::Interpreter * interpreter, loader_.interpreter());
    for (int i = 0; i < interpreter->input_count(); ++i) {
      const auto input = inputs.find(interpreter->input(i)->name);
      if (input == inputs.end())
        return Status::Error(StatusCode::kInvalidArgument, "input '%s' is missing",
                             interpreter->input(i)->name);
      TMM_RETURN_IF_ERROR(agent::WriteTensorValues(input->second, *interpreter->input(i)));
    }
    TMM_RETURN_IF_ERROR(loader_.Invoke());
    std::map<std::string, agent::TensorValues> outputs;
    for (int i = 0; i < interpreter->output_count(); ++i)
      outputs[interpreter->output(i)->name] =
          agent::ReadTensorValues(*interpreter->output(i), true);
    return outputs;
  }

 private:
  device::PackageLoader& loader_;
};

}  // namespace tinymlops::test_support

#endif  // TINYMLOPS_TESTS_SUPPORT_LOADER_INFERENCE_SERVICE_H_
