// DownloadPackage: fetches one variant's package into an install slot, resumably.
//
// The bytes go to DEST.part. After every MiB and when the transfer ends (finished or broken)
// the part file is fsynced and only then its length recorded in DEST.part.progress (written
// durably), so after a cut the recorded length never covers bytes that were not on disk. A
// new call resumes with "Range: bytes=N-" from the recorded length (the part file is cut back
// to it), appending; a server that answers 200 instead of 206 restarts the file. When all
// `artifact_bytes` are there, the BLAKE2b-256 of the file must equal `artifact_hash`; then
// DEST.part is renamed to DEST (durably). A DEST already present with the right hash is kept.
// Errors: kIoError when the transfer broke (call again: it resumes), kInvalidArgument when
// the finished file does not match `artifact_hash` or the server sent more than announced
// (the part is discarded, the next call starts over), kIoError for local files.
// Thread-safety: one call per destination at a time.
#ifndef TINYMLOPS_AGENT_PACKAGE_DOWNLOAD_H_
#define TINYMLOPS_AGENT_PACKAGE_DOWNLOAD_H_

#include <cstdint>
#include <string>

#include "agent/device_client.h"
#include "runtime/status.h"

namespace tinymlops::agent {

struct PackageRequest {
  std::string target;         // "/v1/device/variants/ID/package"
  std::string destination;    // the slot's NAME.tpkg
  std::string artifact_hash;  // hex BLAKE2b-256 the server announced
  uint64_t artifact_bytes = 0;
};

struct DownloadReport {
  uint64_t resumed_from = 0;     // the offset this call asked the server for
  uint64_t bytes_received = 0;   // body bytes this call received
  bool already_present = false;  // DEST was there and verified; nothing was fetched
};

Result<DownloadReport> DownloadPackage(const DeviceClient& client, const DeviceIdentity& identity,
                                       const PackageRequest& request, int64_t now_unix);

}  // namespace tinymlops::agent

#endif  // TINYMLOPS_AGENT_PACKAGE_DOWNLOAD_H_
