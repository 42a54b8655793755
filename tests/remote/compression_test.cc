#include "src/remote/compression.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace ferry::remote {
namespace {

std::string RandomBytes(size_t n, uint64_t seed, int alphabet) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng() % alphabet);
  return s;
}

TEST(CompressionTest, RoundTripsManySizesAndEntropies) {
  std::string compressed;
  for (size_t n : {0, 1, 2, 17, 4096, 65535, 65536, 65537, 1 << 20}) {
    for (int alphabet : {1, 4, 256}) {
      const std::string in = RandomBytes(n, n * 31 + alphabet, alphabet);
      Compress(in, &compressed);
      auto out = Decompress(compressed);
      ASSERT_TRUE(out.ok()) << out.status().ToString();
      EXPECT_EQ(*out, in) << n << " bytes, alphabet " << alphabet;
      if (alphabet == 1 && n > 1000) {
        EXPECT_LT(compressed.size(), n / 10);
      }
    }
  }
}

TEST(CompressionTest, UsesTheBlockFormatNotTheFramedFormat) {
  // A block starts with the uncompressed length as a varint; the framed
  // format would start with the stream identifier chunk 0xff 06 00 00 "sNaPpY".
  std::string out;
  Compress(std::string(300, 'a'), &out);
  ASSERT_GE(out.size(), 2u);
  EXPECT_EQ(static_cast<uint8_t>(out[0]), 0xac);  // 300 = 0b10_0101100 -> ac 02
  EXPECT_EQ(static_cast<uint8_t>(out[1]), 0x02);
}

TEST(CompressionTest, ReusesTheOutputString) {
  std::string out = "stale contents that must go";
  Compress("x", &out);
  auto back = Decompress(out);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, "x");
}

TEST(CompressionTest, CorruptInputIsAnErrorNotACrash) {
  std::string good;
  Compress(RandomBytes(10000, 7, 16), &good);
  // Truncations at every length are errors.
  for (size_t n = 0; n < good.size(); n += 97) {
    auto r = Decompress(std::string_view(good).substr(0, n));
    ASSERT_FALSE(r.ok()) << "prefix " << n;
    EXPECT_TRUE(r.status().IsCorruption()) << r.status().ToString();
  }
  // A length varint that never ends.
  auto r = Decompress(std::string(12, '\xff'));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsCorruption());
  EXPECT_NE(r.status().message().find("invalid block header"), std::string::npos);
  // Bit flips anywhere never crash; they fail or decode to other bytes.
  std::mt19937_64 rng(3);
  for (int i = 0; i < 2000; ++i) {
    std::string bad = good;
    bad[rng() % bad.size()] ^= static_cast<char>(1 << (rng() % 8));
    (void)Decompress(bad);
  }
  // The framed format is refused.
  auto framed = Decompress(std::string("\xff\x06\x00\x00sNaPpY", 10));
  EXPECT_FALSE(framed.ok());
}

TEST(CompressionTest, EnforcesTheSizeLimitBeforeAllocating) {
  std::string big;
  Compress(std::string(1 << 20, 'z'), &big);
  auto r = Decompress(big, (1 << 20) - 1);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsResourceExhausted()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("1048576"), std::string::npos);
  EXPECT_TRUE(Decompress(big, 1 << 20).ok());
  // A header claiming 4 GiB - 1 with no body behind it: refused by the limit
  // without trying to allocate 4 GiB.
  auto huge = Decompress(std::string("\xff\xff\xff\xff\x0f", 5));
  ASSERT_FALSE(huge.ok());
  EXPECT_TRUE(huge.status().IsResourceExhausted());
}

}  // namespace
}  // namespace ferry::remote
