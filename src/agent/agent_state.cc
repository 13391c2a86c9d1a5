#include "agent/agent_state.h"

#include <nlohmann/json.hpp>

#include "agent/durable_file.h"
#include "agent/json_fields.h"

namespace tinymlops::agent {

bool AgentState::operator==(const AgentState& other) const {
  return active == other.active && trial == other.trial && trial_attempts == other.trial_attempts &&
         last_committed == other.last_committed && previous == other.previous &&
         rejected_deployment == other.rejected_deployment &&
         rejected_version == other.rejected_version;
}

std::string AgentStateJson(const AgentState& s) {
  return nlohmann::json{
      {"format", 1},
      {"active", s.active},
      {"trial", s.trial},
      {"trial_attempts", s.trial_attempts},
      {"last_committed", s.last_committed},
      {"previous", s.previous},
      {"rejected", {{"deployment", s.rejected_deployment}, {"version", s.rejected_version}}}}
      .dump();
}

Result<AgentState> ParseAgentState(const std::string& json) {
  const nlohmann::json parsed = nlohmann::json::parse(json, nullptr, false);
  AgentState s;
  try {
    if (!parsed.is_object() || UnsignedField(parsed, "format") != 1)
      throw std::runtime_error("not a state file of format 1");
    s.active = parsed.at("active").get<std::string>();
    s.trial = parsed.at("trial").get<std::string>();
    s.trial_attempts = parsed.contains("trial_attempts") ? UnsignedField(parsed, "trial_attempts")
                       : s.trial.empty()                 ? 0
                                                         : 1;
    s.last_committed = parsed.at("last_committed").get<std::string>();
    s.previous = parsed.at("previous").get<std::string>();
    s.rejected_deployment = parsed.at("rejected").at("deployment").get<std::string>();
    s.rejected_version = parsed.at("rejected").at("version").get<std::string>();
  } catch (const std::exception& error) {
    return Status::Error(StatusCode::kInvalidArgument, "malformed agent state: %s", error.what());
  }
  for (const std::string* slot : {&s.active, &s.trial, &s.last_committed, &s.previous})
    if (!slot->empty() && !IsSlotName(*slot))
      return Status::Error(StatusCode::kInvalidArgument, "malformed agent state: slot '%.16s'",
                           slot->c_str());
  // A trial is always of the slot that does not serve: rolling back a trial of the active slot
  // would clear the model being served.
  if (!s.trial.empty() && s.trial == s.active)
    return Status::Error(StatusCode::kInvalidArgument,
                         "malformed agent state: slot '%s' is both active and on trial",
                         s.trial.c_str());
  return s;
}

AgentStateFile::AgentStateFile(std::string data_folder)
    : path_(std::move(data_folder) + "/state.json") {}

Result<AgentState> AgentStateFile::Load(const SlotStore& slots) const {
  for (const std::string& candidate : {path_, path_ + ".prev"}) {
    auto contents = ReadFile(candidate);
    if (!contents.ok()) continue;
    auto state = ParseAgentState(*contents);
    if (state.ok()) return state;
  }
  AgentState derived;
  derived.derived = true;
  for (const char* slot : {"a", "b"})
    if (slots.ReadManifest(slot).ok()) {
      derived.active = derived.last_committed = slot;
      if (slots.ReadManifest(OtherSlot(slot)).ok()) derived.previous = OtherSlot(slot);
      break;
    }
  return derived;
}

Status AgentStateFile::Save(const AgentState& state) const {
  auto current = ReadFile(path_);
  if (current.ok() && ParseAgentState(*current).ok())
    TMM_RETURN_IF_ERROR(WriteFileDurably(path_ + ".prev", *current));
  return WriteFileDurably(path_, AgentStateJson(state));
}

}  // namespace tinymlops::agent
