// `ferry replay` as a real process:
//   - offline (a stopped agent's data directory, remote_write name from the
//     config file) into a real Prometheus, SIGKILLed halfway through a
//     rate-limited run, then `ferry replay resume ID`: completes, nothing
//     missing (compared with Wal::Dump), nothing rejected, exit code 0;
//   - against a running agent through its admin API while the agent keeps
//     shipping live scrapes: the replay completes exactly and the live
//     endpoint's backlog stays small.
#include <gtest/gtest.h>

#include <signal.h>

#include <regex>
#include <thread>

#include "src/base/time_format.h"
#include "src/replay/manager.h"
#include "src/selector/selector.h"
#include "tests/replay/replay_test_util.h"
#include "tests/ship/prometheus_util.h"
#include "tests/ship/ship_test_util.h"
#include "tests/testing/subprocess.h"

namespace ferry::replay {
namespace {

using ship::testing::NowMs;
using ship::testing::PrometheusReceiver;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Series = std::map<std::string, std::vector<std::pair<int64_t, double>>>;

// Builds a closed WAL in "dir": "jobs" x "series" x "scrapes", 1 s apart,
// starting "ago_ms" before now. Returns the start time.
int64_t BuildWal(const std::string& dir, int jobs, int series, int scrapes, int64_t ago_ms,
                 const std::string& live_cursor = "") {
  const int64_t start = NowMs() / 1000 * 1000 - ago_ms;
  ::ferry::testing::FakeClock clock(start);
  auto w = testing::OpenWal(dir, &clock);
  EXPECT_NE(w, nullptr);
  if (w == nullptr) return start;
  EXPECT_TRUE(testing::AppendScrapes(*w, clock, jobs, series, scrapes, start));
  if (!live_cursor.empty()) {
    EXPECT_TRUE(w->CommitCursor(live_cursor, w->LastSequence() + 1).ok());
  }
  EXPECT_TRUE(w->Close().ok());
  return start;
}

Series DumpJob(const std::string& dir, const std::string& job, int64_t from, int64_t to) {
  ::ferry::testing::FakeClock clock;
  wal::Options o;
  o.dir = dir;
  o.mode = wal::OpenMode::kReadOnly;
  auto w = wal::Wal::Open(o);
  Series out;
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  if (!w.ok()) return out;
  auto sel = selector::Parse("{job=\"" + job + "\"}");
  EXPECT_TRUE((*w)->Dump(
                     from, to, [&](wal::SeriesRef, const labels::Labels& l) { return sel->Matches(l); },
                     [&](uint64_t, wal::SeriesRef, const labels::Labels& l, int64_t ts, double v) {
                       out[std::string(l.Get("series"))].emplace_back(ts, v);
                       return Status::Ok();
                     })
                  .ok());
  return out;
}

size_t Count(const Series& s) {
  size_t n = 0;
  for (const auto& [k, v] : s) n += v.size();
  return n;
}

TEST(CliReplayTest, OfflineKilledHalfwayThenResumedCompletesExactly) {
  ::ferry::testing::TempDir dir;
  const std::string data = dir.Sub("data");
  // 2 jobs x 10 series x 300 scrapes = 6000 samples, 30 min ago.
  const int64_t start = BuildWal(data, 2, 10, 300, 30 * 60'000);
  const int64_t end = start + 299'000;
  std::filesystem::create_directories(dir.Sub("prom"));
  PrometheusReceiver prom(dir.Sub("prom"));
  ASSERT_TRUE(prom.Start()) << prom.Stderr();
  ::ferry::testing::WriteFileOrDie(dir.Sub("ferry.yml"),
                                   "remote_write:\n  - url: " + prom.write_url() +
                                       "\n    name: central\n");
  auto total = [&] {
    return Count(prom.Samples("replay_test_total", NowMs(), "45m"));
  };
  const std::vector<std::string> where = {"--storage.agent.path", data, "--config.file",
                                          dir.Sub("ferry.yml")};
  std::vector<std::string> argv = {::ferry::testing::FerryBinary(), "replay", "--remote-write-name",
                                   "central", "--from", FormatRfc3339Millis(start), "--to",
                                   FormatRfc3339Millis(end), "--rate", "2000", "--shards", "3"};
  argv.insert(argv.end(), where.begin(), where.end());
  std::string id;
  {
    ::ferry::testing::Subprocess run(argv, dir.Sub("run1"));
    ASSERT_TRUE(run.WaitForStderr("(interrupted?", seconds(20))) << run.Stderr();
    std::smatch m;
    std::string err = run.Stderr();
    ASSERT_TRUE(std::regex_search(err, m, std::regex("replay job ([0-9a-f]{8}):"))) << err;
    id = m[1];
    // Past the one-second burst (2000 samples), then kill -9.
    auto until = std::chrono::steady_clock::now() + seconds(20);
    while (total() < 2500 && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(milliseconds(20));  // poll interval of a bounded poll
    }
    run.Signal(SIGKILL);
    ASSERT_TRUE(run.Wait(seconds(10)).has_value());
  }
  const size_t at_kill = total();
  EXPECT_GE(at_kill, 2500u);
  EXPECT_LT(at_kill, 6000u) << "the kill came too late to test a resume";

  std::vector<std::string> resume = {::ferry::testing::FerryBinary(), "replay", "resume", id};
  resume.insert(resume.end(), where.begin(), where.end());
  auto r = ::ferry::testing::RunCommand(resume, dir.Sub("run2"), seconds(60));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(" 0 rejected"), std::string::npos) << r.out;
  // Nothing missing, nothing extra, per series in order.
  const auto q0 = prom.Samples("replay_test_total{job=\"j0\"}", NowMs(), "45m");
  const auto q1 = prom.Samples("replay_test_total{job=\"j1\"}", NowMs(), "45m");
  EXPECT_EQ(Count(q0) + Count(q1), 6000u);
  EXPECT_EQ(q0, DumpJob(data, "j0", start, end));
  EXPECT_EQ(q1, DumpJob(data, "j1", start, end));
  // (A request in flight at the kill may be resent and refused as already
  // stored: that is counted as already delivered, never as rejected.)

  // `ferry wal inspect` shows what can be replayed.
  auto inspect = ::ferry::testing::RunCommand(
      {::ferry::testing::FerryBinary(), "wal", "inspect", "--storage.agent.path", data},
      dir.Sub("inspect"), seconds(30));
  EXPECT_NE(inspect.out.find("Replayable range:  " + FormatRfc3339Millis(start) + " .. " +
                             FormatRfc3339Millis(end)),
            std::string::npos)
      << inspect.out;

  std::vector<std::string> list = {::ferry::testing::FerryBinary(), "replay", "list"};
  list.insert(list.end(), where.begin(), where.end());
  auto l = ::ferry::testing::RunCommand(list, dir.Sub("list"), seconds(30));
  EXPECT_EQ(l.exit_code, 0);
  EXPECT_NE(l.out.find(id + "  done"), std::string::npos) << l.out;
}

TEST(CliReplayTest, ThroughTheAdminApiBesideLiveShipping) {
  ::ferry::testing::TempDir dir;
  const std::string data = dir.Sub("data");
  // 20 series x 1000 scrapes = 20000 samples of history; the live endpoint
  // has shipped all of it already (its cursor is at the end).
  const int64_t start = BuildWal(data, 1, 20, 1000, 40 * 60'000, "remote_write/live");
  ship::testing::Sink live, target;
  const int port = ::ferry::testing::PickFreePort();
  ::ferry::testing::WriteFileOrDie(
      dir.Sub("ferry.yml"),
      "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: self\n    static_configs:\n"
      "      - targets: ['127.0.0.1:" + std::to_string(port) + "']\n"
      "remote_write:\n  - url: " + live.url() + "\n    name: live\n"
      "    queue_config:\n      batch_send_deadline: 200ms\n");
  ::ferry::testing::Subprocess agent(
      {::ferry::testing::FerryBinary(), "--config.file=" + dir.Sub("ferry.yml"),
       "--storage.agent.path=" + data, "--web.listen-address=127.0.0.1:" + std::to_string(port),
       "--web.enable-admin-api"},
      dir.Sub("agent"));
  ASSERT_TRUE(agent.WaitForStderr("ready to receive web requests", seconds(30))) << agent.Stderr();
  ASSERT_TRUE(live.WaitFor([](size_t, const auto& reqs) { return !reqs.empty(); }, seconds(20)));

  ::ferry::testing::Subprocess cli(
      {::ferry::testing::FerryBinary(), "replay", "--agent-url",
       "http://127.0.0.1:" + std::to_string(port), "--url", target.url(), "--from",
       FormatRfc3339Millis(start), "--to", FormatRfc3339Millis(start + 999'000), "--rate", "8000"},
      dir.Sub("cli"));
  // While the replay runs (about 1.5 s after its burst), the live endpoint
  // keeps shipping scrapes and its backlog stays small.
  httplib::Client c("127.0.0.1", port);
  double max_backlog = 0;
  const size_t live_before = live.requests().size();
  const std::regex backlog_re(
      R"re(ferry_remote_storage_backlog_seconds\{[^}]*remote_name="live"[^}]*\} ([0-9.e+-]+))re");
  std::optional<int> code;
  auto until = std::chrono::steady_clock::now() + seconds(30);
  while (!(code = cli.Wait(milliseconds(100))) && std::chrono::steady_clock::now() < until) {
    auto res = c.Get("/metrics");
    std::smatch m;
    if (res && std::regex_search(res->body, m, backlog_re)) {
      max_backlog = std::max(max_backlog, std::stod(m[1]));
    }
  }
  ASSERT_TRUE(code.has_value()) << cli.Stderr();
  EXPECT_EQ(*code, 0) << cli.Stdout() << cli.Stderr();
  EXPECT_EQ(target.accepted_samples(), 20000u);
  EXPECT_EQ(target.accepted().size(), 20u);
  EXPECT_GT(live.requests().size(), live_before) << "live shipping stalled during the replay";
  EXPECT_LT(max_backlog, 3.0);
  auto res = c.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_NE(res->body.find("ferry_replay_samples_sent_total{id="), std::string::npos);
  EXPECT_NE(res->body.find("} 20000"), std::string::npos);
  agent.Signal(SIGTERM);
  EXPECT_TRUE(agent.Wait(seconds(30)).has_value());
}

}  // namespace
}  // namespace ferry::replay
