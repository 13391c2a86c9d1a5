// Registry: signed package uploads re-verified by the server, variants, delta packages checked
// against both versions' models, and downloads with HTTP Range (resumable), over real HTTP
// against both backends.
#include <gtest/gtest.h>

#include "format/package_writer.h"
#include "server_fixture.h"
#include "support/package_fixtures.h"

namespace tinymlops::server {
namespace {

class RegistryApiTest : public ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    deployer_ = ProjectToken("acme", "deployer");
    admin_of_acme_ = ProjectToken("acme", "admin");
    vendor_ = std::move(*crypto::SigningKeyPair::Generate());
    const auto& pk = vendor_.public_key().bytes();
    ASSERT_EQ(Call("POST", "/v1/projects/acme/keys", admin_of_acme_,
                   nlohmann::json{{"name", "vendor"}, {"public_key", ToHex(pk.data(), pk.size())}}
                       .dump())
                  .status,
              201);
    ASSERT_EQ(Call("POST", "/v1/projects/acme/models", deployer_, R"({"name":"digits"})").status,
              201);
  }

  // `n`: the model's width (4 bytes of weights each; 40000 spans several 64 KiB send chunks).
  std::string Package(const crypto::SigningKeyPair* signer, const std::string& model = "digits",
                      int n = 512) {
    test_support::PackageSpec spec;
    spec.n = n;
    spec.model = test_support::ScaleModel(spec.n);
    spec.manifest = test_support::Identity(model, 1);
    spec.signer = signer;
    const std::vector<uint8_t> bytes = test_support::MakePackage(std::move(spec));
    EXPECT_FALSE(bytes.empty());
    return std::string(bytes.begin(), bytes.end());
  }

  static constexpr const char* kUpload =
      "/v1/projects/acme/models/digits/versions/1.0.0/variants/fp32"
      "?dtype=float32&arena_bytes=4096&ops=Mul,Add&accuracy=0.97";

  std::string deployer_, admin_of_acme_;
  crypto::SigningKeyPair vendor_;
};

TEST_P(RegistryApiTest, SignedPackageIsVerifiedAndRecordedAsAVariant) {
  const std::string package = Package(&vendor_);
  auto uploaded = Call("PUT", kUpload, deployer_, package);
  ASSERT_EQ(uploaded.status, 201) << uploaded.body;
  const auto v = Json(uploaded);
  EXPECT_EQ(v["model"], "digits");
  EXPECT_EQ(v["version"], "1.0.0");
  EXPECT_EQ(v["variant"], "fp32");
  EXPECT_EQ(v["target"], "linux-x86_64");
  EXPECT_EQ(v["dtype"], "float32");
  EXPECT_EQ(v["arena_bytes"], 4096);
  EXPECT_EQ(v["ops"], nlohmann::json::array({"Mul", "Add"}));
  EXPECT_DOUBLE_EQ(v["accuracy"].get<double>(), 0.97);
  EXPECT_EQ(v["signer_key_id"], vendor_.public_key().key_id());
  EXPECT_EQ(v["package_bytes"], package.size());
  EXPECT_GT(v["size_bytes"].get<int64_t>(), 0);
  auto listed = Json(Call("GET", "/v1/projects/acme/models/digits/variants", deployer_));
  ASSERT_EQ(listed["variants"].size(), 1u);
  EXPECT_EQ(listed["variants"][0]["id"], v["id"]);
  // The same variant twice is a conflict.
  EXPECT_EQ(Call("PUT", kUpload, deployer_, package).status, 409);
}

