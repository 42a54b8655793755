#include "src/config/duration.h"

#include <gtest/gtest.h>

namespace ferry::config {
namespace {

using std::chrono::milliseconds;

milliseconds Ms(int64_t v) { return milliseconds(v); }

TEST(ParseDurationTest, AcceptsPrometheusUnits) {
  struct Case {
    const char* in;
    int64_t ms;
  };
  const Case cases[] = {
      {"0", 0},
      {"0s", 0},
      {"100ms", 100},
      {"1s", 1000},
      {"15s", 15000},
      {"1m", 60000},
      {"1m30s", 90000},
      {"1h", 3600000},
      {"1d", 86400000},
      {"1w", 7 * 86400000LL},
      {"1y", 365 * 86400000LL},
      {"2y3w4d5h6m7s8ms", ((2 * 365 + 3 * 7 + 4) * 24 + 5) * 3600000LL + 6 * 60000 + 7008},
      {"90d", 90 * 86400000LL},
      {"0001s", 1000},
  };
  for (const Case& c : cases) {
    Result<milliseconds> d = ParseDuration(c.in);
    ASSERT_TRUE(d.ok()) << c.in << ": " << d.status().ToString();
    EXPECT_EQ(*d, Ms(c.ms)) << c.in;
  }
}

TEST(ParseDurationTest, RefusesWithPrometheusMessages) {
  struct Case {
    const char* in;
    const char* message;
  };
  const Case cases[] = {
      {"", "empty duration string"},
      {"1", "not a valid duration string: \"1\""},
      {"s", "not a valid duration string: \"s\""},
      {"1m1h", "not a valid duration string: \"1m1h\""},
      {"1s1s", "not a valid duration string: \"1s1s\""},
      {"-1s", "not a valid duration string: \"-1s\""},
      {"1.5s", "unknown unit \".\" in duration \"1.5s\""},
      {"5x", "unknown unit \"x\" in duration \"5x\""},
      {"1 s", "unknown unit \" s\" in duration \"1 s\""},
      {"1us", "unknown unit \"us\" in duration \"1us\""},
      {"293y", "duration out of range"},
      {"99999999999999999999s", "not a valid duration string: \"99999999999999999999s\""},
  };
  for (const Case& c : cases) {
    Result<milliseconds> d = ParseDuration(c.in);
    ASSERT_FALSE(d.ok()) << c.in;
    EXPECT_TRUE(d.status().IsInvalidArgument());
    EXPECT_EQ(d.status().message(), c.message) << c.in;
  }
}

TEST(ParseDurationTest, LargestInRangeValueIsAccepted) {
  // 292y is below 2^63 ns; 292y + 1y is not.
  EXPECT_TRUE(ParseDuration("292y").ok());
  EXPECT_FALSE(ParseDuration("292y52w").ok());
}

TEST(FormatDurationTest, MatchesGoModelDurationString) {
  EXPECT_EQ(FormatDuration(Ms(0)), "0s");
  EXPECT_EQ(FormatDuration(Ms(1)), "1ms");
  EXPECT_EQ(FormatDuration(Ms(1500)), "1s500ms");
  EXPECT_EQ(FormatDuration(Ms(90000)), "1m30s");
  EXPECT_EQ(FormatDuration(Ms(3600000)), "1h");
  EXPECT_EQ(FormatDuration(Ms(86400000)), "1d");
  EXPECT_EQ(FormatDuration(Ms(7 * 86400000LL)), "1w");
  EXPECT_EQ(FormatDuration(Ms(365 * 86400000LL)), "1y");
  // Years and weeks only when exact: 90d, not 12w6d.
  EXPECT_EQ(FormatDuration(Ms(90 * 86400000LL)), "90d");
  EXPECT_EQ(FormatDuration(Ms(8 * 86400000LL)), "8d");
  EXPECT_EQ(FormatDuration(Ms(366 * 86400000LL)), "366d");
  EXPECT_EQ(FormatDuration(Ms(86400000LL + 1)), "1d1ms");
}

TEST(FormatDurationTest, RoundTripsThroughParse) {
  for (int64_t v : std::initializer_list<int64_t>{1, 999, 1000, 61001, 3723004,
                    90061001, 14 * 86400000LL, 2 * 365 * 86400000LL + 5}) {
    Result<milliseconds> back = ParseDuration(FormatDuration(Ms(v)));
    ASSERT_TRUE(back.ok()) << v;
    EXPECT_EQ(*back, Ms(v));
  }
}

TEST(ParseBase2BytesTest, UsesPowersOf1024) {
  EXPECT_EQ(*ParseBase2Bytes("0"), 0);
  EXPECT_EQ(*ParseBase2Bytes("512B"), 512);
  EXPECT_EQ(*ParseBase2Bytes("1KB"), 1024);
  EXPECT_EQ(*ParseBase2Bytes("1KiB"), 1024);
  EXPECT_EQ(*ParseBase2Bytes("10MB"), 10 * 1024 * 1024);
  EXPECT_EQ(*ParseBase2Bytes("1.5GiB"), 1536LL * 1024 * 1024);
  EXPECT_EQ(*ParseBase2Bytes("1GB512MB"), 1536LL * 1024 * 1024);
  EXPECT_EQ(*ParseBase2Bytes("2TB"), 2LL << 40);
}

TEST(ParseBase2BytesTest, RefusesMissingOrUnknownUnits) {
  EXPECT_EQ(ParseBase2Bytes("100").status().message(),
            "invalid byte size \"100\": missing unit (B, KB, MB, GB, TB, PB, EB; powers of 1024)");
  EXPECT_EQ(ParseBase2Bytes("10 MB").status().message(),
            "invalid byte size \"10 MB\": unknown unit \" MB\"");
  EXPECT_EQ(ParseBase2Bytes("1XB").status().message(),
            "invalid byte size \"1XB\": unknown unit \"XB\"");
  EXPECT_EQ(ParseBase2Bytes("").status().message(), "invalid byte size \"\": empty");
  EXPECT_EQ(ParseBase2Bytes("16EB").status().message(), "invalid byte size \"16EB\": out of range");
  EXPECT_FALSE(ParseBase2Bytes("1..5MB").ok());
}

TEST(FormatBase2BytesTest, PrintsLikeUnitsBase2Bytes) {
  EXPECT_EQ(FormatBase2Bytes(0), "0B");
  EXPECT_EQ(FormatBase2Bytes(512), "512B");
  EXPECT_EQ(FormatBase2Bytes(10 * 1024 * 1024), "10MiB");
  EXPECT_EQ(FormatBase2Bytes(1536LL * 1024 * 1024), "1GiB512MiB");
  EXPECT_EQ(*ParseBase2Bytes(FormatBase2Bytes(1536LL * 1024 * 1024 + 7)),
            1536LL * 1024 * 1024 + 7);
}

}  // namespace
}  // namespace ferry::config
