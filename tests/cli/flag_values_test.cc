#include "src/cli/flag_values.h"

#include <gtest/gtest.h>

namespace ferry::cli {
namespace {

TEST(ParseBytesTest, UsesPowersOf1024LikePrometheus) {
  EXPECT_EQ(*ParseBytes("0"), 0u);
  EXPECT_EQ(*ParseBytes("1024"), 1024u);
  EXPECT_EQ(*ParseBytes("1KB"), 1024u);
  EXPECT_EQ(*ParseBytes("512MB"), 512ull << 20);
  EXPECT_EQ(*ParseBytes("20GB"), 20ull << 30);
  EXPECT_EQ(*ParseBytes("1.5TB"), 3ull << 39);
  EXPECT_EQ(*ParseBytes("10KiB"), 10240u);
  EXPECT_EQ(*ParseBytes("3gb"), 3ull << 30);
}

TEST(ParseBytesTest, RejectsGarbageWithTheValue) {
  for (const char* bad : {"", "GB", "-1GB", "12XB", "1GBB", "nan"}) {
    auto r = ParseBytes(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
  EXPECT_NE(ParseBytes("12XB").status().message().find("\"12XB\""), std::string::npos);
}

TEST(ParseRunValuesTest, DefaultsParse) {
  RunFlags f;
  auto v = ParseRunValues(f);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->fsync, FsyncMode::kInterval);
  EXPECT_EQ(v->fsync_interval, std::chrono::seconds(1));
  EXPECT_EQ(v->flush_deadline, std::chrono::minutes(1));
  EXPECT_EQ(v->keep_shipped, std::chrono::hours(2));
}

TEST(ParseRunValuesTest, ErrorsNameTheFlag) {
  RunFlags f;
  f.wal_fsync = "sometimes";
  EXPECT_NE(ParseRunValues(f).status().message().find("--wal.fsync"), std::string::npos);
  f = RunFlags();
  f.keep_shipped = "2 hours";
  EXPECT_NE(ParseRunValues(f).status().message().find("--storage.agent.retention.keep-shipped"),
            std::string::npos);
  f = RunFlags();
  f.wal_max_size = "lots";
  EXPECT_NE(ParseRunValues(f).status().message().find("--wal.max-size"), std::string::npos);
}

}  // namespace
}  // namespace ferry::cli
