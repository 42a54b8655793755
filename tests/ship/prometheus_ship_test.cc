// Integration: the shipper against Debian's real Prometheus remote-write
// receiver. Counters advancing by exactly 1 per scrape are appended to a
// WAL, shipped, and read back with PromQL: the stored samples must equal
// what was appended, exactly: first directly, then across a receiver
// outage, then through a fault-injecting proxy (500, 429 + Retry-After,
// 400, slow answers, answers cut short before and after the receiver
// stored the request, 503 after storing), where only the samples refused
// with 400 and never forwarded may be missing, and every refused batch is
// accounted for in the metrics.
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <chrono>
#include <set>
#include <thread>

#include "src/httpclient/client.h"
#include "src/remote/compression.h"
#include "src/remote/write_request_v1.h"
#include "src/ship/ship_manager.h"
#include "tests/ship/prometheus_util.h"
#include "tests/ship/ship_test_util.h"
#include "tests/testing/test_util.h"

namespace ferry::ship {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::Fault;

constexpr int kSeries = 10;
constexpr int kScrapes = 300;

class PrometheusShipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(testing::kPrometheus)) {
      GTEST_SKIP() << testing::kPrometheus << " not installed";
    }
    std::filesystem::create_directories(dir_.Sub("prom"));
    prom_ = std::make_unique<testing::PrometheusReceiver>(dir_.Sub("prom"));
    wal_ = testing::OpenWal(dir_.Sub("wal"));
    ASSERT_NE(wal_, nullptr);
  }
  void TearDown() override {
    if (manager_) manager_->Stop();
    manager_.reset();
    client_.Stop();
  }

  config::Config Config(const std::string& url) {
    config::Config cfg;
    config::RemoteWriteConfig rw;
    rw.url = url;
    rw.name = "prom";
    rw.queue_config.max_samples_per_send = 50;
    rw.queue_config.batch_send_deadline = milliseconds(50);
    rw.queue_config.min_backoff = milliseconds(20);
    rw.queue_config.max_backoff = milliseconds(200);
    rw.queue_config.min_shards = 2;
    rw.queue_config.max_shards = 4;
    rw.remote_timeout = seconds(5);
    cfg.remote_write.push_back(rw);
    return cfg;
  }
  void Ship(const config::Config& cfg) {
    ShipperOptions opts;
    opts.flush_deadline = seconds(5);
    opts.reshard_interval = milliseconds(500);
    manager_ = std::make_unique<ShipManager>(*wal_, client_, registry_, opts);
    ASSERT_TRUE(manager_->ApplyConfig(cfg).ok());
  }
  bool WaitForCursor(uint64_t next, milliseconds timeout) {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      auto st = manager_->Status();
      if (!st.empty() && st[0].cursor >= next) return true;
      std::this_thread::sleep_for(milliseconds(20));  // polling a condition, bounded
    }
    return false;
  }
  double Dropped(const std::string& reason) {
    for (const auto& fam : registry_.Collect()) {
      if (fam.name != "prometheus_remote_storage_samples_dropped_total") continue;
      for (const auto& m : fam.metric) {
        for (const auto& l : m.label) {
          if (l.name == "reason" && l.value == reason) return m.counter.value;
        }
      }
    }
    return 0;
  }

  // Stored samples == appended scrapes [0, scrapes) minus "refused", exactly.
  void ExpectStored(int scrapes, const std::map<std::string, std::vector<int64_t>>& refused = {}) {
    auto got = prom_->Samples("ferry_test_total", start_ + int64_t{scrapes} * 1000);
    ASSERT_EQ(got.size(), static_cast<size_t>(kSeries)) << prom_->Stderr();
    for (int i = 0; i < kSeries; ++i) {
      std::string key = std::to_string(i);
      std::set<int64_t> gone;
      if (auto it = refused.find(key); it != refused.end()) gone.insert(it->second.begin(), it->second.end());
      std::vector<std::pair<int64_t, double>> want;
      for (int r = 0; r < scrapes; ++r) {
        int64_t ts = start_ + int64_t{r} * 1000;
        if (gone.count(ts) == 0) want.emplace_back(ts, r);
      }
      EXPECT_EQ(got[key], want) << "series " << key;
    }
  }

  int64_t start_ = testing::NowMs() - 20 * 60 * 1000;
  ferry::testing::TempDir dir_;
  std::unique_ptr<testing::PrometheusReceiver> prom_;
  std::unique_ptr<wal::Wal> wal_;
  httpclient::Client client_{httpclient::Client::Options{}};
  prometheus::Registry registry_;
  std::unique_ptr<ShipManager> manager_;
};

