// The check-in exchange of docs/device-protocol.md, as bytes: CheckinBody builds the request
// body a device sends (profile, context, installed slots, health, outcomes) and
// ParseCheckinAnswer reads the server's answer (desired release, refusals, next check-in hint).
// The answer comes from the network: it is parsed defensively (fuzzed by
// tests/fuzz/checkin_answer_fuzz.cc), and a desired release whose variant names are not safe
// file names or whose hashes are not 64 hex digits is refused as malformed. A variant's delta
// offer that is malformed (a hash that is not 64 hex digits, a path outside /v1/, ...) is
// dropped: the variant is then installed from its full package.
// Errors: kInvalidArgument naming the first malformed field.
// Thread-safety: pure functions.
#ifndef TINYMLOPS_AGENT_CHECKIN_MESSAGE_H_
#define TINYMLOPS_AGENT_CHECKIN_MESSAGE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/report_outbox.h"
#include "agent/slot_store.h"
#include "agent/variant_policy.h"
#include "runtime/status.h"

namespace tinymlops::agent {

struct DeviceProfile {
  std::string architecture, device_class, runtime_version;
  uint64_t ram_bytes = 0, storage_bytes = 0;
  std::vector<std::string> ops;
};

struct InstalledSlots {
  std::string active;                         // "" before the first install
  std::map<std::string, SlotManifest> slots;  // "a"/"b" -> what the slot holds
  std::string serving_variant;
};

struct LatencyPercentiles {
  double p50 = 0, p95 = 0, p99 = 0;  // microseconds
};

// What the served model did since it started serving (a model swap or an agent restart starts
// the counts again), as agent/agent_inference_service.h measures it.
struct ServingHealth {
  std::string model, version;  // empty: nothing serves
  uint64_t inferences = 0;     // invocations that answered
  uint64_t crash_count = 0;    // invocations that failed (runtime error, quarantined model)
  std::optional<LatencyPercentiles> latency_us;  // of the latest invocations; none before one
};

struct CheckinReport {
  DeviceProfile profile;
  DeviceContext context;  // agent/variant_policy.h: what the device knows of its surroundings
  InstalledSlots installed;
  ServingHealth health;
  std::vector<OutcomeEvent> outcomes;
};

struct Refusal {
  std::string deployment, reason;
};

struct CheckinAnswer {
  std::optional<SlotManifest> desired;  // none: keep what is installed; its policy_json is the
                                        // deployment's variant policy, as sent
  std::vector<Refusal> refused;
  int64_t next_checkin_seconds = 60;
};

std::string CheckinBody(const CheckinReport& report);
Result<CheckinAnswer> ParseCheckinAnswer(const std::string& body);

}  // namespace tinymlops::agent

#endif  // TINYMLOPS_AGENT_CHECKIN_MESSAGE_H_