TEST_P(RegistryApiTest, PackagesTheServerCannotVerifyAreRefused) {
  auto stranger = crypto::SigningKeyPair::Generate();
  auto untrusted = Call("PUT", kUpload, deployer_, Package(&*stranger));
  EXPECT_EQ(untrusted.status, 400);
  EXPECT_NE(Json(untrusted)["error"].get<std::string>().find("refused"), std::string::npos);
  EXPECT_EQ(Call("PUT", kUpload, deployer_, Package(nullptr)).status, 400);  // unsigned
  std::string tampered = Package(&vendor_);
  tampered[tampered.size() - 10] ^= 0x40;  // a payload byte
  EXPECT_EQ(Call("PUT", kUpload, deployer_, tampered).status, 400);
  EXPECT_EQ(Call("PUT", kUpload, deployer_, "not a package").status, 400);
  // A package of another model uploaded under this one's name.
  ASSERT_EQ(Call("POST", "/v1/projects/acme/models", deployer_, R"({"name":"other"})").status, 201);
  auto mismatch = Call("PUT", kUpload, deployer_, Package(&vendor_, "other"));
  EXPECT_EQ(mismatch.status, 400);
  // Nothing was recorded, nothing stored.
  EXPECT_TRUE(Json(Call("GET", "/v1/projects/acme/models/digits/variants", deployer_))["variants"]
                  .empty());
  // A viewer may not upload at all.
  const std::string viewer = ProjectToken("acme", "viewer");
  EXPECT_EQ(Call("PUT", kUpload, viewer, Package(&vendor_)).status, 403);
  // Nor may a variant be uploaded without its dtype.
  EXPECT_EQ(Call("PUT", "/v1/projects/acme/models/digits/versions/1.0.0/variants/fp32",
                 deployer_, Package(&vendor_))
                .status,
            400);
}

TEST_P(RegistryApiTest, PackagesDownloadWholeOrByRange) {
  const std::string package = Package(&vendor_, "digits", 40000);
  ASSERT_GT(package.size(), 3u * 65536);
  auto uploaded = Call("PUT", kUpload, deployer_, package);
  ASSERT_EQ(uploaded.status, 201) << uploaded.body;
  const std::string url = "/v1/projects/acme/variants/" + Json(uploaded)["id"].get<std::string>() +
                          "/package";
  auto whole = Call("GET", url, deployer_);
  ASSERT_EQ(whole.status, 200);
  EXPECT_EQ(whole.body, package);
  EXPECT_EQ(whole.headers["accept-ranges"], "bytes");
  // Resume: the rest from byte 100.
  auto rest = Call("GET", url, deployer_, "", {{"Range", "bytes=100-"}});
  ASSERT_EQ(rest.status, 206);
  EXPECT_EQ(rest.body, package.substr(100));
  EXPECT_EQ(rest.headers["content-range"],
            "bytes 100-" + std::to_string(package.size() - 1) + "/" +
                std::to_string(package.size()));
  auto middle = Call("GET", url, deployer_, "", {{"Range", "bytes=10-19"}});
  ASSERT_EQ(middle.status, 206);
  EXPECT_EQ(middle.body, package.substr(10, 10));
  // A range across several send chunks, resumed in the middle of one.
  auto across = Call("GET", url, deployer_, "", {{"Range", "bytes=65000-200000"}});
  ASSERT_EQ(across.status, 206);
  EXPECT_EQ(across.body, package.substr(65000, 200000 - 65000 + 1));
  auto suffix = Call("GET", url, deployer_, "", {{"Range", "bytes=-7"}});
  ASSERT_EQ(suffix.status, 206);
  EXPECT_EQ(suffix.body, package.substr(package.size() - 7));
  auto beyond = Call("GET", url, deployer_, "",
                     {{"Range", "bytes=" + std::to_string(package.size()) + "-"}});
  EXPECT_EQ(beyond.status, 416);
  EXPECT_EQ(beyond.headers["content-range"], "bytes */" + std::to_string(package.size()));
  // A device of the project downloads it by a signed request; another project's device cannot.
  Device device = EnrollDevice("acme", deployer_);
  const std::string device_url =
      "/v1/device/variants/" + Json(uploaded)["id"].get<std::string>() + "/package";
  auto fetched = DeviceCall(device, "GET", device_url, "", {{"Range", "bytes=0-99"}});
  ASSERT_EQ(fetched.status, 206) << fetched.body;
  EXPECT_EQ(fetched.body, package.substr(0, 100));
  const std::string other_admin = ProjectToken("other", "admin");
  Device outsider = EnrollDevice("other", other_admin);
  EXPECT_EQ(DeviceCall(outsider, "GET", device_url).status, 404);
  EXPECT_EQ(Call("GET", url, other_admin).status, 404);
}

