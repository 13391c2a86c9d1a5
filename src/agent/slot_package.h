// The package files of one variant in an install slot (agent/slot_store.h), checked and loaded
// the same way whichever form they are in: the full package NAME.tpkg, or for a variant
// installed by delta updates its base package NAME.tpkg.base (a copy of the first base
// version's full package) and its chain of deltas NAME.tpkg.delta, NAME.tpkg.delta2, ... Both
// forms are self-contained: nothing in the other slot is needed, so the next update may
// overwrite it.
//
// CheckSlotPackage compares each file's BLAKE2b-256 with the hash its manifest entry records
// (the server's artifact hashes). LoadSlotPackage loads the variant into `loader`:
// PackageLoader::Load for a full package, PackageLoader::LoadDeltaChain(base, deltas) for a
// chain (which verifies the base's signature and each delta's signature, signed base model
// hash and result hash, link by link, before the last result is admitted and served). Either
// leaves the model served so far serving on failure.
// Errors: kInvalidArgument (a file does not match its hash: altered or damaged on disk),
// kNotFound / kIoError (a file is missing or unreadable), the loader's errors.
// Cost: CheckSlotPackage hashes every file; LoadSlotPackage applies one patch per delta.
// Thread-safety: as the loader's.
#ifndef TINYMLOPS_AGENT_SLOT_PACKAGE_H_
#define TINYMLOPS_AGENT_SLOT_PACKAGE_H_

#include <string>

#include "agent/slot_store.h"
#include "device/package_loader.h"
#include "runtime/status.h"

namespace tinymlops::agent {

Status CheckSlotPackage(const SlotStore& slots, const std::string& slot,
                        const SlotVariant& variant);
Status LoadSlotPackage(device::PackageLoader& loader, const SlotStore& slots,
                       const std::string& slot, const SlotVariant& variant);

}  // namespace tinymlops::agent

#endif  // TINYMLOPS_AGENT_SLOT_PACKAGE_H_
