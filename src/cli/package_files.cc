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

namespace {

std::string Hex(const std::vector<uint8_t>& hash) {
  char hex[2 * format::kPayloadHashBytes + 1] = "";
  if (hash.size() == format::kPayloadHashBytes)
    sodium_bin2hex(hex, sizeof(hex), hash.data(), hash.size());
  return hex;
}

}  // namespace

JsonValue DescribeManifest(const tpkg::ManifestT& manifest) {
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
  report.Set("payload_blake2b_256", Hex(manifest.payload_hash));
  if (manifest.model_hash.empty())
    report.Set("model_blake2b_256", JsonValue());  // a delta, or built before the field
  else
    report.Set("model_blake2b_256", Hex(manifest.model_hash));
  report.Set("chunk_bytes", manifest.chunk_bytes);
  JsonValue recipients = JsonValue::Array();
  if (manifest.encryption)
    for (const auto& recipient : manifest.encryption->recipients)
      recipients.Append(recipient->key_id);
  report.Set("encrypted", manifest.encryption != nullptr);
  report.Set("recipients", std::move(recipients));
  report.Set("self_tests", manifest.self_tests.size());
  if (manifest.delta) {
    JsonValue delta = JsonValue::Object();
    delta.Set("base_model_blake2b_256", Hex(manifest.delta->base_model_hash));
    delta.Set("base_model_bytes", manifest.delta->base_model_bytes);
    delta.Set("result_model_blake2b_256", Hex(manifest.delta->result_model_hash));
    delta.Set("result_model_bytes", manifest.model_bytes);
    delta.Set("transform", manifest.delta->transform == tpkg::DeltaTransform::BytePlanes
                               ? "byte-planes"
                               : "none");
    report.Set("delta", std::move(delta));
  } else {
    report.Set("delta", JsonValue());
  }
  return report;
}

}  // namespace tinymlops::cli
