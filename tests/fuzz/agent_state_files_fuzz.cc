// libFuzzer target: arbitrary bytes as the agent's own files after a bad disk or an edit
// (agent/agent_state.h state.json, agent/slot_store.h slot.json). What parses must name only
// valid slots and safe variant names, and write back to what it read; nothing may throw,
// crash, read out of bounds or leak.
#include <cstdint>
#include <string>

#include "agent/agent_state.h"
#include "agent/slot_store.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tinymlops::agent;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto state = ParseAgentState(text);
  if (state.ok()) {
    for (const std::string* slot : {&state->active, &state->trial, &state->previous})
      if (!slot->empty() && !IsSlotName(*slot)) __builtin_trap();
    auto again = ParseAgentState(AgentStateJson(*state));
    if (!again.ok() || !(*again == *state)) __builtin_trap();
  }
  auto manifest = ParseSlotManifest(text);
  if (manifest.ok()) {
    for (const SlotVariant& v : manifest->variants)
      if (!CheckVariantName(v.name).ok()) __builtin_trap();
    auto again = ParseSlotManifest(SlotManifestJson(*manifest));
    if (!again.ok() || !again->SameRelease(*manifest)) __builtin_trap();
    for (size_t i = 0; i < manifest->variants.size(); ++i) {  // and each variant's form
      const auto& before = manifest->variants[i].delta;
      const auto& after = again->variants[i].delta;
      if (before.has_value() != after.has_value() ||
          (before && (before->artifact_hash != after->artifact_hash ||
                      before->base_artifact_hash != after->base_artifact_hash)))
        __builtin_trap();
    }
  }
  return 0;
}
