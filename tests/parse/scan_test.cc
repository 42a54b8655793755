#include "src/parse/internal/scan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <random>
#include <limits>
#include <string>

namespace ferry::parse::internal {
namespace {

using namespace std::string_literals;

TEST(ParseGoFloatTest, AcceptsGoSpellings) {
  struct Case {
    const char* s;
    double want;
  };
  const Case cases[] = {{"0", 0},         {"1", 1},          {"-1", -1},        {"+1", 1},
                        {"1.5", 1.5},     {".5", .5},        {"5.", 5},         {"1e3", 1e3},
                        {"1E+3", 1e3},    {"1e-3", 1e-3},    {"inf", INFINITY}, {"+Inf", INFINITY},
                        {"-INF", -INFINITY}, {"infinity", INFINITY}, {"-Infinity", -INFINITY},
                        {"4.9e-324", 4.9e-324}, {"1e-400", 0}};
  for (const Case& c : cases) {
    double got = 42;
    ASSERT_EQ(ParseGoFloat(c.s, &got), FloatError::kOk) << c.s;
    EXPECT_EQ(got, c.want) << c.s;
  }
  double got;
  ASSERT_EQ(ParseGoFloat("NaN", &got), FloatError::kOk);
  EXPECT_TRUE(std::isnan(got));
  ASSERT_EQ(ParseGoFloat("-1e-400", &got), FloatError::kOk);
  EXPECT_TRUE(got == 0 && std::signbit(got));
}

TEST(ParseGoFloatTest, RefusesWhatPrometheusRefuses) {
  double got;
  for (const char* s : {"", "+", "-", ".", "e1", "1e", "1e+", "1.2.3", "--1", "+-1", "+nan",
                        "nann", "infinit", "infx", "1 ", " 1", "0x10", "true", "1,5", "١"}) {
    EXPECT_EQ(ParseGoFloat(s, &got), FloatError::kSyntax) << s;
  }
  for (const char* s : {"1_000", "0x1p-3", "0x1P3", "p"}) {
    EXPECT_EQ(ParseGoFloat(s, &got), FloatError::kUnsupportedChar) << s;
  }
  for (const char* s : {"1e400", "-1e400", "1.8e308", "100000e304"}) {
    EXPECT_EQ(ParseGoFloat(s, &got), FloatError::kRange) << s;
  }
}

// The exact fast path (small mantissa, small power of ten) must give the
// bits from_chars gives, on both sides of its limits.
TEST(ParseGoFloatTest, FastPathMatchesFromCharsBitForBit) {
  std::mt19937_64 rng(42);
  auto digits = [&](size_t n) {
    std::string d;
    for (size_t i = 0; i < n; ++i) d += static_cast<char>('0' + rng() % 10);
    return d;
  };
  for (int i = 0; i < 200000; ++i) {
    std::string s;
    if (rng() % 4 == 0) s += rng() % 2 ? "-" : "+";
    const size_t int_len = rng() % 21;
    const size_t frac_len = rng() % 21;
    s += digits(int_len);
    if (frac_len > 0 || int_len == 0) s += "." + digits(std::max<size_t>(frac_len, int_len ? 0 : 1));
    if (rng() % 3 == 0) {
      s += rng() % 2 ? "e" : "E";
      if (rng() % 2) s += rng() % 2 ? "-" : "+";
      s += std::to_string(rng() % 40);
    }
    double got;
    ASSERT_EQ(ParseGoFloat(s, &got), FloatError::kOk) << s;
    const char* begin = s.data() + (s[0] == '+' ? 1 : 0);
    double want = 0;
    auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), want);
    ASSERT_EQ(ec, std::errc()) << s;
    ASSERT_EQ(std::bit_cast<uint64_t>(got), std::bit_cast<uint64_t>(want)) << s;
  }
  // The limits: 2^53 and 2^53 + 1, 1e22 and 1e23, 19 and 20 digits.
  for (std::string s : {"9007199254740992", "9007199254740993", "1e22", "1e23", "3e-22", "3e-23",
                        "9999999999999999999", "99999999999999999999", "0.1", "-0", "-0.0e5"}) {
    double got, want;
    ASSERT_EQ(ParseGoFloat(s, &got), FloatError::kOk) << s;
    std::from_chars(s.data(), s.data() + s.size(), want);
    EXPECT_EQ(std::bit_cast<uint64_t>(got), std::bit_cast<uint64_t>(want)) << s;
  }
}

