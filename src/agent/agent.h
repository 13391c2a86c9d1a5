// Agent: one device's tinymlops-agent, as an object: enrollment (once), recovery of the slots
// at start, periodic check-ins (docs/device-protocol.md) that report the profile, context,
// installed slots, health and the outbox's outcomes, and acting on the server's `desired`
// release through the update state machine (agent/update_installer.h): install, server-ordered
// rollback, refusal. While the server cannot be reached the installed model keeps serving and
// check-ins back off (agent/checkin_schedule.h). The variant served is the installed release's
// variant policy (agent/variant_policy.h) evaluated against the context, at start, at every
// check-in and whenever FollowContext() is called, with no server round trip.
// Local applications call the installed model through inference() (agent/agent_inference_
// service.h), in the process, or over the local endpoint (agent/local_endpoint.h: HTTP on the
// Unix socket AgentOptions::socket_path, served on a thread of its own, stopped with the agent).
// What they run is measured: the check-in's health reports the served model's inferences,
// failed invocations and latency percentiles, and its measured p95 is the context's
// latency_p95_us for the variant policy unless the context function gives one.
//
// The data folder: DATA/identity (device.key, device.pub, device_id), DATA/releases (release
// counters), DATA/slots/{a,b}, DATA/state.json, DATA/outbox.journal.
// No globals: the network client is shared and passed in, time and context are functions, so
// tinymlops-sim can run thousands of Agents in one process.
// Errors: Start fails when the device is not enrolled and cannot enroll (no token, the server
// refuses it or cannot be reached), the data folder cannot be used, or the local endpoint
// cannot listen on socket_path (kFailedPrecondition); CheckIn never fails: it keeps its last
// error in last_error() and answers when to try again.
// Thread-safety: one thread per Agent; different Agents are independent. inference() may be
// called from any thread (the endpoint's among them): it holds the installer's serving mutex,
// which every model swap holds too.
#ifndef TINYMLOPS_AGENT_AGENT_H_
#define TINYMLOPS_AGENT_AGENT_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/agent_inference_service.h"
#include "agent/checkin_message.h"
#include "agent/checkin_schedule.h"
#include "agent/device_client.h"
#include "agent/local_endpoint.h"
#include "agent/report_outbox.h"
#include "agent/update_installer.h"
#include "crypto/signing_key.h"
#include "device/file_key_store.h"
#include "device/file_release_counter_store.h"
#include "runtime/op_resolver.h"

namespace tinymlops::agent {

struct AgentOptions {
  std::string data_folder;
  std::vector<crypto::SigningPublicKey> trusted_vendors;
  std::string enroll_token;  // used when DATA/identity holds no enrolled identity
  std::string device_name;
  std::string device_class = "gateway";
  // What the device reports of itself; default: ProfileOfThisMachine (tinymlops-sim sets a
  // simulated device's).
  std::optional<DeviceProfile> profile;
  const DeviceClient* client = nullptr;    // required; shared, outlives the agent
  std::function<int64_t()> now;            // unix seconds; default: the system clock
  std::function<DeviceContext()> context;  // default: charging (mains power), ethernet
  bool start_guard = true;                 // the integrity guard's background thread
  // The local endpoint's Unix socket; "" serves no endpoint (tinymlops-sim: no thread, no
  // socket per simulated device).
  std::string socket_path;
};

class Agent {
 public:
  static Result<std::unique_ptr<Agent>> Start(AgentOptions options);

  // One check-in and what follows from its answer; returns the seconds until the next one.
  int64_t CheckIn();
  // Serves the variant the installed policy picks for the current context (call when the
  // context changed). A failure keeps the variant served so far and is kept in last_error().
  void FollowContext();

  // The installer's thread only (this Agent's); other threads use inference().
  device::PackageLoader& loader() { return installer_->loader(); }
  AgentInferenceService& inference() { return *inference_; }
  const UpdateInstaller& installer() const { return *installer_; }
  const ReportOutbox& outbox() const { return *outbox_; }
  const std::string& device_id() const { return identity_.device_id; }
  const DeviceProfile& profile() const { return profile_; }
  // The last failure of Start's recovery or of a check-in ("" after a clean check-in).
  const std::string& last_error() const { return last_error_; }

 private:
  explicit Agent(AgentOptions options);
  // The check-in report; `acknowledge_through`: the last outbox sequence it accounts for.
  CheckinReport Report(uint64_t* acknowledge_through) const;
  // options_.context(), with the measured p95 latency of the served model when it gives none.
  DeviceContext Context() const;

  AgentOptions options_;
  DeviceIdentity identity_;
  DeviceProfile profile_;
  runtime::OpResolver resolver_;
  std::unique_ptr<device::FileKeyStore> key_store_;
  std::unique_ptr<device::FileReleaseCounterStore> release_counters_;
  std::unique_ptr<ReportOutbox> outbox_;
  std::unique_ptr<UpdateInstaller> installer_;
  std::unique_ptr<CheckinSchedule> schedule_;
  std::unique_ptr<AgentInferenceService> inference_;
  std::unique_ptr<LocalEndpoint> endpoint_;  // after inference_ and installer_: stops first
  std::string last_error_;
};

// The profile of the machine the agent runs on: architecture (uname), RAM (sysinfo), storage
// free under `data_folder` (statvfs), the ops `resolver` has kernels for, the runtime version.
DeviceProfile ProfileOfThisMachine(const std::string& data_folder, const std::string& device_class,
                                   const runtime::OpResolver& resolver);

}  // namespace tinymlops::agent

#endif  // TINYMLOPS_AGENT_AGENT_H_
