#include "agent/device_enrollment.h"

#include <nlohmann/json.hpp>

#include "agent/durable_file.h"
#include "crypto/key_file.h"
#include "server/auth/opaque_token.h"

namespace tinymlops::agent {

Result<DeviceIdentity> LoadIdentity(const std::string& identity_folder) {
  auto id = ReadFile(identity_folder + "/device_id");
  if (!id.ok())
    return Status::Error(StatusCode::kNotFound,
                         "the device is not enrolled yet (no %s/device_id); start the agent with "
                         "--enroll-token",
                         identity_folder.c_str());
  DeviceIdentity identity;
  identity.device_id = *id;
  TMM_ASSIGN_OR_RETURN(identity.key, crypto::ReadSecretKeyFile(identity_folder + "/device.key"));
  return identity;
}

Result<DeviceIdentity> EnrollDevice(const DeviceClient& client, const std::string& identity_folder,
                                    const std::string& token, const std::string& name,
                                    const std::string& profile_json) {
  TMM_RETURN_IF_ERROR(MakeFolder(identity_folder));
  const std::string key_path = identity_folder + "/device.key";
  auto key = crypto::ReadSecretKeyFile(key_path);
  if (!key.ok() && key.status().code() == StatusCode::kNotFound) {
    TMM_ASSIGN_OR_RETURN(crypto::SigningKeyPair fresh, crypto::SigningKeyPair::Generate());
    TMM_RETURN_IF_ERROR(crypto::WriteSecretKeyFile(key_path, fresh));
    TMM_RETURN_IF_ERROR(
        crypto::WritePublicKeyFile(identity_folder + "/device.pub", fresh.public_key()));
    TMM_RETURN_IF_ERROR(SyncPath(identity_folder));
    key = std::move(fresh);
  }
  if (!key.ok()) return key.status();
  const auto& pk = key->public_key().bytes();
  nlohmann::json profile = nlohmann::json::parse(profile_json, nullptr, false);
  const std::string body =
      nlohmann::json{{"token", token},
                     {"public_key", server::ToHex(pk.data(), pk.size())},
                     {"name", name},
                     {"profile", profile.is_object() ? profile : nlohmann::json::object()}}
          .dump();
  TMM_ASSIGN_OR_RETURN(const server::ApiResponse answer,
                       client.CallUnsigned("POST", "/v1/enroll", body));
  const nlohmann::json parsed = nlohmann::json::parse(answer.body, nullptr, false);
  if (answer.status != 201) {
    const std::string message =
        parsed.is_object() && parsed.contains("error") && parsed["error"].is_string()
            ? parsed["error"].get<std::string>()
            : answer.body.substr(0, 200);
    if (message.find("already enrolled") != std::string::npos)
      return Status::Error(StatusCode::kFailedPrecondition,
                           "the server knows this identity key but the device lost its id; "
                           "remove %s and enroll again with a new token",
                           identity_folder.c_str());
    return Status::Error(StatusCode::kFailedPrecondition,
                         "the server refused the enrollment (%d): %.160s", answer.status,
                         message.c_str());
  }
  if (!parsed.is_object() || !parsed.contains("id") || !parsed["id"].is_string())
    return Status::Error(StatusCode::kIoError, "the server's enrollment answer has no device id");
  DeviceIdentity identity;
  identity.device_id = parsed["id"].get<std::string>();
  TMM_RETURN_IF_ERROR(WriteFileDurably(identity_folder + "/device_id", identity.device_id));
  identity.key = std::move(*key);
  return identity;
}

}  // namespace tinymlops::agent
