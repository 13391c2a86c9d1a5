#include "server/rollout/deployment.h"

#include <cmath>
#include <nlohmann/json.hpp>

namespace tinymlops::server {
namespace {

using nlohmann::json;

Status Invalid(const std::string& message) {
  return Status::Error(StatusCode::kInvalidArgument, "%s", message.c_str());
}

Result<json> ParseJsonObject(const std::string& text, const char* what) {
  json parsed = json::parse(text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return Invalid(std::string("'") + what + "' must be a JSON object");
  }
  return parsed;
}

uint64_t Fnv1a(const std::string& text) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

}  // namespace

const char* DeploymentStateName(DeploymentState state) {
  switch (state) {
    case DeploymentState::kRollingOut: return "rolling_out";
    case DeploymentState::kPaused: return "paused";
    case DeploymentState::kCompleted: return "completed";
    case DeploymentState::kRolledBack: return "rolled_back";
  }
  return "rolling_out";
}

bool ParseDeploymentState(const std::string& name, DeploymentState* state) {
  for (DeploymentState s : {DeploymentState::kRollingOut, DeploymentState::kPaused,
                            DeploymentState::kCompleted, DeploymentState::kRolledBack}) {
    if (name == DeploymentStateName(s)) {
      *state = s;
      return true;
    }
  }
  return false;
}

int64_t RolloutStrategy::StageCount() const {
  return static_cast<int64_t>(stages.size()) + (type == Type::kCanary ? 1 : 0);
}

int64_t RolloutStrategy::StageOf(int64_t bucket, bool canary) const {
  if (type == Type::kCanary && canary) return 0;
  const int64_t first = type == Type::kCanary ? 1 : 0;
  for (size_t i = 0; i < stages.size(); ++i) {
    if (bucket < stages[i] * 100) return first + static_cast<int64_t>(i);
  }
  return StageCount() - 1;
}

Result<RolloutStrategy> ParseRolloutStrategy(const std::string& text) {
  TMM_ASSIGN_OR_RETURN(json object, ParseJsonObject(text, "strategy"));
  RolloutStrategy strategy;
  auto type = object.find("type");
  if (type == object.end() || !type->is_string()) {
    return Invalid("'strategy.type' must be all_at_once, staged or canary");
  }
  const std::string& name = type->get_ref<const std::string&>();
  if (name == "all_at_once") {
    strategy.type = RolloutStrategy::Type::kAllAtOnce;
  } else if (name == "staged") {
    strategy.type = RolloutStrategy::Type::kStaged;
  } else if (name == "canary") {
    strategy.type = RolloutStrategy::Type::kCanary;
  } else {
    return Invalid("'strategy.type' must be all_at_once, staged or canary");
  }
  for (const auto& [key, value] : object.items()) {
    if (key != "type" && key != "stages" && key != "auto_promote" && key != "canary_tag") {
      return Invalid("'strategy." + key.substr(0, 64) +
                     "' is not a strategy field (type, stages, auto_promote, canary_tag)");
    }
  }
  if (strategy.type != RolloutStrategy::Type::kAllAtOnce) {
    auto stages = object.find("stages");
    if (stages == object.end() || !stages->is_array() || stages->empty() || stages->size() > 100) {
      return Invalid("'strategy.stages' must be an array of cumulative percents, e.g. [10, 50, 100]");
    }
    strategy.stages.clear();
    for (const json& stage : *stages) {
      if (!stage.is_number_integer() || stage.get<int64_t>() < 1 || stage.get<int64_t>() > 100 ||
          (!strategy.stages.empty() && stage.get<int64_t>() <= strategy.stages.back())) {
        return Invalid("'strategy.stages' must be strictly increasing integer percents from 1 "
                       "to 100");
      }
      strategy.stages.push_back(stage.get<int64_t>());
    }
    if (strategy.stages.back() != 100) {
      return Invalid("the last of 'strategy.stages' must be 100, so that every device is reached");
    }
    if (auto promote = object.find("auto_promote"); promote != object.end()) {
      if (!promote->is_boolean()) return Invalid("'strategy.auto_promote' must be true or false");
      strategy.auto_promote = promote->get<bool>();
    }
  } else if (object.contains("stages") || object.contains("canary_tag")) {
    return Invalid("an all_at_once strategy has no stages and no canary_tag");
  }
  if (strategy.type == RolloutStrategy::Type::kCanary) {
    auto tag = object.find("canary_tag");
    if (tag == object.end() || !tag->is_string() || tag->get_ref<const std::string&>().empty() ||
        tag->get_ref<const std::string&>().size() > 64) {
      return Invalid("a canary strategy needs 'strategy.canary_tag', a tag of 1 to 64 bytes");
    }
    strategy.canary_tag = tag->get<std::string>();
  } else if (object.contains("canary_tag")) {
    return Invalid("'strategy.canary_tag' belongs to a canary strategy only");
  }
  return strategy;
}

std::string RolloutStrategyJson(const RolloutStrategy& strategy) {
  json out;
  switch (strategy.type) {
    case RolloutStrategy::Type::kAllAtOnce: out["type"] = "all_at_once"; return out.dump();
    case RolloutStrategy::Type::kStaged: out["type"] = "staged"; break;
    case RolloutStrategy::Type::kCanary:
      out["type"] = "canary";
      out["canary_tag"] = strategy.canary_tag;
      break;
  }
  out["stages"] = strategy.stages;
  out["auto_promote"] = strategy.auto_promote;
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<HealthGates> ParseHealthGates(const std::string& text) {
  TMM_ASSIGN_OR_RETURN(json object, ParseJsonObject(text, "gates"));
  HealthGates gates;
  const struct {
    const char* name;
    std::optional<double>* field;
    double high;
  } rates[] = {{"max_install_failure_rate", &gates.max_install_failure_rate, 1},
               {"max_self_test_failure_rate", &gates.max_self_test_failure_rate, 1},
               {"max_crash_rate", &gates.max_crash_rate, 1},
               {"max_latency_regression", &gates.max_latency_regression, 100}};
  for (const auto& [key, value] : object.items()) {
    bool known = key == "min_reports";
    for (const auto& rate : rates) known = known || key == rate.name;
    if (!known) {
      return Invalid("'gates." + key.substr(0, 64) +
                     "' is not a gate (max_install_failure_rate, max_self_test_failure_rate, "
                     "max_crash_rate, max_latency_regression, min_reports)");
    }
  }
  for (const auto& rate : rates) {
    auto it = object.find(rate.name);
    if (it == object.end() || it->is_null()) continue;
    if (!it->is_number() || !std::isfinite(it->get<double>()) || it->get<double>() < 0 ||
        it->get<double>() > rate.high) {
      return Invalid(std::string("'gates.") + rate.name + "' must be a number from 0 to " +
                     (rate.high == 1 ? "1 (a fraction)" : "100 (0.25: 25% slower)"));
    }
    *rate.field = it->get<double>();
  }
  if (auto it = object.find("min_reports"); it != object.end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 1 || it->get<int64_t>() > 1000000) {
      return Invalid("'gates.min_reports' must be an integer from 1 to 1000000");
    }
    gates.min_reports = it->get<int64_t>();
  }
  return gates;
}

std::string HealthGatesJson(const HealthGates& gates) {
  json out = json::object();
  if (gates.max_install_failure_rate) out["max_install_failure_rate"] = *gates.max_install_failure_rate;
  if (gates.max_self_test_failure_rate) {
    out["max_self_test_failure_rate"] = *gates.max_self_test_failure_rate;
  }
  if (gates.max_crash_rate) out["max_crash_rate"] = *gates.max_crash_rate;
  if (gates.max_latency_regression) out["max_latency_regression"] = *gates.max_latency_regression;
  out["min_reports"] = gates.min_reports;
  return out.dump();
}

int64_t StageBucket(const std::string& device_id) {
  return static_cast<int64_t>(Fnv1a("stage:" + device_id) % 10000);
}

int64_t SplitBucket(const std::string& device_id) {
  return static_cast<int64_t>(Fnv1a("split:" + device_id) % 100);
}

}  // namespace tinymlops::server
