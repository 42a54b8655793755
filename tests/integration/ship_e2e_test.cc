// End to end through remote write: the ferry binary scrapes a generated
// target whose counter advances by exactly 1 per scrape and ships to a real
// Prometheus receiver (--web.enable-remote-write-receiver). What the
// receiver stores must equal what ferry's WAL holds (`ferry wal dump`),
// sample for sample (timestamps and values), through (a) a receiver outage
// and restart on the same storage, and (b) SIGKILLs of ferry during an
// outage and during catch-up, each followed by a restart on the same data
// directory.
//
// "Exactly once" as observable in the receiver: a Prometheus receiver
// silently ignores a resent identical sample and rejects a request holding
// an out-of-order one (400, counted by ferry as failed/dropped, logged by
// the receiver), so: every committed sample present, nothing else present,
// ferry's samples_failed_total and samples_dropped_total 0 in every run,
// and no append error in the receiver's log.
#include <gtest/gtest.h>

#include <random>
#include <regex>

#include "tests/integration/e2e_util.h"

namespace ferry::e2e {
namespace {

using namespace std::chrono_literals;
using ::ferry::testing::TempDir;
using ::ferry::testing::WriteFileOrDie;

constexpr char kSelector[] = "{job=\"counter\"}";
constexpr int kSpread = 40;

// Sum of every sample of "name" (any labels) in a text exposition; -1 when absent.
double SumMetric(const std::string& body, const std::string& name) {
  double sum = -1;
  std::regex re("^" + name + "(\\{[^}]*\\})? ([^ \\n]+)", std::regex::multiline);
  for (auto it = std::sregex_iterator(body.begin(), body.end(), re); it != std::sregex_iterator();
       ++it) {
    sum = std::max(sum, 0.0) + std::strtod((*it)[2].str().c_str(), nullptr);
  }
  return sum;
}

class ShipE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The counter, and kSpread more series so that an outage leaves a
    // backlog that takes many requests to catch up.
    target_.Handle("/metrics", [](int64_t n) {
      std::string b = "# TYPE e2e_requests_total counter\ne2e_requests_total " +
                      std::to_string(n) + "\n# TYPE e2e_spread gauge\n";
      for (int i = 0; i < kSpread; ++i) {
        b += "e2e_spread{i=\"" + std::to_string(i) + "\"} " + std::to_string(n * 1000 + i) + "\n";
      }
      return TargetServer::Body{"text/plain; version=0.0.4", b};
    });
    target_.Start();
    std::filesystem::create_directories(dir_.Sub("recv"));
    std::filesystem::create_directories(dir_.Sub("ferry"));
    WriteFileOrDie(dir_.Sub("recv.yml"), "global:\n  scrape_interval: 1h\n");
    recv_ = std::make_unique<Prometheus>(dir_.Sub("recv"), dir_.Sub("recv.yml"),
                                         std::vector<std::string>{
                                             "--web.enable-remote-write-receiver"});
    WriteFileOrDie(dir_.Sub("ferry.yml"), R"(global:
  scrape_interval: 500ms
  scrape_timeout: 500ms
scrape_configs:
  - job_name: counter
    static_configs: [{targets: [')" + target_.address() + R"(']}]
remote_write:
  - url: http://)" + recv_->address() + R"(/api/v1/write
    name: recv
    remote_timeout: 2s
    queue_config:
      batch_send_deadline: 200ms
      max_samples_per_send: 20
      min_backoff: 50ms
      max_backoff: 500ms
)");
    ASSERT_TRUE(recv_->Start()) << recv_->AllStderr();
    ferry_ = std::make_unique<Ferry>(dir_.Sub("ferry"), dir_.Sub("ferry.yml"));
    ASSERT_TRUE(ferry_->Start()) << ferry_->AllStderr();
  }

  int64_t Scrapes() { return target_.Count("/metrics", Agent::kFerry); }
  // Waits (bounded) until ferry made "k" more scrapes.
  void WaitScrapes(int64_t k) {
    int64_t until = Scrapes() + k;
    ASSERT_TRUE(WaitFor([&] { return Scrapes() >= until; }, std::chrono::seconds(k + 20)))
        << "ferry stopped scraping: " << ferry_->AllStderr().substr(0, 3000);
  }