TEST(ParseDigitsInt64Test, ParsesAndRefusesOverflow) {
  int64_t v;
  ASSERT_TRUE(ParseDigitsInt64("9223372036854775807", &v));
  EXPECT_EQ(v, std::numeric_limits<int64_t>::max());
  EXPECT_FALSE(ParseDigitsInt64("9223372036854775808", &v));
  EXPECT_FALSE(ParseDigitsInt64("", &v));
  EXPECT_FALSE(ParseDigitsInt64("1a", &v));
}

TEST(ValidUtf8Test, MatchesGoRules) {
  EXPECT_TRUE(ValidUtf8(""));
  EXPECT_TRUE(ValidUtf8("plain ascii long enough for the word loop"));
  EXPECT_TRUE(ValidUtf8("\x00"s));
  EXPECT_TRUE(ValidUtf8("Heizölrückstoßabdämpfung 10€ 😀"));
  EXPECT_TRUE(ValidUtf8("\xf4\x8f\xbf\xbf"));            // U+10FFFF
  EXPECT_FALSE(ValidUtf8("\xff"));
  EXPECT_FALSE(ValidUtf8("\xc0\xaf"));                     // overlong '/'
  EXPECT_FALSE(ValidUtf8("\xe0\x80\xaf"));                 // overlong
  EXPECT_FALSE(ValidUtf8("\xed\xa0\x80"));                 // surrogate U+D800
  EXPECT_FALSE(ValidUtf8("\xf4\x90\x80\x80"));             // above U+10FFFF
  EXPECT_FALSE(ValidUtf8("abcdefgh\xe2\x82"));             // truncated after the word loop
  EXPECT_FALSE(ValidUtf8("\xe2\x28\xa1"));                 // bad continuation
}

TEST(UnescapeTest, UndoesOnlyPrometheusEscapes) {
  std::string out;
  Unescape(R"(a\\b\"c\nd\te\)", true, &out);
  EXPECT_EQ(out, "a\\b\"c\nd\\te\\");
  out.clear();
  Unescape(R"(a\\b\"c\nd)", false, &out);
  EXPECT_EQ(out, "a\\b\\\"c\nd");
}

TEST(FormatOpenMetricsFloatTest, MatchesPrometheus) {
  EXPECT_EQ(FormatOpenMetricsFloat(1), "1.0");
  EXPECT_EQ(FormatOpenMetricsFloat(0), "0.0");
  EXPECT_EQ(FormatOpenMetricsFloat(-0.0), "0.0");
  EXPECT_EQ(FormatOpenMetricsFloat(-1), "-1.0");
  EXPECT_EQ(FormatOpenMetricsFloat(NAN), "NaN");
  EXPECT_EQ(FormatOpenMetricsFloat(INFINITY), "+Inf");
  EXPECT_EQ(FormatOpenMetricsFloat(-INFINITY), "-Inf");
  EXPECT_EQ(FormatOpenMetricsFloat(0.25), "0.25");
  EXPECT_EQ(FormatOpenMetricsFloat(2), "2.0");
  EXPECT_EQ(FormatOpenMetricsFloat(100000), "100000.0");
  EXPECT_EQ(FormatOpenMetricsFloat(1e6), "1e+06");
  EXPECT_EQ(FormatOpenMetricsFloat(1234567), "1.234567e+06");
  EXPECT_EQ(FormatOpenMetricsFloat(0.0001), "0.0001");
  EXPECT_EQ(FormatOpenMetricsFloat(0.00001), "1e-05");
  EXPECT_EQ(FormatOpenMetricsFloat(1e-300), "1e-300");
  EXPECT_EQ(FormatOpenMetricsFloat(0.1), "0.1");
  EXPECT_EQ(FormatOpenMetricsFloat(2.5e100), "2.5e+100");
}

TEST(AppendQuotedSnippetTest, EscapesAndCuts) {
  std::string out;
  AppendQuotedSnippet("a\"\\\n\t\r\x01\xff"s, 100, &out);
  EXPECT_EQ(out, R"("a\"\\\n\t\r\x01\xff")");
  out.clear();
  AppendQuotedSnippet("abcdef", 3, &out);
  EXPECT_EQ(out, "\"abc\"...");
}

}  // namespace
}  // namespace ferry::parse::internal
