#include "toolchain/io/npy.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "toolchain/io/file_io.h"

namespace tinymlops::toolchain {
namespace {

// The header NumPy 1.24 writes for np.arange(6, dtype='<f4').reshape(2, 3): a dict padded with
// spaces to 118 bytes, newline last, so that the data starts at byte 128.
const std::string kFloat2x3Header =
    "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" + std::string(58, ' ') + "\n";

template <typename T>
std::string Raw(const std::vector<T>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

// Builds a .npy file by hand: magic, version, little-endian header length, header, data.
std::string NpyBytes(int major, const std::string& header, const std::string& data) {
  std::string bytes = "\x93NUMPY";
  bytes += static_cast<char>(major);
  bytes += '\0';
  const size_t length = header.size();
  const int width = major == 1 ? 2 : 4;
  for (int i = 0; i < width; ++i) bytes += static_cast<char>((length >> (8 * i)) & 0xff);
  return bytes + header + data;
}

std::string Header(const std::string& descr, const std::string& shape,
                   const std::string& fortran = "False") {
  return "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }\n";
}

TEST(NpyTest, ReadsFloat32AsNumpyWritesIt) {
  const std::vector<float> values = {0, 1, 2, 3, 4, 5};
  auto tensor = ParseNpy(NpyBytes(1, kFloat2x3Header, Raw(values)), "a.npy");
  ASSERT_TRUE(tensor.ok()) << tensor.status().message();
  EXPECT_EQ(tensor->dtype, DType::kFloat32);
  EXPECT_EQ(tensor->shape, (std::vector<int32_t>{2, 3}));
  EXPECT_TRUE(tensor->is_constant);
  EXPECT_EQ(tensor->Values<float>(), values);
}

TEST(NpyTest, SerializesExactlyAsNumpyDoes) {
  TensorDef tensor;
  tensor.shape = {2, 3};
  tensor.SetValues(std::vector<float>{0, 1, 2, 3, 4, 5});
  const std::string bytes = SerializeNpy(tensor);
  EXPECT_EQ(bytes, NpyBytes(1, kFloat2x3Header, Raw(std::vector<float>{0, 1, 2, 3, 4, 5})));
  EXPECT_EQ(bytes.size(), 152u);  // the size of numpy.save's file

  TensorDef vector;
  vector.dtype = DType::kInt8;
  vector.shape = {3};
  vector.SetValues(std::vector<int8_t>{-1, 0, 127});
  const std::string int8_header =
      "{'descr': '|i1', 'fortran_order': False, 'shape': (3,), }" + std::string(60, ' ') + "\n";
  EXPECT_EQ(SerializeNpy(vector), NpyBytes(1, int8_header, Raw(std::vector<int8_t>{-1, 0, 127})));

  TensorDef scalar;
  scalar.SetValues(std::vector<float>{3.5f});
  const std::string scalar_header =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (), }" + std::string(62, ' ') + "\n";
  EXPECT_EQ(SerializeNpy(scalar), NpyBytes(1, scalar_header, Raw(std::vector<float>{3.5f})));
}

TEST(NpyTest, RoundTripsEveryDType) {
  auto round_trip = [](TensorDef tensor) {
    auto parsed = ParseNpy(SerializeNpy(tensor), "x.npy");
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    EXPECT_EQ(parsed->dtype, tensor.dtype);
    EXPECT_EQ(parsed->shape, tensor.shape);
    EXPECT_EQ(parsed->data, tensor.data);
  };
  TensorDef tensor;
  tensor.shape = {1, 2, 2};
  tensor.SetValues(std::vector<float>{-1.5f, 0.25f, 3e38f, -0.0f});
  round_trip(tensor);
  tensor.dtype = DType::kInt8;
  tensor.SetValues(std::vector<int8_t>{-128, -1, 0, 127});
  round_trip(tensor);
  tensor.dtype = DType::kUInt8;
  tensor.SetValues(std::vector<uint8_t>{0, 1, 128, 255});
  round_trip(tensor);
  tensor.dtype = DType::kInt32;
  tensor.SetValues(std::vector<int32_t>{std::numeric_limits<int32_t>::min(), -1, 0, 7});
  round_trip(tensor);
  tensor.dtype = DType::kInt64;
  tensor.SetValues(std::vector<int64_t>{std::numeric_limits<int64_t>::max(), -1, 0, 7});
  round_trip(tensor);
  tensor.dtype = DType::kFloat32;
  tensor.shape = {0, 3};
  tensor.data.clear();
  round_trip(tensor);
}

TEST(NpyTest, ReadsVersions2And3) {
  const std::string header = Header("<i4", "(2,)");
  for (int major : {2, 3}) {
    auto tensor = ParseNpy(NpyBytes(major, header, Raw(std::vector<int32_t>{1, 2})), "v.npy");
    ASSERT_TRUE(tensor.ok()) << tensor.status().message();
    EXPECT_EQ(tensor->dtype, DType::kInt32);
    EXPECT_EQ(tensor->Values<int32_t>(), (std::vector<int32_t>{1, 2}));
  }
}

TEST(NpyTest, AcceptsDoubleQuotesAndAnyKeyOrder) {
  const std::string header = "{\"shape\": (2,), \"fortran_order\": False, \"descr\": \"|u1\"}\n";
  auto tensor = ParseNpy(NpyBytes(1, header, "\x05\xff"), "q.npy");
  ASSERT_TRUE(tensor.ok()) << tensor.status().message();
  EXPECT_EQ(tensor->Values<uint8_t>(), (std::vector<uint8_t>{5, 255}));
}

TEST(NpyTest, ConvertsBoolToUInt8) {
  auto tensor =
      ParseNpy(NpyBytes(1, Header("|b1", "(3,)"), std::string("\x01\x00\x01", 3)), "b.npy");
  ASSERT_TRUE(tensor.ok()) << tensor.status().message();
  EXPECT_EQ(tensor->dtype, DType::kUInt8);
  EXPECT_EQ(tensor->Values<uint8_t>(), (std::vector<uint8_t>{1, 0, 1}));
}

TEST(NpyTest, ConvertsFloat64ToFloat32) {
  const std::vector<double> values = {0.1, -2.5, 1e300, -1e300};
  auto tensor = ParseNpy(NpyBytes(1, Header("<f8", "(2, 2)"), Raw(values)), "d.npy");
  ASSERT_TRUE(tensor.ok()) << tensor.status().message();
  EXPECT_EQ(tensor->dtype, DType::kFloat32);
  const std::vector<float> floats = tensor->Values<float>();
  ASSERT_EQ(floats.size(), 4u);
  EXPECT_EQ(floats[0], 0.1f);
  EXPECT_EQ(floats[1], -2.5f);
  EXPECT_EQ(floats[2], std::numeric_limits<float>::infinity());
  EXPECT_EQ(floats[3], -std::numeric_limits<float>::infinity());
}

// Each malformed file is an error whose message names the file.
TEST(NpyTest, RejectsMalformedFilesNamingThem) {
  const std::string four_floats = Raw(std::vector<float>{1, 2, 3, 4});
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"empty", ""},
      {"bad magic", "\x93NUMPX\x01\x00" + std::string(8, ' ')},
      {"version 4", NpyBytes(4, Header("<f4", "(4,)"), four_floats)},
      {"header past end", NpyBytes(1, Header("<f4", "(4,)"), four_floats).substr(0, 30)},
      {"data too short", NpyBytes(1, Header("<f4", "(4,)"), four_floats.substr(0, 15))},
      {"data too long", NpyBytes(1, Header("<f4", "(4,)"), four_floats + "x")},
      {"fortran order", NpyBytes(1, Header("<f4", "(2, 2)", "True"), four_floats)},
      {"big endian", NpyBytes(1, Header(">f4", "(4,)"), four_floats)},
      {"float16", NpyBytes(1, Header("<f2", "(8,)"), four_floats)},
      {"negative dim", NpyBytes(1, Header("<f4", "(-4,)"), four_floats)},
      {"huge dim", NpyBytes(1, Header("<f4", "(4294967296,)"), four_floats)},
      {"too many elements", NpyBytes(1, Header("<f4", "(65536, 65536, 65536)"), four_floats)},
      {"missing key", NpyBytes(1, "{'descr': '<f4', 'shape': (4,), }\n", four_floats)},
      {"repeated key",
       NpyBytes(1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (4,)}\n",
                four_floats)},
      {"unknown key",
       NpyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), 'x': 1}\n",
                four_floats)},
      {"text after dict", NpyBytes(1, Header("<f4", "(4,)") + "junk", four_floats)},
      {"unclosed string", NpyBytes(1, "{'descr: '<f4'}", four_floats)},
      {"not a dict", NpyBytes(1, "[1, 2]\n", four_floats)},
  };
  for (const auto& [name, bytes] : cases) {
    auto tensor = ParseNpy(bytes, "input-" + name + ".npy");
    ASSERT_FALSE(tensor.ok()) << name;
    EXPECT_NE(std::string(tensor.status().message()).find("input-" + name + ".npy"),
              std::string::npos)
        << name << ": " << tensor.status().message();
  }
}