// The premise of guarantee 2 (docs/shipping.md): Prometheus refuses a
// request whole when one sample in it is older than what it has, so a
// resend that mixes delivered and new samples loses the new ones.
TEST_F(PrometheusShipTest, ReceiverRefusesAMixedResendWhole) {
  ASSERT_TRUE(prom_->Start()) << prom_->Stderr();
  auto post = [&](std::vector<remote::Sample> samples) {
    remote::WriteRequestBuilder b;
    EXPECT_TRUE(b.AddSeries(labels::Labels::Of({{"__name__", "ferry_test_total"}, {"series", "0"}}),
                            samples)
                    .ok());
    std::string body;
    remote::Compress(b.Finish(), &body);
    httplib::Client c("127.0.0.1", prom_->port());
    httplib::Headers h{{"Content-Encoding", "snappy"},
                       {"X-Prometheus-Remote-Write-Version", "0.1.0"}};
    auto r = c.Post("/api/v1/write", h, body, "application/x-protobuf");
    return r ? r->status : -1;
  };
  EXPECT_EQ(post({{start_, 0}, {start_ + 1000, 1}}), 204);
  EXPECT_EQ(post({{start_, 0}, {start_ + 1000, 1}, {start_ + 2000, 2}}), 400);
  auto got = prom_->Samples("ferry_test_total", start_ + 3000);
  EXPECT_EQ(got["0"], (std::vector<std::pair<int64_t, double>>{{start_, 0}, {start_ + 1000, 1}}));
  // The exact resend of the newest sample alone is accepted (identical duplicate).
  EXPECT_EQ(post({{start_ + 1000, 1}}), 204);
}

TEST_F(PrometheusShipTest, StoresExactlyWhatWasAppended) {
  ASSERT_TRUE(prom_->Start()) << prom_->Stderr();
  ASSERT_TRUE(testing::AppendCounters(*wal_, kSeries, 0, kScrapes, start_));
  Ship(Config(prom_->write_url()));
  ASSERT_TRUE(WaitForCursor(wal_->LastSequence() + 1, seconds(60)));
  ExpectStored(kScrapes);
  EXPECT_EQ(manager_->Status()[0].samples_failed, 0);
}

TEST_F(PrometheusShipTest, NothingIsLostWhileTheReceiverIsDown) {
  ASSERT_TRUE(prom_->Start()) << prom_->Stderr();
  ASSERT_TRUE(testing::AppendCounters(*wal_, kSeries, 0, 100, start_));
  Ship(Config(prom_->write_url()));
  ASSERT_TRUE(WaitForCursor(wal_->LastSequence() + 1, seconds(60)));
  prom_->Stop();
  ASSERT_TRUE(testing::AppendCounters(*wal_, kSeries, 100, kScrapes - 100, start_));
  // Wait until the shipper has failed against the dead receiver.
  auto until = std::chrono::steady_clock::now() + seconds(30);
  while (manager_->Status()[0].samples_retried == 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(milliseconds(20));  // polling a condition, bounded
  }
  ASSERT_GT(manager_->Status()[0].samples_retried, 0);
  ASSERT_TRUE(prom_->Start()) << prom_->Stderr();
  ASSERT_TRUE(WaitForCursor(wal_->LastSequence() + 1, seconds(60)));
  ExpectStored(kScrapes);
  EXPECT_EQ(manager_->Status()[0].samples_failed, 0);
}

TEST_F(PrometheusShipTest, ThroughAFaultProxyOnlyRefusedBatchesAreMissingAndTheyAreCounted) {
  ASSERT_TRUE(prom_->Start()) << prom_->Stderr();
  const Fault kPlan[] = {Fault::kError500,       Fault::kTooMany429,     Fault::kForwardThenCut,
                         Fault::kBadRequest400,  Fault::kSlow,           Fault::kForwardThen503,
                         Fault::kPass,           Fault::kBadRequest400,  Fault::kCutUnforwarded,
                         Fault::kPass,           Fault::kSlow,           Fault::kForwardThenCut};
  testing::FaultProxy proxy(prom_->port(), [&](size_t i) {
    if (i < std::size(kPlan)) return kPlan[i];
    if (i % 9 == 0) return Fault::kError500;
    if (i % 13 == 0) return Fault::kForwardThenCut;
    if (i % 17 == 0) return Fault::kBadRequest400;
    return Fault::kPass;
  });
  ASSERT_TRUE(testing::AppendCounters(*wal_, kSeries, 0, kScrapes, start_));
  Ship(Config(proxy.url()));
  ASSERT_TRUE(WaitForCursor(wal_->LastSequence() + 1, seconds(90)));
  ASSERT_GT(proxy.refused_samples(), 0u);
  ExpectStored(kScrapes, proxy.lost());
  auto st = manager_->Status()[0];
  // Every refused sample is accounted for as a 400 drop, nothing else failed.
  EXPECT_EQ(Dropped("http_400"), static_cast<double>(proxy.refused_samples()));
  EXPECT_EQ(st.samples_failed, static_cast<double>(proxy.refused_samples()));
  auto counts = proxy.counts();
  EXPECT_GE(counts[Fault::kForwardThenCut], 2u);
  EXPECT_GE(counts[Fault::kForwardThen503], 1u);
  EXPECT_GT(st.samples_retried, 0);
}

}  // namespace
}  // namespace ferry::ship
