#include "src/base/coding.h"

#include <gtest/gtest.h>

#include <limits>

namespace ferry::coding {
namespace {

TEST(CodingTest, BigEndianKeysSortLikeNumbers) {
  std::string a, b;
  PutFixed64BE(&a, 255);
  PutFixed64BE(&b, 256);
  EXPECT_LT(a, b);
  std::string_view in = b;
  uint64_t v;
  ASSERT_TRUE(GetFixed64BE(&in, &v));
  EXPECT_EQ(v, 256u);
  EXPECT_TRUE(in.empty());
}

TEST(CodingTest, VarintRoundTripsEdgeValues) {
  for (uint64_t v : {0ull, 1ull, 127ull, 128ull, 16383ull, 16384ull, ~0ull}) {
    std::string s;
    PutVarint64(&s, v);
    std::string_view in = s;
    uint64_t out;
    ASSERT_TRUE(GetVarint64(&in, &out));
    EXPECT_EQ(out, v);
    EXPECT_TRUE(in.empty());
  }
}

TEST(CodingTest, VarintRejectsTruncatedAndOverlongInput) {
  std::string s;
  PutVarint64(&s, ~0ull);
  std::string_view truncated(s.data(), s.size() - 1);
  uint64_t v;
  EXPECT_FALSE(GetVarint64(&truncated, &v));
  std::string overlong(11, '\xff');
  std::string_view in = overlong;
  EXPECT_FALSE(GetVarint64(&in, &v));
  std::string ten_bytes(9, '\xff');
  ten_bytes += '\x02';  // bit 64 set: overflow
  in = ten_bytes;
  EXPECT_FALSE(GetVarint64(&in, &v));
}

TEST(CodingTest, ZigZagRoundTripsSignedExtremes) {
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{1}, std::numeric_limits<int64_t>::min(),
                    std::numeric_limits<int64_t>::max()}) {
    std::string s;
    PutVarsint64(&s, v);
    std::string_view in = s;
    int64_t out;
    ASSERT_TRUE(GetVarsint64(&in, &out));
    EXPECT_EQ(out, v);
  }
}

TEST(CodingTest, LengthPrefixedRejectsLengthPastEnd) {
  std::string s;
  PutVarint64(&s, 10);
  s += "abc";
  std::string_view in = s, out;
  EXPECT_FALSE(GetLengthPrefixed(&in, &out));
}

}  // namespace
}  // namespace ferry::coding
