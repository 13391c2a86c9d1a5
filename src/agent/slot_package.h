// The package files of one variant in an install slot (agent/slot_store.h), checked and loaded
// the same way whichever form they are in: the full package NAME.tpkg, or for a variant
// installed by a delta update its base package NAME.tpkg.base (a copy of the base version's
// full package) and the delta NAME.tpkg.delta. Both forms are self-contained: nothing in the
// other slot is needed, so the next update may overwrite it.
//
// CheckSlotPackage compares each file's BLAKE2b-256 with the hash its manifest entry records
// (the server's artifact hashes). LoadSlotPackage loads the variant into `loader`:
// PackageLoader::Load for a full package, PackageLoader::LoadDelta(base, delta) for a delta
// (which verifies both signatures, the base's model hash and the result's against the signed
// delta before the result is admitted and served). Either leaves the model served so far
// serving on failure.
// Errors: kInvalidArgument (a file does not match its hash: altered or damaged on disk),
// kNotFound / kIoError (a file is missing or unreadable), the loader's errors.
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
