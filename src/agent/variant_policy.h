// VariantPolicy: which variant of an installed model a device serves, chosen by its context.
// A deployment carries one (docs/device-protocol.md); the server validates it at creation and
// the agent evaluates it whenever its context changes, with no server round trip.
//
// JSON form: {"rules": [{"when": {conditions...}, "use": "variant"}, ...], "default": "variant"}.
// The conditions of a rule are ANDed; a rule with no conditions always matches:
//   battery_percent_below (number)    battery_percent <  value
//   battery_percent_at_least (number) battery_percent >= value
//   charging (bool)                   charging == value
//   network (array of names)          network is one of them
//   latency_p95_us_above (number)     the p95 latency of the variant served now > value
// A condition on something the device does not know (no battery, no latency yet) does not match.
//
// ParseVariantPolicy checks the shape and that every named variant is one of `variants`.
// Errors: kInvalidArgument naming the rule and field. SelectVariant never fails: the first
// matching rule whose variant is installed, else the default if installed, else the first
// installed variant ("" when none is installed).
// Thread-safety: pure functions over values.
#ifndef TINYMLOPS_AGENT_VARIANT_POLICY_H_
#define TINYMLOPS_AGENT_VARIANT_POLICY_H_

#include <optional>
#include <string>
#include <vector>

#include "runtime/status.h"

namespace tinymlops::agent {

struct PolicyConditions {
  std::optional<double> battery_percent_below, battery_percent_at_least;
  std::optional<bool> charging;
  std::optional<std::vector<std::string>> network;
  std::optional<double> latency_p95_us_above;
};

struct PolicyRule {
  PolicyConditions when;
  std::string use;
};

struct VariantPolicy {
  std::vector<PolicyRule> rules;
  std::string default_variant;  // "" : none named
};

// What the device knows about itself when it chooses.
struct DeviceContext {
  std::optional<double> battery_percent;
  std::optional<bool> charging;
  std::optional<std::string> network;
  std::optional<double> latency_p95_us;  // of the variant it serves now
};

constexpr size_t kMaxPolicyRules = 64;

Result<VariantPolicy> ParseVariantPolicy(const std::string& json,
                                         const std::vector<std::string>& variants);
std::string SelectVariant(const VariantPolicy& policy, const DeviceContext& context,
                          const std::vector<std::string>& installed_variants);

}  // namespace tinymlops::agent

#endif  // TINYMLOPS_AGENT_VARIANT_POLICY_H_
