// SlotStore: the agent's two install slots, DATA/slots/a and DATA/slots/b. A slot holds one
// version of one model: every variant package of it as downloaded (NAME.tpkg, signed and
// encrypted at rest; NAME.tpkg.part while a download is under way) and slot.json, its
// manifest (model, version, deployment, default variant, variant policy, and for each variant
// its server id, artifact hash, size and release). A variant installed by delta updates is
// held instead as NAME.tpkg.base (a copy of the first base version's full package, so that the
// slot never depends on the other one) and a chain of at most kMaxDeltaChain deltas,
// NAME.tpkg.delta, NAME.tpkg.delta2, ... (agent/slot_package.h); its manifest entry then
// records the chain ("deltas": [...]; a slot.json written before chains, with one "delta"
// object, reads as a chain of one). slot.json is replaced durably (agent/durable_file.h). A
// slot's contents do not say whether it serves: agent/agent_state.h does.
// Errors: kNotFound (a slot with no manifest), kInvalidArgument (a malformed slot.json, a slot
// name other than "a"/"b", a variant name that is not a safe file name, a chain longer than
// kMaxDeltaChain), kIoError.
// Thread-safety: one user per data folder.
#ifndef TINYMLOPS_AGENT_SLOT_STORE_H_
#define TINYMLOPS_AGENT_SLOT_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/status.h"

namespace tinymlops::agent {

// Deltas a slot chains on one base package at most. Each costs one more patch at every start
// (the slot is re-verified from its base) and one more file in the slot; beyond it the next
// update downloads the full package, which starts a new chain.
inline constexpr size_t kMaxDeltaChain = 4;

// A delta package of a variant against the same variant of an older version (the check-in
// answer's offer, docs/device-protocol.md).
struct SlotDelta {
  std::string package;        // the server path the delta downloads from
  std::string artifact_hash;  // hex BLAKE2b-256 of the delta package
  uint64_t artifact_bytes = 0;
  std::string base_version;
  std::string base_artifact_hash;  // hex BLAKE2b-256 of the base version's full package
  bool operator==(const SlotDelta& other) const;
};

struct SlotVariant {
  std::string name;           // "fp32", "int8": also the package's file name in the slot
  std::string id;             // the server's variant id
  std::string artifact_hash;  // hex BLAKE2b-256 of the (full) package file
  uint64_t artifact_bytes = 0;
  uint64_t release = 0;
  std::string package;  // the server path the package downloads from
  // Empty: the variant is (being) installed as its full package. Otherwise as the base package
  // (the full package of deltas[0].base_version, hash deltas[0].base_artifact_hash) patched by
  // each delta in turn, deltas[i] applying to the model deltas[i - 1] produced; at most
  // kMaxDeltaChain. In a release the server desires (agent/checkin_message.h): its one offer.
  // Not part of the release's identity (operator==).
  std::vector<SlotDelta> deltas;
  bool operator==(const SlotVariant& other) const;
};

struct SlotManifest {
  std::string model, version, deployment;
  std::string default_variant;  // served unless the variant policy picks another
  std::string policy_json;      // the deployment's variant policy ("" : none), kept for offline
  std::vector<SlotVariant> variants;
  // Same deployment, version and variant artifacts (what decides whether a slot already holds
  // what the server wants; the policy may change without a new install).
  bool SameRelease(const SlotManifest& other) const;
  const SlotVariant* Find(const std::string& variant) const;
};

// "b" for "a" and "a" for "b".
std::string OtherSlot(const std::string& slot);
bool IsSlotName(const std::string& slot);
// kInvalidArgument unless `name` is 1-64 characters of [A-Za-z0-9._-] not starting with '.'.
Status CheckVariantName(const std::string& name);

std::string SlotManifestJson(const SlotManifest& manifest);
Result<SlotManifest> ParseSlotManifest(const std::string& json);

class SlotStore {
 public:
  explicit SlotStore(std::string data_folder);
  // Creates DATA/slots/a and DATA/slots/b if missing.
  Status Create() const;
  Result<SlotManifest> ReadManifest(const std::string& slot) const;
  // Makes `slot` ready to receive `manifest`: a slot that already holds the same release
  // keeps its files (finished and partial downloads) and the form it holds each variant in
  // (full or delta), and takes the manifest's default variant and policy; any other contents
  // are removed first.
  Status Prepare(const std::string& slot, const SlotManifest& manifest) const;
  // The variant `variant` of `slot` is to be installed from its full package after all: its
  // manifest entry loses the chain (durably, first), then the base's and the deltas' files go.
  Status DropDeltas(const std::string& slot, const std::string& variant) const;
  std::string PackagePath(const std::string& slot, const std::string& variant) const;
  std::string BasePath(const std::string& slot, const std::string& variant) const;
  // The file of link `link` (0-based) of the variant's chain: NAME.tpkg.delta for the first
  // (as slots written before chains name their one delta), NAME.tpkg.deltaN for the N-th.
  std::string DeltaPath(const std::string& slot, const std::string& variant, size_t link) const;
  std::string SlotFolder(const std::string& slot) const;

 private:
  std::string ManifestPath(const std::string& slot) const;
  Status Clear(const std::string& slot) const;
  std::string root_;
};

}  // namespace tinymlops::agent

#endif  // TINYMLOPS_AGENT_SLOT_STORE_H_
