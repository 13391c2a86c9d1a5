// libFuzzer target: arbitrary bytes as the agent's own files after a bad disk or an edit
// (agent/agent_state.h state.json, agent/slot_store.h slot.json, its variants' delta chains in
// the current "deltas" form and the older one-"delta" form). What parses must name only valid
// slots and safe variant names, chain at most kMaxDeltaChain deltas, and write back to what it
// read (an old one-delta entry as a chain of one); nothing may throw,
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
      const auto& chain = manifest->variants[i].deltas;
      if (chain.size() > kMaxDeltaChain || again->variants[i].deltas != chain) __builtin_trap();
    }
  }
  return 0;
}
