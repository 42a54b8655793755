// GzipDecoder against gzip streams written by zlib (deflateInit2 with the
// gzip wrapper), including the malformed and oversized cases a scrape target
// can send.
#include "src/httpclient/gzip.h"

#include <gtest/gtest.h>

#include <random>

#include "tests/testing/gzip.h"

namespace ferry::httpclient {
namespace {

using ::ferry::testing::Gzip;

std::string MetricsLike(size_t lines) {
  std::string s;
  for (size_t i = 0; i < lines; ++i) {
    s += "gen_metric_" + std::to_string(i % 97) + "{a=\"" + std::to_string(i) + "\"} " +
         std::to_string(i * 3) + "\n";
  }
  return s;
}

TEST(GzipDecoderTest, DecodesWhatZlibEncodes) {
  GzipDecoder d;
  std::mt19937 rng(7);
  for (size_t n : {size_t{0}, size_t{1}, size_t{100}, size_t{65536}, size_t{1} << 20}) {
    std::string plain(n, '\0');
    for (char& c : plain) c = static_cast<char>('a' + rng() % 4);
    std::string out = "stale";
    ASSERT_TRUE(d.Decode(Gzip(plain), 0, &out).ok()) << n;
    EXPECT_EQ(out, plain) << n;
  }
  const std::string body = MetricsLike(20000);
  for (int level : {1, 6, 9}) {
    std::string out;
    ASSERT_TRUE(d.Decode(Gzip(body, level), 0, &out).ok());
    EXPECT_EQ(out, body);
  }
}

TEST(GzipDecoderTest, DecodesEveryMemberOfAMultiMemberStream) {
  GzipDecoder d;
  const std::string a = MetricsLike(3000), b = "tail 1\n", c = MetricsLike(10);
  std::string out;
  ASSERT_TRUE(d.Decode(Gzip(a) + Gzip(b) + Gzip(c), 0, &out).ok());
  EXPECT_EQ(out, a + b + c);
  // A small last member: its ISIZE is a bad guess for the first; still exact.
  ASSERT_TRUE(d.Decode(Gzip(a) + Gzip(""), 0, &out).ok());
  EXPECT_EQ(out, a);
}

TEST(GzipDecoderTest, LimitCountsDecodedBytes) {
  GzipDecoder d;
  const std::string body = MetricsLike(5000);
  const std::string gz = Gzip(body);
  std::string out;
  EXPECT_TRUE(d.Decode(gz, body.size(), &out).ok());
  EXPECT_EQ(out, body);
  Status s = d.Decode(gz, body.size() - 1, &out);
  EXPECT_TRUE(s.IsResourceExhausted()) << s.ToString();
  // Two members that fit one by one but not together.
  s = d.Decode(gz + gz, body.size() + 10, &out);
  EXPECT_TRUE(s.IsResourceExhausted()) << s.ToString();
}

TEST(GzipDecoderTest, LyingSizeTrailerIsAnErrorAndAllocatesNoMoreThanTheLimit) {
  GzipDecoder d;
  const std::string body = MetricsLike(1000);
  std::string gz = Gzip(body);
  // ISIZE claims 4 GiB - 1: the first guess is capped by the limit, and the
  // trailer check then fails.
  for (int i = 1; i <= 4; ++i) gz[gz.size() - i] = '\xff';
  std::string out;
  Status s = d.Decode(gz, 1 << 20, &out);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_LE(out.capacity(), size_t{2} << 20);
}

TEST(GzipDecoderTest, MalformedInputSaysWhereAndWhy) {
  GzipDecoder d;
  const std::string gz = Gzip(MetricsLike(2000));
  std::string out;
  Status empty = d.Decode("", 0, &out);
  EXPECT_TRUE(empty.IsInvalidArgument());
  EXPECT_NE(empty.message().find("empty"), std::string::npos);

  Status truncated = d.Decode(std::string_view(gz).substr(0, gz.size() / 2), 0, &out);
  EXPECT_TRUE(truncated.IsInvalidArgument()) << truncated.ToString();
  EXPECT_NE(truncated.message().find("offset 0"), std::string::npos) << truncated.ToString();
  // Without a limit, DEFLATE's 1032:1 bound still caps what a damaged stream
  // can make the decoder allocate.
  EXPECT_LE(out.capacity(), gz.size() / 2 * 1032 + 1024);

  Status short_tail = d.Decode(gz + "xyz", 0, &out);
  EXPECT_TRUE(short_tail.IsInvalidArgument());
  EXPECT_NE(short_tail.message().find("offset " + std::to_string(gz.size())), std::string::npos)
      << short_tail.ToString();

  Status garbage = d.Decode(gz + std::string(40, 'g'), 0, &out);
  EXPECT_TRUE(garbage.IsInvalidArgument());
  EXPECT_NE(garbage.message().find("offset " + std::to_string(gz.size())), std::string::npos)
      << garbage.ToString();

  std::string flipped = gz;
  flipped[flipped.size() / 2] ^= 0x55;  // damages the deflate data or the CRC
  EXPECT_TRUE(d.Decode(flipped, 0, &out).IsInvalidArgument());

  Status not_gzip = d.Decode("up 1\nup 2\nthis is plain text, not gzip\n", 0, &out);
  EXPECT_TRUE(not_gzip.IsInvalidArgument());
  // The decoder is still usable after errors.
  ASSERT_TRUE(d.Decode(gz, 0, &out).ok());
  EXPECT_EQ(out, MetricsLike(2000));
}

}  // namespace
}  // namespace ferry::httpclient