TEST(NpyTest, EveryTruncationIsAnError) {
  const std::string bytes = NpyBytes(1, kFloat2x3Header, Raw(std::vector<float>{0, 1, 2, 3, 4, 5}));
  for (size_t size = 0; size < bytes.size(); ++size)
    EXPECT_FALSE(ParseNpy(bytes.substr(0, size), "cut.npy").ok()) << size;
}

class NpyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/npy_test_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    folder_ = pattern;
  }
  void TearDown() override {
    for (const std::string& path : created_) ::unlink(path.c_str());
    ::rmdir(folder_.c_str());
  }
  std::string Path(const std::string& name) {
    created_.push_back(folder_ + "/" + name);
    return created_.back();
  }
  std::string folder_;
  std::vector<std::string> created_;
};

TEST_F(NpyFileTest, WritesAndReadsFiles) {
  TensorDef tensor;
  tensor.dtype = DType::kInt32;
  tensor.shape = {3};
  tensor.SetValues(std::vector<int32_t>{4, -5, 6});
  const std::string path = Path("t.npy");
  ASSERT_TRUE(WriteNpyFile(path, tensor).ok());
  auto read = ReadNpyFile(path);
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->Values<int32_t>(), (std::vector<int32_t>{4, -5, 6}));
}

TEST_F(NpyFileTest, RefusesToWriteDataThatDoesNotMatchTheShape) {
  TensorDef tensor;
  tensor.shape = {3};
  tensor.SetValues(std::vector<float>{1, 2});
  const Status status = WriteNpyFile(Path("bad.npy"), tensor);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(ReadFile(folder_ + "/bad.npy").ok());  // nothing was written
}

TEST_F(NpyFileTest, MissingFileIsNotFound) {
  auto read = ReadNpyFile(folder_ + "/absent.npy");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kNotFound);
  EXPECT_NE(std::string(read.status().message()).find("absent.npy"), std::string::npos);
}

}  // namespace
}  // namespace tinymlops::toolchain
