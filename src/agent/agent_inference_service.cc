#include "agent/agent_inference_service.h"

#include <algorithm>
#include <chrono>

namespace tinymlops::agent {

ServingStatus AgentInferenceService::StatusLocked() {
  ServingStatus status;
  status.ready = loader_.interpreter().ok();
  if (const tpkg::ManifestT* manifest = loader_.manifest()) {
    status.model_id = manifest->model_id;
    status.version = manifest->version;
    status.variant = manifest->variant;
    status.release = manifest->release;
  }
  return status;
}

void AgentInferenceService::FollowServedModel(const ServingStatus& served) {
  if (served.model_id == counted_.model_id && served.version == counted_.version &&
      served.variant == counted_.variant && served.release == counted_.release)
    return;
  counted_ = served;
  inferences_ = failures_ = 0;
  latency_.Clear();
}

ServingStatus AgentInferenceService::Status() {
  std::lock_guard<std::mutex> lock(serving_);
  return StatusLocked();
}

Result<std::map<std::string, TensorValues>> AgentInferenceService::Inputs() {
  std::lock_guard<std::mutex> lock(serving_);
  TMM_ASSIGN_OR_RETURN(runtime::Interpreter * interpreter, loader_.interpreter());
  std::map<std::string, TensorValues> inputs;
  for (int i = 0; i < interpreter->input_count(); ++i)
    inputs[interpreter->input(i)->name] = ReadTensorValues(*interpreter->input(i), false);
  return inputs;
}

Result<Inference> AgentInferenceService::Infer(const std::map<std::string, TensorValues>& inputs) {
  std::lock_guard<std::mutex> lock(serving_);
  if (!loader_.ready()) return loader_.interpreter().status();
  Inference inference;
  inference.served = StatusLocked();
  FollowServedModel(inference.served);
  auto usable = loader_.interpreter();
  if (!usable.ok()) {
    ++failures_;  // the guard has quarantined the served model
    return usable.status();
  }
  runtime::Interpreter* interpreter = *usable;
  for (int i = 0; i < interpreter->input_count(); ++i) {
    const auto input = inputs.find(interpreter->input(i)->name);
    if (input == inputs.end())
      return tinymlops::Status::Error(
          StatusCode::kInvalidArgument, "input '%s' is missing (the model serving now is %s %s)",
          interpreter->input(i)->name, inference.served.model_id.c_str(),
          inference.served.version.c_str());
    TMM_RETURN_IF_ERROR(WriteTensorValues(input->second, *interpreter->input(i)));
  }
  const auto start = std::chrono::steady_clock::now();
  const tinymlops::Status invoked = loader_.Invoke();
  const auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::steady_clock::now() - start);
  if (!invoked.ok()) {
    ++failures_;
    return invoked;
  }
  ++inferences_;
  // Rounded up: an inference never took 0 us.
  const int64_t microseconds = (elapsed.count() + 999) / 1000;
  latency_.Add(static_cast<uint32_t>(std::clamp<int64_t>(microseconds, 1, UINT32_MAX)));
  for (int i = 0; i < interpreter->output_count(); ++i)
    inference.outputs[interpreter->output(i)->name] =
        ReadTensorValues(*interpreter->output(i), true);
  return inference;
}

ServingHealth AgentInferenceService::Health() {
  std::lock_guard<std::mutex> lock(serving_);
  ServingHealth health;
  const ServingStatus served = StatusLocked();
  if (served.model_id.empty()) return health;
  FollowServedModel(served);
  health.model = served.model_id;
  health.version = served.version;
  health.inferences = inferences_;
  health.crash_count = failures_;
  if (latency_.size() > 0)
    health.latency_us = LatencyPercentiles{static_cast<double>(latency_.Percentile(50)),
                                           static_cast<double>(latency_.Percentile(95)),
                                           static_cast<double>(latency_.Percentile(99))};
  return health;
}

}  // namespace tinymlops::agent