// Delta uploads: 1.0.0 is the scale model, 1.1.0 the same fine-tuned; both clear packages; then
// encrypted versions of the fine-tuned model (2.0.0 with its model hash signed, 3.0.0 without).
TEST_P(RegistryApiTest, DeltasAreVerifiedAgainstTheBaseAndTheTargetVariant) {
  constexpr int kWidth = 4096;
  const std::vector<uint8_t> base = test_support::ScaleModel(kWidth);
  const std::vector<uint8_t> tuned = test_support::TunedScaleModel(kWidth);
  auto spec = [&](const std::string& version, const std::vector<uint8_t>& model) {
    test_support::PackageSpec s;  // no self-test: its vectors would outweigh the patch
    s.model = model;
    s.manifest = test_support::Identity("digits", version == "1.0.0" ? 1 : 2);
    s.manifest.version = version;
    s.signer = &vendor_;
    return s;
  };
  auto text = [](const std::vector<uint8_t>& bytes) {
    EXPECT_FALSE(bytes.empty());
    return std::string(bytes.begin(), bytes.end());
  };
  auto full = [&](const std::string& version, const std::vector<uint8_t>& model) {
    return text(test_support::MakePackage(spec(version, model)));
  };
  auto delta = [&](const std::vector<uint8_t>& from, const std::vector<uint8_t>& to,
                   const crypto::SigningKeyPair* signer) {
    test_support::PackageSpec s = spec("1.1.0", to);
    s.signer = signer;
    return text(test_support::MakeDeltaPackage(from, std::move(s)));
  };
  auto error = [&](const test_support::ClientResponse& r) { return Json(r).value("error", ""); };
  const std::string delta_url =
      "/v1/projects/acme/models/digits/versions/1.1.0/variants/fp32/deltas/1.0.0";
  const std::string good = delta(base, tuned, &vendor_);
  // Both versions' variants come first.
  auto early = Call("PUT", delta_url, deployer_, good);
  EXPECT_EQ(early.status, 404) << early.body;
  const std::string full_v2 = full("1.1.0", tuned);
  ASSERT_EQ(Call("PUT", kUpload, deployer_, full("1.0.0", base)).status, 201);
  auto v2 =
      Call("PUT", "/v1/projects/acme/models/digits/versions/1.1.0/variants/fp32?dtype=float32",
           deployer_, full_v2);
  ASSERT_EQ(v2.status, 201) << v2.body;

  // A delta uploaded as a full variant: refused, saying how to upload it.
  auto as_variant = Call("PUT",
                         "/v1/projects/acme/models/digits/versions/1.1.0/variants/fp32"
                         "?dtype=float32",
                         deployer_, good);
  EXPECT_EQ(as_variant.status, 400);
  EXPECT_NE(error(as_variant).find("--delta-from"), std::string::npos) << as_variant.body;
  // A whole package as a delta, an unsigned or untrusted delta, a delta of another base or to
  // another model: all refused.
  auto whole = Call("PUT", delta_url, deployer_, full_v2);
  EXPECT_EQ(whole.status, 400);
  EXPECT_NE(error(whole).find("whole-model"), std::string::npos) << whole.body;
  auto stranger = crypto::SigningKeyPair::Generate();
  EXPECT_EQ(Call("PUT", delta_url, deployer_, delta(base, tuned, &*stranger)).status, 400);
  EXPECT_EQ(Call("PUT", delta_url, deployer_, delta(base, tuned, nullptr)).status, 400);
  const std::vector<uint8_t> other = test_support::ScaleModel(kWidth, 7);
  auto wrong_base = Call("PUT", delta_url, deployer_, delta(other, tuned, &vendor_));
  EXPECT_EQ(wrong_base.status, 400);
  EXPECT_NE(error(wrong_base).find("patches model"), std::string::npos) << wrong_base.body;
  auto wrong_result = Call("PUT", delta_url, deployer_, delta(base, other, &vendor_));
  EXPECT_EQ(wrong_result.status, 400);
  EXPECT_NE(error(wrong_result).find("produces model"), std::string::npos) << wrong_result.body;

  // The right one is recorded, smaller than the full package; one per base.
  auto uploaded = Call("PUT", delta_url, deployer_, good);
  ASSERT_EQ(uploaded.status, 201) << uploaded.body;
  const auto d = Json(uploaded);
  EXPECT_EQ(d["base_version"], "1.0.0");
  EXPECT_EQ(d["variant_id"], Json(v2)["id"]);
  EXPECT_EQ(d["package_bytes"], good.size());
  EXPECT_LT(good.size(), full_v2.size());
  EXPECT_EQ(Call("PUT", delta_url, deployer_, good).status, 409);
  // Devices of the project download it whole or by range; other projects' devices cannot.
  const std::string device_url = "/v1/device/deltas/" + d["id"].get<std::string>() + "/package";
  Device device = EnrollDevice("acme", deployer_);
  auto fetched = DeviceCall(device, "GET", device_url, "", {{"Range", "bytes=10-"}});
  ASSERT_EQ(fetched.status, 206) << fetched.body;
  EXPECT_EQ(fetched.body, good.substr(10));
  Device outsider = EnrollDevice("other", ProjectToken("other", "admin"));
  EXPECT_EQ(DeviceCall(outsider, "GET", device_url).status, 404);

  // An encrypted version and an encrypted delta to it: the server checks the delta against the
  // model hash in the variant's signed manifest.
  auto encrypted_spec = [&](const std::string& version) {
    test_support::PackageSpec s = spec(version, tuned);
    s.devices = {device.key.public_key()};
    return s;
  };
  auto sealed_v2 =
      Call("PUT", "/v1/projects/acme/models/digits/versions/2.0.0/variants/fp32?dtype=float32",
           deployer_, text(test_support::MakePackage(encrypted_spec("2.0.0"))));
  ASSERT_EQ(sealed_v2.status, 201) << sealed_v2.body;
  const std::string sealed_delta =
      text(test_support::MakeDeltaPackage(base, encrypted_spec("2.0.0")));
  auto to_sealed =
      Call("PUT", "/v1/projects/acme/models/digits/versions/2.0.0/variants/fp32/deltas/1.0.0",
           deployer_, sealed_delta);
  ASSERT_EQ(to_sealed.status, 201) << to_sealed.body;
  EXPECT_EQ(Json(to_sealed)["variant_id"], Json(sealed_v2)["id"]);

  // An encrypted package built before manifests carried the model hash: the server cannot
  // check a delta to it.
  const std::vector<uint8_t> sealed_v3 = test_support::MakePackage(encrypted_spec("3.0.0"));
  auto old = format::ParsePackageUnverified(sealed_v3.data(), sealed_v3.size());
  ASSERT_TRUE(old.ok()) << old.status().message();
  old->manifest.model_hash.clear();
  auto old_bytes = format::SerializePackage(*old, &vendor_);
  ASSERT_TRUE(old_bytes.ok());
  ASSERT_EQ(
      Call("PUT", "/v1/projects/acme/models/digits/versions/3.0.0/variants/fp32?dtype=float32",
           deployer_, text(*old_bytes))
          .status,
      201);
  auto to_old =
      Call("PUT", "/v1/projects/acme/models/digits/versions/3.0.0/variants/fp32/deltas/1.0.0",
           deployer_, text(test_support::MakeDeltaPackage(base, encrypted_spec("3.0.0"))));
  EXPECT_EQ(to_old.status, 400);
  EXPECT_NE(error(to_old).find("encrypted"), std::string::npos) << to_old.body;
}

INSTANTIATE_TEST_SUITE_P(Backends, RegistryApiTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tinymlops::server
