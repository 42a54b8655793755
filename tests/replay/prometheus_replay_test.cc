// Replay into a real Prometheus receiver (Debian's /usr/bin/prometheus,
// --web.enable-remote-write-receiver) on 127.0.0.1, queried back through
// /api/v1/query and compared with Wal::Dump of the same range:
//   - a range into an empty receiver lands exactly, then a later range with
//     a selector lands for exactly the selected series;
//   - the first range again, without an out-of-order window: every sample
//     rejected, reported, the receiver's data unchanged;
//   - with storage.tsdb.out_of_order_time_window, an older range lands
//     after newer data.
#include <gtest/gtest.h>

#include "src/replay/manager.h"
#include "src/selector/selector.h"
#include "tests/replay/replay_test_util.h"
#include "tests/ship/prometheus_util.h"

namespace ferry::replay {
namespace {

using ship::testing::PrometheusReceiver;
using std::chrono::seconds;
using Series = std::map<std::string, std::vector<std::pair<int64_t, double>>>;

class PrometheusReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    start_ = ship::testing::NowMs() / 1000 * 1000 - 20 * 60'000;  // 20 min ago
    clock_ = std::make_unique<::ferry::testing::FakeClock>(start_);
    wal_ = testing::OpenWal(dir_.Sub("wal"), clock_.get());
    ASSERT_NE(wal_, nullptr);
    // 2 jobs x 5 series, 240 scrapes 1 s apart: 2400 samples over 4 minutes.
    ASSERT_TRUE(testing::AppendScrapes(*wal_, *clock_, 2, 5, 240, start_));
    ManagerOptions o;
    o.wal = wal_.get();
    auto m = ReplayManager::Open(o);
    ASSERT_TRUE(m.ok());
    manager_ = std::move(m).value();
  }
  JobStatus Replay(const std::string& url, int from_s, int to_s, const std::string& match = "",
                   Protocol proto = Protocol::kV1) {
    JobSpec s;
    s.from_ms = start_ + from_s * 1000;
    s.to_ms = start_ + to_s * 1000;
    s.url.url = url;
    s.match = match;
    s.protocol = proto;
    Result<JobStatus> st = manager_->Submit(s);
    EXPECT_TRUE(st.ok()) << st.status().ToString();
    if (!st.ok()) return {};
    Result<JobStatus> done = manager_->Wait(st->id, seconds(60));
    EXPECT_TRUE(done.ok());
    return done.ok() ? *done : JobStatus{};
  }
  // What the WAL holds for "job" in [from_s, to_s], keyed like
  // PrometheusReceiver::Samples (label "series").
  Series Dump(const std::string& job, int from_s, int to_s, const std::string& series_re = ".*") {
    Series out;
    auto sel = selector::Parse("{job=\"" + job + "\",series=~\"" + series_re + "\"}");
    EXPECT_TRUE(sel.ok());
    Status s = wal_->Dump(
        start_ + from_s * 1000, start_ + to_s * 1000,
        [&](wal::SeriesRef, const labels::Labels& l) { return sel->Matches(l); },
        [&](uint64_t, wal::SeriesRef, const labels::Labels& l, int64_t ts, double v) {
          out[std::string(l.Get("series"))].emplace_back(ts, v);
          return Status::Ok();
        });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }
  Series Query(PrometheusReceiver& p, const std::string& job) {
    // Everything from the WAL's start on: a 30 minute window ending now.
    return p.Samples("replay_test_total{job=\"" + job + "\"}", ship::testing::NowMs(), "30m");
  }
  static Series Merge(Series a, const Series& b) {
    for (const auto& [k, v] : b) a[k].insert(a[k].end(), v.begin(), v.end());
    return a;
  }

  ::ferry::testing::TempDir dir_;
  int64_t start_ = 0;
  std::unique_ptr<::ferry::testing::FakeClock> clock_;
  std::unique_ptr<wal::Wal> wal_;
  std::unique_ptr<ReplayManager> manager_;
};

