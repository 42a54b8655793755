#include "src/cli/time_arg.h"

#include <gtest/gtest.h>

namespace ferry::cli {
namespace {

constexpr int64_t kNow = 1'764'082'800'000;  // 2025-11-25T15:00:00Z

TEST(TimeArgTest, AcceptsRfc3339UnixRelativeAndNow) {
  EXPECT_EQ(*ParseTimeArg("2025-11-25T15:00:00Z", kNow), kNow);
  EXPECT_EQ(*ParseTimeArg("2025-11-25T16:00:00+01:00", kNow), kNow);
  EXPECT_EQ(*ParseTimeArg("2025-11-25T15:00:00.250Z", kNow), kNow + 250);
  EXPECT_EQ(*ParseTimeArg("1764082800", kNow), kNow);
  EXPECT_EQ(*ParseTimeArg("1764082800.5", kNow), kNow + 500);
  EXPECT_EQ(*ParseTimeArg("now", kNow), kNow);
  EXPECT_EQ(*ParseTimeArg("-6h", kNow), kNow - 6 * 3600 * 1000);
  EXPECT_EQ(*ParseTimeArg("-1h30m", kNow), kNow - 5400 * 1000);
  EXPECT_EQ(*ParseTimeArg("1970-01-01T00:00:00Z", kNow), 0);
}

TEST(TimeArgTest, RejectsGarbageNamingTheFormsAccepted) {
  for (const char* bad : {"", "yesterday", "-6x", "2025-13-01T00:00:00Z", "2025-11-25T15:00:00",
                          "2025-11-25 15:00:00Z", "12abc"}) {
    auto r = ParseTimeArg(bad, kNow);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("RFC 3339"), std::string::npos);
  }
}

TEST(TimeArgTest, FormatsMillisecondsInUtc) {
  EXPECT_EQ(FormatTimeMs(kNow + 7), "2025-11-25T15:00:00.007Z");
  EXPECT_EQ(FormatTimeMs(0), "1970-01-01T00:00:00.000Z");
}

}  // namespace
}  // namespace ferry::cli
