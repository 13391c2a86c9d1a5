#include "cli/package_files.h"

#include <sodium.h>

#include "cli/command_output.h"
#include "crypto/key_file.h"
#include "toolchain/io/file_io.h"

namespace tinymlops::cli {

Result<format::PackageContents> ReadPackageUnverified(const std::string& path) {
  TMM_ASSIGN_OR_RETURN(const std::string bytes, toolchain::ReadFile(path));
  auto package =
      format::ParsePackageUnverified(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  if (!package.ok()) return WithContext("'" + path + "' is not a valid package", package.status());
  return package;
}

Result<size_t> WritePackage(const std::string& path, format::PackageContents& package,
                            const crypto::SigningKeyPair* signer) {
  TMM_ASSIGN_OR_RETURN(const std::vector<uint8_t> bytes, format::SerializePackage(package, signer));
  TMM_RETURN_IF_ERROR(toolchain::WriteFileAtomically(path, bytes.data(), bytes.size()));
  return bytes.size();
}

Result<crypto::SigningKeyPair> ReadVendorKey(const std::string& path) {
  auto key = crypto::ReadSecretKeyFile(path);
  if (!key.ok()) return WithContext("cannot use the vendor key", key.status());
  return key;
}

JsonValue DescribeManifest(const tpkg::ManifestT& manifest) {
  char hash[2 * format::kPayloadHashBytes + 1] = "";
  if (manifest.payload_hash.size() == format::kPayloadHashBytes)
    sodium_bin2hex(hash, sizeof(hash), manifest.payload_hash.data(), format::kPayloadHashBytes);
  JsonValue report = JsonValue::Object();
  report.Set("model_id", manifest.model_id);
  report.Set("version", manifest.version);
  report.Set("release", manifest.release);
  report.Set("allow_downgrade", manifest.allow_downgrade);
  report.Set("variant", manifest.variant);
  report.Set("target", manifest.target);
  report.Set("min_runtime_version", manifest.min_runtime_version);
  report.Set("created_unix", manifest.created_unix);
  report.Set("signer_key_id", manifest.signer_key_id);
  report.Set("model_bytes", manifest.model_bytes);
  report.Set("payload_bytes", manifest.payload_bytes);
  report.Set("payload_blake2b_256", std::string(hash));
  report.Set("chunk_bytes", manifest.chunk_bytes);
  JsonValue recipients = JsonValue::Array();
  if (manifest.encryption)
    for (const auto& recipient : manifest.encryption->recipients)
      recipients.Append(recipient->key_id);
  report.Set("encrypted", manifest.encryption != nullptr);
  report.Set("recipients", std::move(recipients));
  report.Set("self_tests", manifest.self_tests.size());
  return report;
}

}  // namespace tinymlops::cli
