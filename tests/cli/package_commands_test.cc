// `tinymlops keys new`, `device keygen`, `package build | sign | encrypt | inspect | verify |
// delta | apply-delta`, and `model run PACKAGE.tpkg`: the user's round trip on the digits model gives the same
// outputs as the plain .tmm; nothing written during a load holds the clear model; output and
// errors never hold key material; one-line errors and exit codes.
#include <dirent.h>
#include <sys/stat.h>

#include <cstdlib>
#include <map>
#include <set>

#include "cli/cli_runner.h"
#include "crypto/key_file.h"
#include "toolchain/io/npy.h"

namespace tinymlops::cli_test {
namespace {

// Every regular file under `folder`, recursively, with its modification time.
void ListFiles(const std::string& folder, std::map<std::string, int64_t>& files) {
  DIR* dir = ::opendir(folder.c_str());
  if (!dir) return;
  while (dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    const std::string path = folder + "/" + name;
    struct stat info;
    if (::lstat(path.c_str(), &info) != 0) continue;
    if (S_ISDIR(info.st_mode))
      ListFiles(path, files);
    else
      files[path] = info.st_mtim.tv_sec * 1000000000LL + info.st_mtim.tv_nsec;
  }
  ::closedir(dir);
}

class PackageCommandsTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    const char* source = std::getenv("TINYMLOPS_SOURCE_DIR");
    ASSERT_NE(source, nullptr);
    source_ = source;
    ASSERT_EQ(
        Cli({"model", "import", source_ + "/examples/digits/digits.onnx", "-o", Path("digits.tmm")})
            .exit_code,
        0);
    auto images = toolchain::ReadNpyFile(source_ + "/examples/digits/heldout_x.npy");
    ASSERT_TRUE(images.ok());
    toolchain::TensorDef one = *images;
    one.shape = {1, images->shape[1]};
    one.data.resize(static_cast<size_t>(images->shape[1]) * sizeof(float));
    ASSERT_TRUE(toolchain::WriteNpyFile(Path("one.npy"), one).ok());
    ASSERT_EQ(Cli({"keys", "new", "vendor", "--dir", Path("vendor")}).exit_code, 0);
    ASSERT_EQ(Cli({"device", "keygen", "--dir", Path("device")}).exit_code, 0);
  }

  // build | sign | encrypt to the device: digits-device.tpkg.
  void MakeDevicePackage(const std::string& release = "1") {
    ProcessResult result =
        Cli({"package", "build", Path("digits.tmm"), "-o", Path("digits.tpkg"), "--model-id",
             "digits", "--version", "1.0.0", "--release", release, "--self-test", Path("one.npy")});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    result = Cli({"package", "sign", Path("digits.tpkg"), "--key", Path("vendor/vendor.key")});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    result = Cli({"package", "encrypt", Path("digits.tpkg"), "--to", Path("device/device.pub"),
                  "--key", Path("vendor/vendor.key"), "-o", Path("digits-device.tpkg")});
    ASSERT_EQ(result.exit_code, 0) << result.err;
  }

  // The hex digits of a key file (its secret or public key).
  std::string KeyHex(const std::string& path) const {
    std::string text = ReadText(path);
    return text.substr(text.find(' ') + 1, 64);
  }

  std::string source_;
};

