#include "toolchain/io/file_io.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "toolchain/io/mapped_file.h"

namespace tinymlops::toolchain {
namespace {

class FileIoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/file_io_test_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    folder_ = pattern;
  }
  void TearDown() override {
    for (const std::string& name : Entries()) ::unlink((folder_ + "/" + name).c_str());
    ::rmdir(folder_.c_str());
  }
  std::vector<std::string> Entries() const {
    std::vector<std::string> names;
    DIR* dir = ::opendir(folder_.c_str());
    while (dirent* entry = ::readdir(dir))
      if (std::string(entry->d_name) != "." && std::string(entry->d_name) != "..")
        names.push_back(entry->d_name);
    ::closedir(dir);
    return names;
  }
  std::string folder_;
};

TEST_F(FileIoTest, WritesAtomicallyAndReadsBack) {
  const std::string path = folder_ + "/out.bin";
  const std::string first("abc\0def", 7);
  ASSERT_TRUE(WriteFileAtomically(path, first.data(), first.size()).ok());
  auto read = ReadFile(path);
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(*read, first);

  const std::string second = "replaced";
  ASSERT_TRUE(WriteFileAtomically(path, second.data(), second.size()).ok());
  read = ReadFile(path);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, second);
  EXPECT_EQ(Entries(), std::vector<std::string>{"out.bin"});  // no temporary file left
}

TEST_F(FileIoTest, ErrorsNameThePath) {
  auto missing = ReadFile(folder_ + "/missing.bin");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(std::string(missing.status().message()).find("missing.bin"), std::string::npos);

  auto folder = ReadFile(folder_);
  ASSERT_FALSE(folder.ok());
  EXPECT_EQ(folder.status().code(), StatusCode::kInvalidArgument);

  const Status status = WriteFileAtomically(folder_ + "/no/such/folder/x.bin", "x", 1);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(std::string(status.message()).find("x.bin"), std::string::npos);
}

TEST_F(FileIoTest, MapsFilesAligned) {
  const std::string path = folder_ + "/model.tmm";
  const std::string content(1000, 'm');
  ASSERT_TRUE(WriteFileAtomically(path, content.data(), content.size()).ok());
  auto mapped = MappedFile::Open(path);
  ASSERT_TRUE(mapped.ok()) << mapped.status().message();
  ASSERT_EQ((*mapped)->size(), content.size());
  EXPECT_EQ(reinterpret_cast<uintptr_t>((*mapped)->data()) % 16, 0u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>((*mapped)->data()), content.size()), content);

  const std::string empty_path = folder_ + "/empty.tmm";
  ASSERT_TRUE(WriteFileAtomically(empty_path, "", 0).ok());
  auto empty = MappedFile::Open(empty_path);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ((*empty)->size(), 0u);
  EXPECT_EQ((*empty)->data(), nullptr);

  auto missing = MappedFile::Open(folder_ + "/absent.tmm");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(MappedFile::Open(folder_).ok());
}

}  // namespace
}  // namespace tinymlops::toolchain
