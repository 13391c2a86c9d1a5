// format/byte_planes.h: JoinBytePlanes undoes SplitBytePlanes for every size (tails of 0 to 3
// bytes included), and the planes are byte k of every 4-byte word, in order.
#include "format/byte_planes.h"

#include <gtest/gtest.h>

#include <vector>

namespace tinymlops::format {
namespace {

TEST(BytePlanesTest, SplitsByBytePositionAndJoinsBackExactly) {
  const std::vector<uint8_t> words = {0, 1, 2, 3, 10, 11, 12, 13, 20, 21};
  std::vector<uint8_t> planes(words.size()), back(words.size());
  SplitBytePlanes(words.data(), words.size(), planes.data());
  EXPECT_EQ(planes, (std::vector<uint8_t>{0, 10, 1, 11, 2, 12, 3, 13, 20, 21}));
  for (size_t size = 0; size <= words.size(); ++size) {
    std::fill(back.begin(), back.end(), 0xEE);
    SplitBytePlanes(words.data(), size, planes.data());
    JoinBytePlanes(planes.data(), size, back.data());
    EXPECT_TRUE(std::equal(words.begin(), words.begin() + size, back.begin())) << size;
  }
}

}  // namespace
}  // namespace tinymlops::format