  // ferry's failure counters must be 0 in the running process.
  void ExpectNoFailures() {
    std::string m = ferry_->Metrics();
    ASSERT_FALSE(m.empty());
    double failed = SumMetric(m, "prometheus_remote_storage_samples_failed_total");
    double dropped = SumMetric(m, "prometheus_remote_storage_samples_dropped_total");
    EXPECT_GE(failed, 0) << "prometheus_remote_storage_samples_failed_total not exported";
    EXPECT_LE(failed, 0) << "samples failed";
    EXPECT_LE(dropped, 0) << "samples dropped";
  }

  // Snapshots the WAL, waits (bounded) until the receiver holds every
  // committed sample of it, then compares exactly: per series, the
  // receiver's samples up to the snapshot's last timestamp equal the WAL's
  // (stale markers excepted: PromQL never returns them). Returns the WAL
  // snapshot.
  SeriesSamples VerifyDelivered(const std::string& phase) {
    bool ok = false;
    std::string err;
    SeriesSamples wal = ferry_->Dump(kSelector, &ok, &err);
    EXPECT_TRUE(ok) << phase << ": wal dump failed: " << err;
    auto live = [](const std::vector<Sample>& v) {
      std::vector<std::pair<int64_t, double>> out;
      for (const Sample& s : v)
        if (!s.stale) out.emplace_back(s.ts, s.value);
      return out;
    };
    std::string diff;
    auto compare = [&] {
      diff.clear();
      SeriesSamples got = recv_->Raw(kSelector, NowMs() + 1000, "1h");
      for (const auto& [key, samples] : wal) {
        auto want = live(samples);
        if (want.empty()) continue;
        std::vector<std::pair<int64_t, double>> have;
        for (const Sample& s : got[key])
          if (s.ts <= want.back().first) have.emplace_back(s.ts, s.value);
        if (have == want) continue;
        diff += key + ": WAL has " + std::to_string(want.size()) + " samples, receiver " +
                std::to_string(have.size());
        for (size_t i = 0; i < std::max(want.size(), have.size()); ++i) {
          if (i < want.size() && i < have.size() && want[i] == have[i]) continue;
          diff += "; first difference at #" + std::to_string(i) + ": WAL " +
                  (i < want.size() ? std::to_string(want[i].first) + "=" +
                                         std::to_string(want[i].second)
                                   : "-") +
                  ", receiver " +
                  (i < have.size() ? std::to_string(have[i].first) + "=" +
                                         std::to_string(have[i].second)
                                   : "-");
          break;
        }
        diff += "\n";
      }
      for (const auto& [key, samples] : got)
        if (!wal.count(key)) diff += "receiver has a series the WAL lacks: " + key + "\n";
      return diff.empty();
    };
    EXPECT_TRUE(WaitFor(compare, 45s)) << phase << ":\n" << diff.substr(0, 4000);
    EXPECT_EQ(wal.size(), static_cast<size_t>(kSpread + 1 + 5))
        << phase << ": target series + 5 report series expected";
    return wal;
  }

  // Values of e2e_requests_total in the WAL, in order.
  static std::vector<int64_t> Counter(const SeriesSamples& wal) {
    std::vector<int64_t> out;
    for (const auto& [key, samples] : wal) {
      if (key.find("\"e2e_requests_total\"") == std::string::npos) continue;
      for (const Sample& s : samples)
        if (!s.stale) out.push_back(std::llround(s.value));
    }
    return out;
  }

  // Samples committed but not yet acknowledged by the receiver, from
  // `ferry wal inspect --json` (sum over cursors); -1 on error.
  int64_t Backlog() {
    auto r = ferry::testing::RunCommand({ferry::testing::FerryBinary(), "wal", "inspect",
                                         "--storage.agent.path=" + ferry_->data_dir(), "--json"},
                                        dir_.Sub("inspect"));
    if (r.exit_code != 0) return -1;
    nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
    if (j.is_discarded() || !j.contains("cursors")) return -1;
    int64_t lag = 0;
    for (const auto& c : j["cursors"]) lag += c.value("lag_samples", int64_t{0});
    return lag;
  }

