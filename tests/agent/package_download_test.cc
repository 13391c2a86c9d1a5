// Resumable downloads of a real uploaded, signed package from a real server, through a TCP
// proxy that breaks the connection in the middle of the answer.
#include "agent/artifact_hash.h"
#include "agent/durable_file.h"
#include "agent_fixture.h"
#include "support/dropping_tcp_proxy.h"

namespace tinymlops::agent {
namespace {

class PackageDownloadTest : public AgentFixture {
 protected:
  PackageRequest RequestFor(const SlotManifest& release) const {
    const SlotVariant& v = release.variants[0];
    return {v.package, root_ + "/fp32.tpkg", v.artifact_hash, v.artifact_bytes};
  }
  static int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }
  static uint64_t SizeOf(const std::string& path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    return ec ? 0 : size;
  }
};

TEST_P(PackageDownloadTest, ABrokenDownloadResumesWhereItStoppedAndVerifies) {
  const SlotManifest release = Upload("1.0.0", 1);
  const PackageRequest request = RequestFor(release);
  ASSERT_GT(request.artifact_bytes, 3000u);
  test_support::DroppingTcpProxy proxy(port_, /*drop_after_bytes=*/2000, /*drop_connections=*/1);
  auto through_proxy = DeviceClient::Create("http://127.0.0.1:" + std::to_string(proxy.port()));
  ASSERT_TRUE(through_proxy.ok());

  auto broken = DownloadPackage(*through_proxy, identity_, request, Now());
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().code(), StatusCode::kIoError);
  EXPECT_NE(std::string(broken.status().message()).find("resumes"), std::string::npos);
  const uint64_t kept = SizeOf(request.destination + ".part");
  ASSERT_GT(kept, 0u);
  ASSERT_LT(kept, 2000u);  // the answer's head came through the proxy too
  EXPECT_FALSE(std::filesystem::exists(request.destination));

  auto resumed = DownloadPackage(*through_proxy, identity_, request, Now());
  ASSERT_TRUE(resumed.ok()) << resumed.status().message();
  EXPECT_EQ(resumed->resumed_from, kept);
  EXPECT_EQ(resumed->bytes_received, request.artifact_bytes - kept);
  const auto requests = proxy.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].find("Range:"), std::string::npos);
  EXPECT_NE(requests[1].find("Range: bytes=" + std::to_string(kept) + "-"), std::string::npos)
      << requests[1];
  EXPECT_EQ(*ArtifactHashOfFile(request.destination), request.artifact_hash);
  EXPECT_FALSE(std::filesystem::exists(request.destination + ".part"));
  // It is the signed package: the device opens it.
  device::FileReleaseCounterStore counters(root_ + "/releases");
  InstallerOptions options = Options(data_, &counters);
  device::PackageLoader loader(options.loader);
  ASSERT_TRUE(loader.Load(request.destination).ok());
  EXPECT_EQ(Serve(loader), Expected(1));
  // Done is done: a further call fetches nothing.
  auto again = DownloadPackage(*client_, identity_, request, Now());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_present);
}

TEST_P(PackageDownloadTest, BytesBeyondTheRecordedProgressAreNotTrusted) {
  const SlotManifest release = Upload("1.0.0", 1);
  const PackageRequest request = RequestFor(release);
  // A cut after the bytes were written but before they were synced and recorded: the file is
  // longer than its progress record, and its tail is garbage.
  std::string part =
      Call("GET", "/v1/projects/acme/variants/" + release.variants[0].id + "/package", deployer_)
          .body.substr(0, 1000);
  part += std::string(1500, '\0');
  ASSERT_TRUE(WriteFileDurably(request.destination + ".part", part).ok());
  ASSERT_TRUE(WriteFileDurably(request.destination + ".part.progress", "1000").ok());
  auto resumed = DownloadPackage(*client_, identity_, request, Now());
  ASSERT_TRUE(resumed.ok()) << resumed.status().message();
  EXPECT_EQ(resumed->resumed_from, 1000u);
  EXPECT_EQ(*ArtifactHashOfFile(request.destination), request.artifact_hash);
}

TEST_P(PackageDownloadTest, AFileThatDoesNotMatchTheAnnouncedHashIsDiscarded) {
  const SlotManifest release = Upload("1.0.0", 1);
  PackageRequest request = RequestFor(release);
  request.artifact_hash = std::string(64, '0');
  auto downloaded = DownloadPackage(*client_, identity_, request, Now());
  ASSERT_FALSE(downloaded.ok());
  EXPECT_EQ(downloaded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(request.destination));
  EXPECT_FALSE(std::filesystem::exists(request.destination + ".part"));
  // An unknown variant: the server's answer, in one line.
  request.target = "/v1/device/variants/var_nope/package";
  auto missing = DownloadPackage(*client_, identity_, request, Now());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(std::string(missing.status().message()).find("404"), std::string::npos);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);  // a delta then takes the full one
}

INSTANTIATE_TEST_SUITE_P(Sqlite, PackageDownloadTest, ::testing::Values("sqlite"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tinymlops::agent
