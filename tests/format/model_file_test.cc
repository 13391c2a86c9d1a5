#include "format/model_file.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <random>
#include <vector>

#include "toolchain/graph/tmm_writer.h"

namespace tinymlops::format {
namespace {

// A model with one constant-free identity graph: its input is its output.
std::vector<uint8_t> IdentityModel() {
  toolchain::Graph graph;
  graph.name = "identity";
  toolchain::TensorDef input;
  input.name = "x";
  input.shape = {1, 4};
  const int x = graph.AddTensor(input);
  graph.inputs = {x};
  graph.outputs = {x};
  auto bytes = toolchain::WriteTmm(graph);
  EXPECT_TRUE(bytes.ok()) << bytes.status().message();
  return *bytes;
}

struct AlignedBytes {
  explicit AlignedBytes(const std::vector<uint8_t>& bytes)
      : size(bytes.size()),
        data(static_cast<uint8_t*>(std::aligned_alloc(16, (size + 16) / 16 * 16))) {
    std::copy(bytes.begin(), bytes.end(), data);
  }
  ~AlignedBytes() { std::free(data); }
  size_t size;
  uint8_t* data;
};

TEST(ModelFileTest, AcceptsAWrittenModel) {
  AlignedBytes bytes(IdentityModel());
  auto model = VerifyModel(bytes.data, bytes.size);
  ASSERT_TRUE(model.ok()) << model.status().message();
  EXPECT_EQ((*model)->format_version(), kTmmFormatVersion);
  EXPECT_STREQ((*model)->metadata()->name()->c_str(), "identity");
}

TEST(ModelFileTest, RejectsTruncatedFilesWithAClearError) {
  const std::vector<uint8_t> full = IdentityModel();
  for (size_t length = 0; length < full.size(); ++length) {
    AlignedBytes bytes(std::vector<uint8_t>(full.begin(), full.begin() + length));
    auto model = VerifyModel(bytes.data, bytes.size);
    EXPECT_FALSE(model.ok()) << "truncated to " << length;
    EXPECT_NE(std::string(model.status().message()), "");
  }
}

TEST(ModelFileTest, BitFlipsNeverCrash) {
  const std::vector<uint8_t> full = IdentityModel();
  std::mt19937 random(7);
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<uint8_t> mutated = full;
    mutated[random() % mutated.size()] ^= static_cast<uint8_t>(1u << (random() % 8));
    AlignedBytes bytes(mutated);
    (void)VerifyModel(bytes.data, bytes.size);  // must return, OK or not
  }
}

// Found by tmm_loader_fuzz: an empty constant whose buffer has no data vector at all passed
// the size check (0 bytes expected, 0 held) and the interpreter read through the null vector.
TEST(ModelFileTest, RejectsAConstantWhoseBufferHoldsNoData) {
  const std::vector<uint8_t> identity = IdentityModel();
  std::unique_ptr<tmm::ModelT> unpacked = tmm::UnPackModel(identity.data());
  auto empty = std::make_unique<tmm::TensorT>();
  empty->name = "empty";
  empty->shape = {0};
  empty->buffer = static_cast<uint32_t>(unpacked->buffers.size());
  unpacked->tensors.push_back(std::move(empty));
  unpacked->buffers.push_back(std::make_unique<tmm::BufferT>());  // no data vector
  flatbuffers::FlatBufferBuilder builder;
  builder.Finish(tmm::Model::Pack(builder, unpacked.get()), tmm::ModelIdentifier());
  AlignedBytes bytes(std::vector<uint8_t>(builder.GetBufferPointer(),
                                          builder.GetBufferPointer() + builder.GetSize()));
  auto model = VerifyModel(bytes.data, bytes.size);
  ASSERT_FALSE(model.ok());
  EXPECT_NE(std::string(model.status().message()).find("holds no data"), std::string::npos)
      << model.status().message();
}

// Found by tmm_loader_fuzz: a quantization table with an empty scale vector and no zero points
// passed the count check (0 and 0) and the interpreter read the zero points through null.
TEST(ModelFileTest, RejectsAQuantizationWithNoScales) {
  const std::vector<uint8_t> identity = IdentityModel();
  std::unique_ptr<tmm::ModelT> unpacked = tmm::UnPackModel(identity.data());
  unpacked->tensors[0]->quantization = std::make_unique<tmm::QuantizationT>();
  flatbuffers::FlatBufferBuilder builder;
  builder.Finish(tmm::Model::Pack(builder, unpacked.get()), tmm::ModelIdentifier());
  AlignedBytes bytes(std::vector<uint8_t>(builder.GetBufferPointer(),
                                          builder.GetBufferPointer() + builder.GetSize()));
  auto model = VerifyModel(bytes.data, bytes.size);
  ASSERT_FALSE(model.ok());
  EXPECT_NE(std::string(model.status().message()).find("a quantization with no scales"),
            std::string::npos)
      << model.status().message();
}

TEST(ModelFileTest, RejectsForeignFiles) {
  const std::vector<uint8_t> onnx_like = {0x08, 0x07, 0x12, 0x04, 't', 'e', 's', 't', 0, 0, 0, 0};
  AlignedBytes bytes(onnx_like);
  auto model = VerifyModel(bytes.data, bytes.size);
  ASSERT_FALSE(model.ok());
  EXPECT_NE(std::string(model.status().message()).find("tinymlops model import"),
            std::string::npos);
}

}  // namespace
}  // namespace tinymlops::format
