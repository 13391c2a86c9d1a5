// The CLI's host-side handling of .tpkg files: reading a package back without checking its
// signature (for inspect, sign, encrypt: the vendor's own packages), writing one atomically
// (signed with the vendor key when given), and describing a manifest in reports.
// Errors: the file cannot be read or written, or is not a well-formed package; the message
// names the file. Thread-safety: pure functions.
#ifndef TINYMLOPS_CLI_PACKAGE_FILES_H_
#define TINYMLOPS_CLI_PACKAGE_FILES_H_

#include <string>

#include "cli/json_value.h"
#include "crypto/signing_key.h"
#include "format/package_writer.h"
#include "runtime/status.h"

namespace tinymlops::cli {

Result<format::PackageContents> ReadPackageUnverified(const std::string& path);
// Writes `package` to `path`, signed by `signer` (nullptr: unsigned); returns the file's size.
Result<size_t> WritePackage(const std::string& path, format::PackageContents& package,
                            const crypto::SigningKeyPair* signer);
// Reads the vendor secret key at `path` (refused unless mode 0600).
Result<crypto::SigningKeyPair> ReadVendorKey(const std::string& path);
// model id, version, release, variant, target, sizes, hash, signer, encryption, self-tests,
// and for a delta package its base and result (hashes and sizes); delta is null otherwise.
JsonValue DescribeManifest(const tpkg::ManifestT& manifest);

}  // namespace tinymlops::cli

#endif  // TINYMLOPS_CLI_PACKAGE_FILES_H_