TEST_F(PackageCommandsTest, RoundTripGivesTheSameOutputsAsThePlainModel) {
  MakeDevicePackage();
  ProcessResult verify = Cli({"package", "verify", Path("digits-device.tpkg"), "--trust",
                              Path("vendor/vendor.pub"), "--keys", Path("device"), "--json"});
  ASSERT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_EQ(Json(verify.out, "d['self_tests_passed']"), "1");
  EXPECT_EQ(Json(verify.out, "d['manifest']['encrypted']"), "true");
  EXPECT_EQ(Json(verify.out, "d['manifest']['model_id']"), "\"digits\"");
  EXPECT_EQ(Json(verify.out, "d['signature'].startswith('valid')"), "true");
  EXPECT_EQ(Json(verify.out, "d['integrity_guard']['cpu_budget']"), "0.01");
  EXPECT_EQ(Json(verify.out, "d['integrity_guard']['verification_period_seconds'] > 0"), "true");
  EXPECT_EQ(Json(verify.out, "d['integrity_guard']['guarded_weight_bytes'] > 1000"), "true");

  ProcessResult run =
      Cli({"model", "run", Path("digits-device.tpkg"), "--trust", Path("vendor/vendor.pub"),
           "--keys", Path("device"), "-i", Path("one.npy"), "-o", Path("out-package")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ProcessResult plain =
      Cli({"model", "run", Path("digits.tmm"), "-i", Path("one.npy"), "-o", Path("out-plain")});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  const std::string expected = ReadText(Path("out-plain/probabilities.npy"));
  EXPECT_FALSE(expected.empty());
  EXPECT_EQ(ReadText(Path("out-package/probabilities.npy")), expected);

  ProcessResult inspect = Cli({"package", "inspect", Path("digits-device.tpkg"), "--json"});
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  auto device_key = crypto::ReadPublicKeyFile(Path("device/device.pub"));
  ASSERT_TRUE(device_key.ok());
  EXPECT_EQ(Json(inspect.out, "d['manifest']['recipients']"), "[\"" + device_key->key_id() + "\"]");
  EXPECT_EQ(Json(inspect.out, "d['signature'].startswith('not checked')"), "true");
  // The encrypted package names its clear model by hash (BLAKE2b-256 of digits.tmm).
  EXPECT_EQ(Json(inspect.out,
                 "d['manifest']['model_blake2b_256'] == __import__('hashlib').blake2b(open('" +
                     Path("digits.tmm") + "', 'rb').read(), digest_size=32).hexdigest()"),
            "true");
}

TEST_F(PackageCommandsTest, LoadingWritesNoClearModelAndPrintsNoKeyMaterial) {
  MakeDevicePackage();
  const std::string model = ReadText(Path("digits.tmm"));
  ASSERT_GT(model.size(), 4096u);
  std::map<std::string, int64_t> before;
  ListFiles(scratch_, before);
  ASSERT_EQ(::mkdir(Path("tmp").c_str(), 0700), 0);
  setenv("TMPDIR", Path("tmp").c_str(), 1);
  ProcessResult run = Cli({"model", "run", Path("digits-device.tpkg"), "--trust",
                           Path("vendor/vendor.pub"), "--keys", Path("device"), "--state",
                           Path("state"), "-i", Path("one.npy"), "-o", Path("out"), "--json"});
  unsetenv("TMPDIR");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // Only the output and the release counter are new, and neither holds any 32-byte window of
  // the model.
  std::map<std::string, int64_t> after;
  ListFiles(scratch_, after);
  std::set<std::string> written;
  for (const auto& [path, mtime] : after)
    if (before.count(path) == 0 || before[path] != mtime) written.insert(path);
  written.erase(Path(".stdout"));
  written.erase(Path(".stderr"));
  ASSERT_EQ(written.size(), 2u);
  EXPECT_EQ(written.count(Path("out/probabilities.npy")), 1u);
  for (const std::string& path : written) {
    const std::string bytes = ReadText(path);
    for (size_t offset = 0; offset + 32 <= model.size(); offset += 16)
      ASSERT_EQ(bytes.find(model.substr(offset, 32)), std::string::npos)
          << path << " holds model bytes at " << offset;
  }
  // No key material in what the command printed (secrets and the public keys' bytes).
  for (const std::string& key : {Path("device/device.key"), Path("vendor/vendor.key")}) {
    const std::string hex = KeyHex(key);
    ASSERT_EQ(hex.size(), 64u);
    for (const std::string& text : {run.out, run.err}) {
      EXPECT_EQ(text.find(hex), std::string::npos);
      EXPECT_EQ(text.find(hex.substr(0, 16)), std::string::npos);
    }
  }
  // Nor in what key generation printed.
  ProcessResult keygen = Cli({"device", "keygen", "--dir", Path("device2"), "--json"});
  ASSERT_EQ(keygen.exit_code, 0);
  EXPECT_EQ(keygen.out.find(KeyHex(Path("device2/device.key")).substr(0, 16)), std::string::npos);
}

TEST_F(PackageCommandsTest, KeysAreWrittenPrivateAndLooseKeysAreRefused) {
  struct stat info;
  ASSERT_EQ(::stat(Path("vendor/vendor.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(Path("device/device.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  ExpectError(Cli({"keys", "new", "vendor", "--dir", Path("vendor")}), 1, "already exists");
  ASSERT_EQ(Cli({"package", "build", Path("digits.tmm"), "-o", Path("d.tpkg"), "--model-id", "d",
                 "--version", "1.0.0", "--release", "1"})
                .exit_code,
            0);
  ASSERT_EQ(::chmod(Path("vendor/vendor.key").c_str(), 0640), 0);
  ExpectError(Cli({"package", "sign", Path("d.tpkg"), "--key", Path("vendor/vendor.key")}), 1,
              "run 'chmod 600 " + Path("vendor/vendor.key") + "'");
}

TEST_F(PackageCommandsTest, RefusedPackagesAreOneLineErrors) {
  MakeDevicePackage();
  // Unsigned, and a trusted key file that does not exist.
  ASSERT_EQ(Cli({"package", "build", Path("digits.tmm"), "-o", Path("unsigned.tpkg"), "--model-id",
                 "digits", "--version", "1.0.0", "--release", "1"})
                .exit_code,
            0);
  ExpectError(
      Cli({"package", "verify", Path("unsigned.tpkg"), "--trust", Path("vendor/vendor.pub")}), 1,
      "does not verify with any trusted vendor key");
  ExpectError(Cli({"package", "verify", Path("digits.tpkg"), "--trust", Path("other.pub")}), 1,
              "other.pub");
  // Altered payload.
  std::string bytes = ReadText(Path("digits-device.tpkg"));
  bytes[bytes.size() - 5] ^= 0x01;
  WriteText(Path("altered.tpkg"), bytes);
  ExpectError(
      Cli({"package", "verify", Path("altered.tpkg"), "--trust", Path("vendor/vendor.pub")}), 1,
      "does not match the hash in the signed manifest");
  // Another device.
  ASSERT_EQ(Cli({"device", "keygen", "--dir", Path("other-device")}).exit_code, 0);
  ExpectError(Cli({"model", "run", Path("digits-device.tpkg"), "--trust", Path("vendor/vendor.pub"),
                   "--keys", Path("other-device"), "-i", Path("one.npy"), "-o", Path("out")}),
              1, "not to this device");
  // Rollback with a state folder.
  ASSERT_EQ(Cli({"package", "verify", Path("digits-device.tpkg"), "--trust",
                 Path("vendor/vendor.pub"), "--keys", Path("device"), "--state", Path("state")})
                .exit_code,
            0);
  MakeDevicePackage("0");
  ExpectError(Cli({"package", "verify", Path("digits-device.tpkg"), "--trust",
                   Path("vendor/vendor.pub"), "--keys", Path("device"), "--state", Path("state")}),
              1, "rollback refused");
  // Wrong command lines.
  ExpectError(Cli({"package", "build", Path("digits.tmm"), "-o", Path("x.tpkg")}), 2,
              "run 'tinymlops package build --help' for usage");
  ExpectError(Cli({"package", "verify", Path("digits-device.tpkg")}), 2, "--trust is required");
  ExpectError(Cli({"package", "build", Path("digits.tmm"), "-o", Path("x.tpkg"), "--model-id", "d",
                   "--version", "one", "--release", "1"}),
              1, "'one' is not a semantic version");
}

TEST_F(PackageCommandsTest, ADeltaPackageAppliesToItsBaseAndOnlyToIt) {
  // Two int8 models of the same float model, calibrated on different samples.
  for (const auto& [name, samples] : {std::pair{"a", "calibration_x.npy"},
                                      std::pair{"b", "heldout_x.npy"}}) {
    ProcessResult result =
        Cli({"model", "quantize", Path("digits.tmm"), "--calibration",
             source_ + "/examples/digits/" + samples, "-o", Path(std::string(name) + ".tmm")});
    ASSERT_EQ(result.exit_code, 0) << result.err;
  }
  const std::vector<std::string> identity = {"--model-id", "digits", "--version", "1.0.0",
                                             "--self-test", Path("one.npy"), "--key",
                                             Path("vendor/vendor.key")};
  auto with = [&](std::vector<std::string> arguments) {
    arguments.insert(arguments.end(), identity.begin(), identity.end());
    return arguments;
  };
  ProcessResult result =
      Cli(with({"package", "build", Path("a.tmm"), "-o", Path("a.tpkg"), "--release", "1"}));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  result = Cli(with({"package", "build", Path("b.tmm"), "-o", Path("b.tpkg"), "--release", "2"}));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  result = Cli(with({"package", "delta", "--from", Path("a.tmm"), "--to", Path("b.tmm"), "-o",
                     Path("a-b.tpkg"), "--release", "2"}));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  for (const char* package : {"a.tpkg", "a-b.tpkg"}) {
    result = Cli({"package", "encrypt", Path(package), "--to", Path("device/device.pub"), "--key",
                  Path("vendor/vendor.key")});
    ASSERT_EQ(result.exit_code, 0) << result.err;
  }
  EXPECT_LT(ReadText(Path("a-b.tpkg")).size(), ReadText(Path("b.tpkg")).size());

  result = Cli({"package", "inspect", Path("a-b.tpkg"), "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("\"base_model_blake2b_256\""), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("\"result_model_bytes\""), std::string::npos);
  EXPECT_EQ(Json(result.out, "d['manifest']['model_blake2b_256']"), "null");

  result = Cli({"package", "apply-delta", Path("a-b.tpkg"), "--base", Path("a.tpkg"), "--trust",
                Path("vendor/vendor.pub"), "--keys", Path("device"), "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("\"self_tests_passed\": 1"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("\"release\": 2"), std::string::npos);

  ExpectError(Cli({"package", "apply-delta", Path("a-b.tpkg"), "--base", Path("b.tpkg"),
                   "--trust", Path("vendor/vendor.pub"), "--keys", Path("device")}),
              1, "install the full package instead");
  ExpectError(Cli({"package", "verify", Path("a-b.tpkg"), "--trust", Path("vendor/vendor.pub"),
                   "--keys", Path("device")}),
              1, "it is a delta package");
}

}  // namespace
}  // namespace tinymlops::cli_test
