#include "agent/variant_policy.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "format/json_nesting.h"

namespace tinymlops::agent {
namespace {

using nlohmann::json;

constexpr size_t kMaxPolicyBytes = 64 << 10;
constexpr int kMaxPolicyDepth = 8;

Status Invalid(const std::string& message) {
  return Status::Error(StatusCode::kInvalidArgument, "variant policy: %s", message.c_str());
}


Result<std::string> VariantName(const json& value, const std::string& where,
                                const std::vector<std::string>& variants) {
  if (!value.is_string()) return Invalid(where + " must be a variant name (a string)");
  const std::string& name = value.get_ref<const std::string&>();
  if (std::find(variants.begin(), variants.end(), name) == variants.end()) {
    std::string known;
    for (const std::string& v : variants) known += (known.empty() ? "" : ", ") + v;
    return Invalid(where + " names the variant '" + name.substr(0, 64) +
                   "', which is not one of the deployment's variants (" + known + ")");
  }
  return name;
}

Result<double> Number(const json& value, const std::string& where, double low, double high) {
  if (!value.is_number() || !std::isfinite(value.get<double>()) || value.get<double>() < low ||
      value.get<double>() > high) {
    return Invalid(where + " must be a number from " + std::to_string(static_cast<int64_t>(low)) +
                   " to " + std::to_string(static_cast<int64_t>(high)));
  }
  return value.get<double>();
}

Result<PolicyConditions> ParseConditions(const json& when, const std::string& where) {
  if (!when.is_object()) return Invalid(where + " must be an object of conditions");
  PolicyConditions conditions;
  for (const auto& [key, value] : when.items()) {
    const std::string field = where + "." + key;
    if (key == "battery_percent_below") {
      TMM_ASSIGN_OR_RETURN(conditions.battery_percent_below, Number(value, field, 0, 100));
    } else if (key == "battery_percent_at_least") {
      TMM_ASSIGN_OR_RETURN(conditions.battery_percent_at_least, Number(value, field, 0, 100));
    } else if (key == "charging") {
      if (!value.is_boolean()) return Invalid(field + " must be true or false");
      conditions.charging = value.get<bool>();
    } else if (key == "network") {
      if (!value.is_array() || value.empty() || value.size() > 16) {
        return Invalid(field + " must be an array of 1 to 16 network names (\"wifi\", ...)");
      }
      std::vector<std::string> names;
      for (const json& name : value) {
        if (!name.is_string() || name.get_ref<const std::string&>().empty() ||
            name.get_ref<const std::string&>().size() > 32) {
          return Invalid(field + " must hold network names of 1 to 32 bytes");
        }
        names.push_back(name.get<std::string>());
      }
      conditions.network = std::move(names);
    } else if (key == "latency_p95_us_above") {
      TMM_ASSIGN_OR_RETURN(conditions.latency_p95_us_above, Number(value, field, 0, 1e12));
    } else {
      return Invalid(field.substr(0, 120) +
                     " is not a condition: use battery_percent_below, battery_percent_at_least, "
                     "charging, network or latency_p95_us_above");
    }
  }
  return conditions;
}

bool Matches(const PolicyConditions& when, const DeviceContext& context) {
  if (when.battery_percent_below &&
      !(context.battery_percent && *context.battery_percent < *when.battery_percent_below)) {
    return false;
  }
  if (when.battery_percent_at_least &&
      !(context.battery_percent && *context.battery_percent >= *when.battery_percent_at_least)) {
    return false;
  }
  if (when.charging && !(context.charging && *context.charging == *when.charging)) return false;
  if (when.network && !(context.network && std::find(when.network->begin(), when.network->end(),
                                                     *context.network) != when.network->end())) {
    return false;
  }
  if (when.latency_p95_us_above &&
      !(context.latency_p95_us && *context.latency_p95_us > *when.latency_p95_us_above)) {
    return false;
  }
  return true;
}

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

Result<VariantPolicy> ParseVariantPolicy(const std::string& text,
                                         const std::vector<std::string>& variants) {
  if (text.size() > kMaxPolicyBytes) return Invalid("larger than 64 KiB");
  if (format::JsonNestingDepth(text) > kMaxPolicyDepth) return Invalid("nested deeper than 8 levels");
  const json parsed = json::parse(text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return Invalid("must be a JSON object {\"rules\": [...], \"default\": \"variant\"}");
  }
  VariantPolicy policy;
  for (const auto& [key, value] : parsed.items()) {
    if (key != "rules" && key != "default") {
      return Invalid("unknown field '" + key.substr(0, 64) + "' (use rules and default)");
    }
  }
  if (auto it = parsed.find("default"); it != parsed.end() && !it->is_null()) {
    TMM_ASSIGN_OR_RETURN(policy.default_variant, VariantName(*it, "default", variants));
  }
  auto rules = parsed.find("rules");
  if (rules == parsed.end() || rules->is_null()) return policy;
  if (!rules->is_array() || rules->size() > kMaxPolicyRules) {
    return Invalid("rules must be an array of at most 64 rules");
  }
  for (size_t i = 0; i < rules->size(); ++i) {
    const json& rule = (*rules)[i];
    const std::string where = "rules[" + std::to_string(i) + "]";
    if (!rule.is_object()) return Invalid(where + " must be an object {\"when\", \"use\"}");
    PolicyRule parsed_rule;
    auto use = rule.find("use");
    if (use == rule.end()) return Invalid(where + ".use is required");
    TMM_ASSIGN_OR_RETURN(parsed_rule.use, VariantName(*use, where + ".use", variants));
    if (auto when = rule.find("when"); when != rule.end()) {
      TMM_ASSIGN_OR_RETURN(parsed_rule.when, ParseConditions(*when, where + ".when"));
    }
    for (const auto& [key, value] : rule.items()) {
      if (key != "use" && key != "when") {
        return Invalid(where + " has the unknown field '" + key.substr(0, 64) + "'");
      }
    }
    policy.rules.push_back(std::move(parsed_rule));
  }
  return policy;
}

std::string SelectVariant(const VariantPolicy& policy, const DeviceContext& context,
                          const std::vector<std::string>& installed_variants) {
  for (const PolicyRule& rule : policy.rules) {
    if (Contains(installed_variants, rule.use) && Matches(rule.when, context)) return rule.use;
  }
  if (!policy.default_variant.empty() && Contains(installed_variants, policy.default_variant)) {
    return policy.default_variant;
  }
  return installed_variants.empty() ? std::string() : installed_variants.front();
}

}  // namespace tinymlops::agent