TEST_F(PrometheusReplayTest, ExactRangeSelectorAndRejectionWithoutOooWindow) {
  std::filesystem::create_directories(dir_.Sub("prom"));
  PrometheusReceiver prom(dir_.Sub("prom"));
  ASSERT_TRUE(prom.Start()) << prom.Stderr();

  JobStatus a = Replay(prom.write_url(), 20, 79);  // 60 scrapes, both jobs
  ASSERT_EQ(a.state, JobState::kDone) << a.error;
  EXPECT_EQ(a.counters.samples_sent, 600u);
  EXPECT_EQ(a.counters.samples_rejected, 0u);
  EXPECT_EQ(Query(prom, "j0"), Dump("j0", 20, 79));
  EXPECT_EQ(Query(prom, "j1"), Dump("j1", 20, 79));

  // (Debian's Prometheus 2.42 receives RW 1.0 only; RW 2.0 is tested
  // against a decoding sink in manager_test.cc.)
  JobStatus b = Replay(prom.write_url(), 100, 159, R"({job="j1", series=~"[24]"})");
  ASSERT_EQ(b.state, JobState::kDone) << b.error;
  EXPECT_EQ(b.counters.samples_sent, 120u);
  EXPECT_EQ(b.counters.samples_rejected, 0u);
  EXPECT_EQ(Query(prom, "j0"), Dump("j0", 20, 79));  // untouched
  EXPECT_EQ(Query(prom, "j1"), Merge(Dump("j1", 20, 79), Dump("j1", 100, 159, "[24]")));

  // The first range again: Prometheus has newer samples of every series and
  // no out-of-order window, so it refuses every request whole (400).
  const Series before0 = Query(prom, "j0"), before1 = Query(prom, "j1");
  JobStatus c = Replay(prom.write_url(), 20, 79);
  EXPECT_EQ(c.state, JobState::kDone);
  EXPECT_EQ(c.counters.samples_sent, 0u);
  EXPECT_EQ(c.counters.samples_rejected, 600u);
  EXPECT_NE(c.last_error.find("HTTP 400"), std::string::npos) << c.last_error;
  EXPECT_TRUE(c.last_error.find("out of order") != std::string::npos ||
              c.last_error.find("out of bounds") != std::string::npos)
      << c.last_error;
  EXPECT_EQ(Query(prom, "j0"), before0);
  EXPECT_EQ(Query(prom, "j1"), before1);
}

TEST_F(PrometheusReplayTest, OutOfOrderWindowLetsAnOlderRangeLand) {
  std::filesystem::create_directories(dir_.Sub("prom-ooo"));
  PrometheusReceiver prom(dir_.Sub("prom-ooo"));
  // The documented receiver setting (docs/replay.md).
  ::ferry::testing::WriteFileOrDie(dir_.Sub("prom-ooo") + "/prometheus.yml",
                                   "global:\n  scrape_interval: 1h\n"
                                   "storage:\n  tsdb:\n    out_of_order_time_window: 1h\n");
  ASSERT_TRUE(prom.Start()) << prom.Stderr();
  JobStatus late = Replay(prom.write_url(), 180, 239);
  ASSERT_EQ(late.state, JobState::kDone);
  EXPECT_EQ(late.counters.samples_sent, 600u);
  JobStatus early = Replay(prom.write_url(), 0, 119);
  ASSERT_EQ(early.state, JobState::kDone);
  EXPECT_EQ(early.counters.samples_rejected, 0u) << early.last_error;
  EXPECT_EQ(early.counters.samples_sent, 1200u);
  EXPECT_EQ(Query(prom, "j0"), Merge(Dump("j0", 0, 119), Dump("j0", 180, 239)));
  EXPECT_EQ(Query(prom, "j1"), Merge(Dump("j1", 0, 119), Dump("j1", 180, 239)));
}

}  // namespace
}  // namespace ferry::replay
