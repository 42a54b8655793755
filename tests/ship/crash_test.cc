// Crash safety of the shipper (design guarantee 2): a child process ships a
// WAL backlog to Debian's real Prometheus and is killed with SIGKILL at
// random moments during catch-up, ten times, with the shard count changing
// between runs (so restarts also reshard) and more scrapes appended while it
// is down; then a last run catches up.
// Every appended sample must be stored exactly once, in order: a resend
// that mixed acknowledged and new samples of a series would be refused
// whole by Prometheus (out of order) and its new samples would be missing.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <random>
#include <thread>

#include "tests/ship/prometheus_util.h"
#include "tests/ship/ship_test_util.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_util.h"

namespace ferry::ship {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Few series and requests of 7 samples: a request holds several samples of
// each series, so a resend cut differently from the lost request would hold
// an old sample behind a delivered newer one, and Prometheus would refuse
// it whole (see PrometheusShipTest.ReceiverRefusesAMixedResendWhole).
constexpr int kSeries = 4;
constexpr int kScrapes = 2400;
constexpr int kRounds = 10;
constexpr int kScrapesPerRound = 600;  // appended while the shipper is down
constexpr int kTotalScrapes = kScrapes + kRounds * kScrapesPerRound;

TEST(ShipCrashTest, KilledDuringCatchUpLosesNothingAndResendsNothingMixed) {
  if (!std::filesystem::exists(testing::kPrometheus)) GTEST_SKIP() << "no prometheus";
  ferry::testing::TempDir dir;
  std::filesystem::create_directories(dir.Sub("prom"));
  testing::PrometheusReceiver prom(dir.Sub("prom"));
  ASSERT_TRUE(prom.Start()) << prom.Stderr();
  const int64_t start = testing::NowMs() - 150 * 60 * 1000;  // 8400 scrapes, 1 s apart
  uint64_t last = 0;
  {
    auto wal = testing::OpenWal(dir.Sub("wal"));
    ASSERT_NE(wal, nullptr);
    ASSERT_TRUE(testing::AppendCounters(*wal, kSeries, 0, kScrapes, start));
    last = wal->LastSequence();
  }
  const std::string child = ferry::testing::BinaryDir() + "/tests/ship/ship_crash_child";
  unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  int killed_mid_catch_up = 0;
  uint64_t previous_cursor = 0;
  for (int round = 0; round < kRounds; ++round) {
    int shards = 1 + round % 3;
    ferry::testing::Subprocess p({child, dir.Sub("wal"), prom.write_url(), std::to_string(shards),
                                  "7"},
                                 dir.Sub("child-" + std::to_string(round)));
    ASSERT_TRUE(p.WaitForStderr("shipping", seconds(30))) << p.Stderr();
    // The kill moment: random by design, not a synchronisation.
    std::this_thread::sleep_for(milliseconds(std::uniform_int_distribution<int>(20, 300)(rng)));
    p.Signal(SIGKILL);
    ASSERT_TRUE(p.Wait(seconds(10)).has_value());
    auto wal = testing::OpenWal(dir.Sub("wal"));
    ASSERT_NE(wal, nullptr);
    auto cursor = wal->GetCursor("remote_write/crash");
    ASSERT_TRUE(cursor.ok()) << cursor.status().ToString();
    EXPECT_GE(cursor->next_sequence, previous_cursor) << "cursor went back";
    previous_cursor = cursor->next_sequence;
    if (cursor->next_sequence <= last) ++killed_mid_catch_up;
    // More scrapes arrive while the shipper is down.
    ASSERT_TRUE(testing::AppendCounters(*wal, kSeries, kScrapes + round * kScrapesPerRound,
                                        kScrapesPerRound, start));
    last = wal->LastSequence();
  }
  // max_samples_per_send 7 does not divide the samples a shard gets from
  // one record, so batch boundaries differ between runs: a resend that is
  // not cut exactly like the lost request would mix old and new samples.
  // failed=0: no request of the last run was refused as a whole.
  ferry::testing::Subprocess final_run(
      {child, dir.Sub("wal"), prom.write_url(), "2", "7"}, dir.Sub("child-final"));
  auto code = final_run.Wait(seconds(120));
  ASSERT_TRUE(code.has_value());
  ASSERT_EQ(*code, 0) << final_run.Stderr();
  EXPECT_NE(final_run.Stderr().find("failed=0 "), std::string::npos) << final_run.Stderr();
  EXPECT_GE(killed_mid_catch_up, 3) << "the kills must land during catch-up to test anything";
  RecordProperty("killed_mid_catch_up", killed_mid_catch_up);

  auto got = prom.Samples("ferry_test_total", start + int64_t{kTotalScrapes} * 1000, "3h");
  ASSERT_EQ(got.size(), static_cast<size_t>(kSeries)) << prom.Stderr();
  for (int i = 0; i < kSeries; ++i) {
    std::vector<std::pair<int64_t, double>> want;
    for (int r = 0; r < kTotalScrapes; ++r) want.emplace_back(start + int64_t{r} * 1000, r);
    EXPECT_EQ(got[std::to_string(i)], want) << "series " << i;
  }
}

}  // namespace
}  // namespace ferry::ship
