// AgentInferenceService: the InferenceService (agent/local_endpoint.h) an agent offers its
// local applications, over the PackageLoader that serves its installed model: status from the
// served manifest, inputs and outputs from its interpreter. It measures what the served model
// does for the check-in's health report: invocations answered, invocations failed (the runtime
// refused, or the guard has quarantined the model), and the latency of each Invoke
// (agent/latency_window.h). The counts describe the model serving now: when the
// loader serves another model (install, rollback, variant switch) they start again, so a
// version is never credited with another's inferences, failures or latency.
// Errors: kFailedPrecondition when nothing serves (the endpoint answers 503); kInvalidArgument
// when the inputs do not fit the model serving now (it may have changed since Inputs()).
// Thread-safety: every call holds `serving`, the mutex every swap of the loader's model holds
// (UpdateInstaller::serving_mutex()), so an inference never meets a half-swapped model; any
// threads may call it.
#ifndef TINYMLOPS_AGENT_AGENT_INFERENCE_SERVICE_H_
#define TINYMLOPS_AGENT_AGENT_INFERENCE_SERVICE_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "agent/checkin_message.h"
#include "agent/latency_window.h"
#include "agent/local_endpoint.h"
#include "device/package_loader.h"

namespace tinymlops::agent {

class AgentInferenceService : public InferenceService {
 public:
  // `loader` and `serving` outlive the service.
  AgentInferenceService(device::PackageLoader& loader, std::mutex& serving)
      : loader_(loader), serving_(serving) {}

  ServingStatus Status() override;
  Result<std::map<std::string, TensorValues>> Inputs() override;
  Result<Inference> Infer(const std::map<std::string, TensorValues>& inputs) override;

  // The served model and what it did since it started serving (empty model: nothing serves).
  ServingHealth Health();

 private:
  ServingStatus StatusLocked();
  // Starts the counts again when the loader serves another model than they describe.
  void FollowServedModel(const ServingStatus& served);

  device::PackageLoader& loader_;
  std::mutex& serving_;
  ServingStatus counted_;  // the model the counts describe
  uint64_t inferences_ = 0, failures_ = 0;
  LatencyWindow latency_;
};

}  // namespace tinymlops::agent

#endif  // TINYMLOPS_AGENT_AGENT_INFERENCE_SERVICE_H_