  void ExpectReceiverLogClean() {
    std::string log = recv_->AllStderr();
    for (const char* bad :
         {"out of order", "out of bounds", "duplicate sample", "Error appending"}) {
      EXPECT_EQ(log.find(bad), std::string::npos) << "receiver log has \"" << bad << "\":\n"
                                                  << log.substr(0, 4000);
    }
  }

  TempDir dir_;
  TargetServer target_;
  std::unique_ptr<Prometheus> recv_;
  std::unique_ptr<Ferry> ferry_;
};

TEST_F(ShipE2ETest, ReceiverOutageAndFerryKillsLoseNothing) {
  auto started = std::chrono::steady_clock::now();
  // Steady state.
  ASSERT_NO_FATAL_FAILURE(WaitScrapes(10));
  SeriesSamples wal = VerifyDelivered("steady state");
  std::vector<int64_t> c = Counter(wal);
  ASSERT_GE(c.size(), 8u);
  for (size_t i = 0; i < c.size(); ++i) ASSERT_EQ(c[i], static_cast<int64_t>(i + 1)) << "#" << i;
  ExpectNoFailures();

  // (a) The receiver stopped for ~10 s (20 scrapes), then restarted on the
  //     same storage: nothing lost, counter still consecutive from 1.
  recv_->Stop();
  ASSERT_NO_FATAL_FAILURE(WaitScrapes(20));
  ASSERT_TRUE(recv_->Start()) << recv_->AllStderr();
  wal = VerifyDelivered("after receiver outage");
  c = Counter(wal);
  ASSERT_GE(c.size(), 28u);
  for (size_t i = 0; i < c.size(); ++i) ASSERT_EQ(c[i], static_cast<int64_t>(i + 1)) << "#" << i;
  ExpectNoFailures();

  // (b) SIGKILL at random moments: twice during an outage, then twice during
  //     catch-up right after the receiver is back; restart on the same data.
  std::mt19937 rng(std::random_device{}());
  auto random_scrapes = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  recv_->Stop();
  for (int kill = 0; kill < 4; ++kill) {
    if (kill == 2) {
      ASSERT_TRUE(recv_->Start()) << recv_->AllStderr();
    }
    // Kill 2 the moment the receiver is ready (backlog of the whole outage
    // pending), kill 3 within 2 scrapes of the restart that follows.
    int k = kill < 2 ? random_scrapes(2, 6) : kill == 2 ? 0 : random_scrapes(0, 2);
    if (k > 0) {
      ASSERT_NO_FATAL_FAILURE(WaitScrapes(k));
    }
    if (kill >= 2) ExpectNoFailures();
    int64_t backlog = Backlog();
    std::printf("kill %d after %d scrapes (receiver %s), backlog %lld samples\n", kill, k,
                kill < 2 ? "down" : "back", static_cast<long long>(backlog));
    if (kill < 2) {
      EXPECT_GT(backlog, 0) << "kill " << kill << " was meant to hit an outage backlog";
    }
    SCOPED_TRACE("kill " + std::to_string(kill) + " after " + std::to_string(k) + " scrapes");
    ferry_->Kill();
    ASSERT_TRUE(ferry_->Start()) << ferry_->AllStderr().substr(0, 4000);
  }
  ASSERT_NO_FATAL_FAILURE(WaitScrapes(4));
  wal = VerifyDelivered("after kills");
  ExpectNoFailures();
  c = Counter(wal);
  for (size_t i = 1; i < c.size(); ++i) {
    ASSERT_LT(c[i - 1], c[i]) << "counter not increasing at #" << i;
  }
  // Only a scrape in flight at a kill may be lost (counted by the target, never committed).
  EXPECT_GE(static_cast<int64_t>(c.size()), c.back() - 4) << "more scrapes lost than kills";
  ExpectReceiverLogClean();
  size_t total = 0;
  for (const auto& [k, v] : wal) total += v.size();
  std::printf("verified %zu WAL samples in %zu series against the receiver; counter reached %lld "
              "with %zu samples\n",
              total, wal.size(), static_cast<long long>(c.back()), c.size());
  EXPECT_EQ(ferry_->Stop(), std::optional<int>(0)) << ferry_->AllStderr().substr(0, 4000);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 120s);
}

}  // namespace
}  // namespace ferry::e2e
