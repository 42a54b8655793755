// The shipper end to end against an in-process loopback sink: exact
// delivery in order, batching, headers, relabeling and external labels,
// retries, 4xx accounting, resend of the in-flight range after a crash,
// reload semantics, resharding, and Stop() within the flush deadline.
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <chrono>
#include <set>
#include <thread>

#include "src/httpclient/client.h"
#include "src/ship/position.h"
#include "src/ship/ship_manager.h"
#include "tests/ship/ship_test_util.h"
#include "tests/testing/faulty_wal.h"
#include "tests/testing/test_util.h"

namespace ferry::ship {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::Reply;
using testing::SeenRequest;
using testing::Sink;

constexpr int64_t kStart = 1'700'000'000'000;

class ShipperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    wal_ = testing::OpenWal(dir_.Sub("wal"));
    ASSERT_NE(wal_, nullptr);
  }
  void TearDown() override {
    if (manager_) manager_->Stop();
    manager_.reset();
    client_.Stop();
  }

  config::RemoteWriteConfig Endpoint(const std::string& url) {
    config::RemoteWriteConfig rw;
    rw.url = url;
    rw.name = "sink";
    rw.queue_config.batch_send_deadline = milliseconds(20);
    rw.queue_config.min_backoff = milliseconds(5);
    rw.queue_config.max_backoff = milliseconds(50);
    rw.queue_config.max_shards = 4;
    rw.remote_timeout = seconds(5);
    return rw;
  }

  // Ships from "wal" (default: wal_), which must outlive the test's manager.
  void StartManager(const config::Config& cfg, ShipperOptions opts = {},
                    wal::Wal* wal = nullptr) {
    if (opts.flush_deadline == milliseconds(60000)) opts.flush_deadline = seconds(5);
    manager_ = std::make_unique<ShipManager>(wal != nullptr ? *wal : *wal_, client_, registry_,
                                             opts);
    ASSERT_TRUE(manager_->ApplyConfig(cfg).ok());
  }

  // Bounded wait for the committed cursor of the only endpoint.
  bool WaitForCursor(uint64_t next, milliseconds timeout = seconds(20)) {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      auto st = manager_->Status();
      if (!st.empty() && st[0].cursor >= next) return true;
      std::this_thread::sleep_for(milliseconds(10));  // polling a condition, bounded
    }
    return false;
  }

  // Every series got exactly scrapes [first, first+n) in order.
  void ExpectCounters(const std::map<std::string, std::vector<remote::Sample>>& got, int series,
                      int first, int n, const std::string& extra = "") {
    ASSERT_EQ(got.size(), static_cast<size_t>(series));
    for (int i = 0; i < series; ++i) {
      std::string key = "{__name__=\"ferry_test_total\"" + extra + ", series=\"" +
                        std::to_string(i) + "\"}";
      auto it = got.find(key);
      ASSERT_NE(it, got.end()) << key << " missing; have " << got.begin()->first;
      ASSERT_EQ(it->second.size(), static_cast<size_t>(n)) << key;
      for (int r = 0; r < n; ++r) {
        EXPECT_EQ(it->second[r].timestamp_ms, kStart + int64_t{first + r} * 1000) << key;
        EXPECT_EQ(it->second[r].value, first + r) << key;
      }
    }
  }

  double Metric(const std::string& name, const std::string& reason = "") {
    for (const auto& fam : registry_.Collect()) {
      if (fam.name != name) continue;
      for (const auto& m : fam.metric) {
        bool match = reason.empty();
        for (const auto& l : m.label) {
          if (l.name == "reason" && l.value == reason) match = true;
        }
        if (!match) continue;
        if (fam.type == prometheus::MetricType::Counter) return m.counter.value;
        if (fam.type == prometheus::MetricType::Gauge) return m.gauge.value;
      }
    }
    return -1;
  }

  // Sinks outlive the manager and client (TearDown), so no keep-alive
  // connection holds a sink's shutdown.
  Sink& NewSink(bool v2 = false) {
    sinks_.push_back(std::make_unique<Sink>(v2));
    return *sinks_.back();
  }

  std::vector<std::unique_ptr<Sink>> sinks_;
  ferry::testing::TempDir dir_;
  std::unique_ptr<ferry::testing::FakeClock> wal_clock_;  // outlives wal_
  std::unique_ptr<wal::Wal> wal_;
  std::unique_ptr<ferry::testing::FaultyWal> faulty_;  // wraps wal_ where a test injects faults
  httpclient::Client client_{httpclient::Client::Options{}};
  prometheus::Registry registry_;
  std::unique_ptr<ShipManager> manager_;
};

TEST_F(ShipperTest, DeliversEverySampleOnceInOrderInBatchesWithTheRightHeaders) {
  Sink& sink = NewSink();
  ASSERT_TRUE(testing::AppendCounters(*wal_, 30, 0, 40, kStart));
  config::Config cfg;
  cfg.global.external_labels = labels::Labels::Of({{"cluster", "c1"}, {"series", "ext-loses"}});
  cfg.remote_write.push_back(Endpoint(sink.url()));
  cfg.remote_write[0].queue_config.max_samples_per_send = 100;
  cfg.remote_write[0].headers["X-Scope-OrgID"] = "tenant-1";
  StartManager(cfg);
  ASSERT_TRUE(sink.WaitForAccepted(1200, seconds(20)));
  ASSERT_TRUE(WaitForCursor(wal_->LastSequence() + 1));
  ExpectCounters(sink.accepted(), 30, 0, 40, ", cluster=\"c1\"");
  for (const SeenRequest& r : sink.requests()) {
    EXPECT_LE(r.samples, 100u);
    EXPECT_EQ(r.headers.at("Content-Encoding"), "snappy");
    EXPECT_EQ(r.headers.at("Content-Type"), "application/x-protobuf");
    EXPECT_EQ(r.headers.at("X-Prometheus-Remote-Write-Version"), "0.1.0");
    EXPECT_EQ(r.headers.at("X-Scope-OrgID"), "tenant-1");
    EXPECT_EQ(r.headers.at("User-Agent").rfind("ferry/", 0), 0u);
  }
  EXPECT_EQ(Metric("prometheus_remote_storage_samples_total"), 1200);
  EXPECT_EQ(Metric("prometheus_remote_storage_samples_failed_total"), 0);
  // New samples keep flowing from the tail.
  ASSERT_TRUE(testing::AppendCounters(*wal_, 30, 40, 5, kStart));
  ASSERT_TRUE(sink.WaitForAccepted(1350, seconds(20)));
  ExpectCounters(sink.accepted(), 30, 0, 45, ", cluster=\"c1\"");
}

TEST_F(ShipperTest, APartialBatchLeavesAfterTheBatchSendDeadline) {
  Sink& sink = NewSink();
  ASSERT_TRUE(testing::AppendCounters(*wal_, 5, 0, 3, kStart));
  config::Config cfg;
  cfg.remote_write.push_back(Endpoint(sink.url()));
  cfg.remote_write[0].queue_config.max_samples_per_send = 1000;
  cfg.remote_write[0].queue_config.max_shards = 1;
  cfg.remote_write[0].queue_config.batch_send_deadline = milliseconds(200);
  StartManager(cfg);
  ASSERT_TRUE(sink.WaitForAccepted(15, seconds(20)));
  auto reqs = sink.requests();
  ASSERT_EQ(reqs.size(), 1u);  // far below max_samples_per_send: one request
  EXPECT_EQ(reqs[0].samples, 15u);
  ExpectCounters(sink.accepted(), 5, 0, 3);
}

TEST_F(ShipperTest, SamplesOlderThanTheAgeLimitAreDroppedAndCounted) {
  Sink& sink = NewSink();
  int64_t now = std::chrono::duration_cast<milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  ASSERT_TRUE(testing::AppendCounters(*wal_, 2, 0, 5, now - 3'600'000, "ferry_old_total"));
  ASSERT_TRUE(testing::AppendCounters(*wal_, 2, 0, 5, now - 5'000, "ferry_new_total"));
  config::Config cfg;
  cfg.remote_write.push_back(Endpoint(sink.url()));
  cfg.remote_write[0].queue_config.sample_age_limit = std::chrono::minutes(10);
  StartManager(cfg);
  ASSERT_TRUE(WaitForCursor(wal_->LastSequence() + 1));
  EXPECT_EQ(sink.accepted_samples(), 10u);
  for (const auto& [series, samples] : sink.accepted()) {
    EXPECT_NE(series.find("ferry_new_total"), std::string::npos) << series;
  }
  EXPECT_EQ(Metric("prometheus_remote_storage_samples_dropped_total", "too_old"), 10);
}

TEST_F(ShipperTest, ExportsPrometheusRemoteStorageMetricsPerEndpoint) {
  Sink& sink = NewSink();
  ASSERT_TRUE(testing::AppendCounters(*wal_, 3, 0, 4, kStart));
  config::Config cfg;
  cfg.remote_write.push_back(Endpoint(sink.url()));
  cfg.remote_write[0].queue_config.min_shards = 2;
  StartManager(cfg);
  ASSERT_TRUE(WaitForCursor(wal_->LastSequence() + 1));
  std::set<std::string> names;
  for (const auto& fam : registry_.Collect()) {
    for (const auto& m : fam.metric) {
      std::map<std::string, std::string> l;
      for (const auto& x : m.label) l[x.name] = x.value;
      EXPECT_EQ(l["remote_name"], "sink") << fam.name;
      EXPECT_EQ(l["url"], sink.url()) << fam.name;
    }
    if (!fam.metric.empty()) names.insert(fam.name);
  }
  for (const char* want :
       {"prometheus_remote_storage_samples_total", "prometheus_remote_storage_samples_failed_total",
        "prometheus_remote_storage_samples_retried_total",
        "prometheus_remote_storage_samples_pending", "prometheus_remote_storage_shards",
        "prometheus_remote_storage_shards_desired", "prometheus_remote_storage_shards_min",
        "prometheus_remote_storage_shards_max",
        "prometheus_remote_storage_queue_highest_timestamp_seconds",
        "prometheus_remote_storage_queue_highest_sent_timestamp_seconds",
        "prometheus_remote_storage_sent_batch_duration_seconds",
        "prometheus_remote_storage_bytes_total", "prometheus_remote_storage_enqueue_retries_total",
        "ferry_remote_storage_backlog_samples", "ferry_remote_storage_backlog_seconds",
        "ferry_remote_storage_oldest_unshipped_timestamp_seconds"}) {
    EXPECT_EQ(names.count(want), 1u) << want;
  }
  EXPECT_EQ(Metric("prometheus_remote_storage_shards"), 2);
  EXPECT_EQ(Metric("prometheus_remote_storage_shards_min"), 2);
  EXPECT_EQ(Metric("prometheus_remote_storage_shards_max"), 4);
  EXPECT_EQ(Metric("prometheus_remote_storage_queue_highest_sent_timestamp_seconds"),
            (kStart + 3000) / 1000.0);
  EXPECT_GT(Metric("prometheus_remote_storage_bytes_total"), 0);
  // Caught up: no backlog left.
  manager_->Stop();
  EXPECT_EQ(Metric("ferry_remote_storage_backlog_samples"), 0);
  EXPECT_EQ(Metric("ferry_remote_storage_oldest_unshipped_timestamp_seconds"), 0);
}

TEST_F(ShipperTest, SendsRemoteWrite2WhenAsked) {
  Sink& sink = NewSink(/*v2=*/true);
  ASSERT_TRUE(testing::AppendCounters(*wal_, 5, 0, 10, kStart));
  config::Config cfg;
  cfg.remote_write.push_back(Endpoint(sink.url()));
  cfg.remote_write[0].protobuf_message = "io.prometheus.write.v2.Request";
  StartManager(cfg);
  ASSERT_TRUE(sink.WaitForAccepted(50, seconds(20)));
  ExpectCounters(sink.accepted(), 5, 0, 10);
  EXPECT_EQ(sink.requests()[0].headers.at("Content-Type"),
            "application/x-protobuf;proto=io.prometheus.write.v2.Request");
  EXPECT_EQ(sink.requests()[0].headers.at("X-Prometheus-Remote-Write-Version"), "2.0.0");
}

TEST_F(ShipperTest, WriteRelabelDropsAreCounted) {
  Sink& sink = NewSink();
  ASSERT_TRUE(testing::AppendCounters(*wal_, 10, 0, 10, kStart));
  config::Config cfg;
  cfg.remote_write.push_back(Endpoint(sink.url()));
  relabel::RelabelConfig drop;
  drop.source_labels = {"series"};
  drop.regex = "[0-4]";
  drop.action = relabel::Action::kDrop;
  cfg.remote_write[0].write_relabel_configs.push_back(drop);
  StartManager(cfg);
  ASSERT_TRUE(WaitForCursor(wal_->LastSequence() + 1));
  auto got = sink.accepted();
  EXPECT_EQ(got.size(), 5u);
  EXPECT_EQ(sink.accepted_samples(), 50u);
  EXPECT_EQ(Metric("prometheus_remote_storage_samples_dropped_total", "dropped_series"), 50);
}

// A series the encoder refuses (here an empty label name, which the WAL
// stores as given) is dropped and counted as invalid_series, with the
// encoder's reason in the status; the other series of the same records are
// delivered and the cursor passes all of them.
TEST_F(ShipperTest, SeriesTheEncoderRefusesAreDroppedAndCounted) {
  Sink& sink = NewSink();
  for (int r = 0; r < 4; ++r) {
    wal::Batch b(1);
    b.Add(labels::Labels::FromUnsorted({{"__name__", "bad_total"}, {"", "v"}}),
          kStart + int64_t{r} * 1000, r);
    b.Add(labels::Labels::Of({{"__name__", "good_total"}}), kStart + int64_t{r} * 1000, r);
    ASSERT_TRUE(wal_->Append(b).ok());
  }
  config::Config cfg;
  cfg.remote_write.push_back(Endpoint(sink.url()));
  StartManager(cfg);
  ASSERT_TRUE(WaitForCursor(wal_->LastSequence() + 1));
  EXPECT_EQ(sink.accepted_samples(), 4u);
  auto got = sink.accepted();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got.begin()->first, R"({__name__="good_total"})");
  EXPECT_EQ(Metric("prometheus_remote_storage_samples_dropped_total", "invalid_series"), 4);
  auto st = manager_->Status();
  ASSERT_EQ(st.size(), 1u);
  EXPECT_NE(st[0].last_error.find("series refused by the encoder: series {"), std::string::npos)
      << st[0].last_error;
  EXPECT_NE(st[0].last_error.find("empty label name"), std::string::npos) << st[0].last_error;
}

// Reading a series' labels can fail. An I/O error may pass: nothing is
// dropped or cached, the batch is built again after a back-off, and every
// sample arrives. A corrupt series record is final: that series' samples are
// dropped and counted as invalid_series, with the WAL's message reported.
TEST_F(ShipperTest, SeriesLabelsThatFailToReadAreRetriedAndCorruptOnesDropped) {
  Sink& sink = NewSink();
  wal::SeriesRef flaky = 0;
  wal::SeriesRef corrupt = 0;
  for (int r = 0; r < 4; ++r) {
    wal::Batch b(1);
    b.Add(labels::Labels::Of({{"__name__", "flaky_total"}}), kStart + int64_t{r} * 1000, r);
    b.Add(labels::Labels::Of({{"__name__", "corrupt_total"}}), kStart + int64_t{r} * 1000, r);
    b.Add(labels::Labels::Of({{"__name__", "good_total"}}), kStart + int64_t{r} * 1000, r);
    ASSERT_TRUE(wal_->Append(b).ok());
    flaky = b.ref(0);
    corrupt = b.ref(1);
  }
  ASSERT_LT(flaky, corrupt);  // the flaky one is read first in every build
  faulty_ = std::make_unique<ferry::testing::FaultyWal>(*wal_);
  faulty_->FailGetSeries(flaky, Status::IOError("disk hiccup"), 3);
  faulty_->FailGetSeries(corrupt, Status::Corruption("bad label bytes"), -1);
  config::Config cfg;
  cfg.remote_write.push_back(Endpoint(sink.url()));
  cfg.remote_write[0].queue_config.max_shards = 1;
  StartManager(cfg, {}, faulty_.get());
  ASSERT_TRUE(WaitForCursor(wal_->LastSequence() + 1));
  auto got = sink.accepted();
  ASSERT_EQ(got.size(), 2u);
  for (const char* name : {R"({__name__="flaky_total"})", R"({__name__="good_total"})"}) {
    ASSERT_EQ(got[name].size(), 4u) << name;
    for (int r = 0; r < 4; ++r) EXPECT_EQ(got[name][r].value, r) << name;
  }
  EXPECT_EQ(faulty_->injected(), 3 + 1);  // three failed reads, then one corrupt, cached
  EXPECT_EQ(Metric("prometheus_remote_storage_samples_dropped_total", "invalid_series"), 4);
  EXPECT_LE(Metric("prometheus_remote_storage_samples_dropped_total", "unknown_series"), 0);
  EXPECT_EQ(Metric("prometheus_remote_storage_samples_retried_total"), 0);  // none had left
  auto st = manager_->Status();
  ASSERT_EQ(st.size(), 1u);
  EXPECT_NE(st[0].last_error.find("series record corrupt in the WAL: bad label bytes"),
            std::string::npos)
      << st[0].last_error;
}

TEST_F(ShipperTest, RetriesServerErrorsAnd429AndDropsOther4xxWithAccounting) {
  Sink& sink = NewSink();
  // Request 0: 500; 1: 429 + Retry-After 0; 2: 400 (dropped); then 204.
  sink.SetScript([](size_t i, const SeenRequest&) {
    if (i == 0) return Reply{.status = 500, .body = "boom"};
    if (i == 1) return Reply{429, "slow down", {{"Retry-After", "0"}}};
    if (i == 2) return Reply{.status = 400, .body = "bad things"};
    return Reply{};
  });
  ASSERT_TRUE(testing::AppendCounters(*wal_, 4, 0, 5, kStart));
  config::Config cfg;
  cfg.remote_write.push_back(Endpoint(sink.url()));
  cfg.remote_write[0].queue_config.max_samples_per_send = 20;
  cfg.remote_write[0].queue_config.max_shards = 1;
  StartManager(cfg);
  ASSERT_TRUE(WaitForCursor(wal_->LastSequence() + 1));
  auto reqs = sink.requests();
  ASSERT_GE(reqs.size(), 3u);
  // The same batch is retried until the 400 drops it.
  EXPECT_EQ(reqs[0].samples, reqs[1].samples);
  EXPECT_EQ(reqs[1].samples, reqs[2].samples);
  size_t dropped = reqs[2].samples;
  EXPECT_EQ(sink.accepted_samples(), 20u - dropped);
  EXPECT_EQ(Metric("prometheus_remote_storage_samples_retried_total"), 2.0 * dropped);
  EXPECT_EQ(Metric("prometheus_remote_storage_samples_failed_total"), dropped);
  EXPECT_EQ(Metric("prometheus_remote_storage_samples_dropped_total", "http_400"), dropped);
  auto st = manager_->Status();
  ASSERT_EQ(st.size(), 1u);
  EXPECT_NE(st[0].last_error.find("bad things"), std::string::npos) << st[0].last_error;
}

TEST_F(ShipperTest, AfterACrashResendsExactlyTheInFlightRangeFirst) {
  ASSERT_TRUE(testing::AppendCounters(*wal_, 3, 0, 10, kStart));  // records 1..10, 3 samples each
  uint64_t first = wal_->FirstSequence();
  // State a crashed run left: cursor at record first+2; one shard whose
  // samples before (first+4, 1) were acknowledged and whose request
  // [(first+4,1), (first+6,2)) was in flight.
  const std::string prefix = MetaPrefix("sink");
  ASSERT_TRUE(wal_->CommitCursor("remote_write/sink", first + 2).ok());
  ASSERT_TRUE(wal_->PutMeta(prefix, "shards", "1").ok());
  ASSERT_TRUE(wal_->PutMeta(prefix, ShardKey(0),
                            EncodeShardMark({{first + 4, 1}, {first + 6, 2}}))
                  .ok());
  Sink& sink = NewSink();
  sink.SetScript([](size_t i, const SeenRequest&) {
    // The receiver already has the resent range.
    if (i == 0) return Reply{.status = 400, .body = "out of order sample"};
    return Reply{};
  });
  config::Config cfg;
  cfg.remote_write.push_back(Endpoint(sink.url()));
  cfg.remote_write[0].queue_config.max_shards = 1;
  StartManager(cfg);
  ASSERT_TRUE(WaitForCursor(wal_->LastSequence() + 1));
  auto reqs = sink.requests();
  ASSERT_GE(reqs.size(), 2u);
  // Exactly (first+4, 1..2), (first+5, 0..2), (first+6, 0..1): record
  // first+k holds scrape k of series 0, 1, 2 in that order.
  EXPECT_EQ(reqs[0].samples, 2u + 3u + 2u);
  std::map<std::string, std::vector<int64_t>> resent;
  for (const auto& s : reqs[0].decoded.series) {
    for (const auto& x : s.samples) resent[s.labels.Get("series").data()].push_back(x.timestamp_ms);
  }
  EXPECT_EQ(resent["0"], (std::vector<int64_t>{kStart + 5000, kStart + 6000}));
  EXPECT_EQ(resent["1"], (std::vector<int64_t>{kStart + 4000, kStart + 5000, kStart + 6000}));
  EXPECT_EQ(resent["2"], (std::vector<int64_t>{kStart + 4000, kStart + 5000}));
  // Nothing before the acknowledged mark, nothing after the range mixed in.
  size_t later = 0;
  for (size_t i = 1; i < reqs.size(); ++i) later += reqs[i].samples;
  EXPECT_EQ(later, 1u + 9u);  // (first+6, 2) and records first+7 .. first+9
  EXPECT_EQ(Metric("prometheus_remote_storage_samples_dropped_total", "already_delivered"), 7);
  EXPECT_EQ(Metric("prometheus_remote_storage_samples_failed_total"), 0);
}

// A window cut into chunks: the crashed run had acknowledged chunks 0 and 1
// of the window [(first, 0), (first+10, 0)) and had chunk 2 in flight
// (chunks_sent 3). The
// restart cuts the same chunks (by series, then position: chunk j holds
// series 2j and 2j+1), skips 0 and 1, resends 2 alone, then 3 and 4, then
// the records after the window.
TEST_F(ShipperTest, AfterACrashMidWindowResendsTheInFlightChunkAndSkipsAcknowledgedOnes) {
  ASSERT_TRUE(testing::AppendCounters(*wal_, 10, 0, 15, kStart));  // 10 series, records 0..14
  const uint64_t first = wal_->FirstSequence();
  const std::string prefix = MetaPrefix("sink");
  ASSERT_TRUE(wal_->CommitCursor("remote_write/sink", first).ok());
  ASSERT_TRUE(wal_->PutMeta(prefix, "shards", "1").ok());
  ASSERT_TRUE(
      wal_->PutMeta(prefix, ShardKey(0), EncodeShardMark({{first, 0}, {first + 10, 0}, 2, 3})).ok());
  Sink& sink = NewSink();
  sink.SetScript([](size_t i, const SeenRequest&) {
    if (i == 0) return Reply{.status = 400, .body = "out of order sample"};  // chunk 2 arrived
    return Reply{};
  });
  config::Config cfg;
  cfg.remote_write.push_back(Endpoint(sink.url()));
  cfg.remote_write[0].queue_config.max_shards = 1;
  cfg.remote_write[0].queue_config.max_samples_per_send = 20;
  StartManager(cfg);
  ASSERT_TRUE(WaitForCursor(wal_->LastSequence() + 1));
  auto reqs = sink.requests();
  ASSERT_GE(reqs.size(), 4u);
  // series -> timestamps of request i.
  auto of = [&](size_t i) {
    std::map<std::string, std::vector<int64_t>> m;
    for (const auto& s : reqs[i].decoded.series) {
      for (const auto& x : s.samples) m[std::string(s.labels.Get("series"))].push_back(x.timestamp_ms);
    }
    return m;
  };
  std::vector<int64_t> window_ts;
  for (int r = 0; r < 10; ++r) window_ts.push_back(kStart + int64_t{r} * 1000);
  EXPECT_EQ(of(0), (std::map<std::string, std::vector<int64_t>>{{"4", window_ts}, {"5", window_ts}}));
  EXPECT_EQ(of(1), (std::map<std::string, std::vector<int64_t>>{{"6", window_ts}, {"7", window_ts}}));
  EXPECT_EQ(of(2), (std::map<std::string, std::vector<int64_t>>{{"8", window_ts}, {"9", window_ts}}));
  // Then only records 10..14: series 0-3 never get their window samples again.
  auto got = sink.accepted();
  for (int i = 0; i < 10; ++i) {
    const auto& v = got[R"({__name__="ferry_test_total", series=")" + std::to_string(i) + "\"}"];
    const size_t want = i < 4 ? 5 : (i < 6 ? 5 : 15);  // series 4, 5: chunk 2 refused as a repeat
    ASSERT_EQ(v.size(), want) << i;
    EXPECT_TRUE(std::is_sorted(v.begin(), v.end(), [](const auto& a, const auto& b) {
      return a.timestamp_ms < b.timestamp_ms;
    })) << i;
  }
  EXPECT_EQ(Metric("prometheus_remote_storage_samples_dropped_total", "already_delivered"), 20);
  EXPECT_EQ(Metric("prometheus_remote_storage_samples_failed_total"), 0);
  ShardMark m;
  ASSERT_TRUE(DecodeShardMark(*wal_->GetMeta(prefix, ShardKey(0)), &m));
  EXPECT_EQ(m.acked, m.sent_end);
  EXPECT_EQ(m.chunks_acked, 0u);
}

// Catch-up packing: records older than kCatchUpAge make the shards gather
// windows of up to catch_up_window samples, so a request carries many
// samples of few series instead of one sample of many. Every sample still
// arrives exactly once and in order, in requests of max_samples_per_send.
TEST_F(ShipperTest, CatchUpPacksEachSeriesSamplesIntoTheSameRequest) {
  wal_clock_ = std::make_unique<ferry::testing::FakeClock>(
      std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count() -
      3'600'000);
  wal_ = testing::OpenWal(dir_.Sub("old"), wal_clock_.get());  // appended an hour ago
  ASSERT_NE(wal_, nullptr);
  ASSERT_TRUE(testing::AppendCounters(*wal_, 100, 0, 40, kStart));
  Sink& sink = NewSink();
  config::Config cfg;
  cfg.remote_write.push_back(Endpoint(sink.url()));
  cfg.remote_write[0].queue_config.max_shards = 4;  // one shard, 4 requests in flight
  cfg.remote_write[0].queue_config.max_samples_per_send = 200;
  cfg.remote_write[0].queue_config.capacity = 400;
  ShipperOptions opts;
  opts.catch_up_window = 4000;  // 40 samples of each of the 100 series
  StartManager(cfg, opts);
  ASSERT_TRUE(WaitForCursor(wal_->LastSequence() + 1));
  ExpectCounters(sink.accepted(), 100, 0, 40);
  size_t entries = 0, samples = 0;
  for (const auto& r : sink.requests()) {
    EXPECT_LE(r.samples, 200u);
    entries += r.decoded.series.size();
    samples += r.samples;
  }
  EXPECT_EQ(samples, 4000u);
  // Windows of 4000 cut by series: 5 series x 40 samples per request.
  EXPECT_LE(entries, samples / 20) << "series entries per request: not packed";
}

TEST_F(ShipperTest, DamagedShardStateFallsBackToTheCursorAndKeepsShipping) {
  ASSERT_TRUE(testing::AppendCounters(*wal_, 3, 0, 10, kStart));
  const std::string prefix = MetaPrefix("sink");
  ASSERT_TRUE(wal_->PutMeta(prefix, "shards", "2").ok());
  ASSERT_TRUE(wal_->PutMeta(prefix, ShardKey(0), "\x07garbage").ok());
  Sink& sink = NewSink();
  config::Config cfg;
  cfg.remote_write.push_back(Endpoint(sink.url()));
  StartManager(cfg);
  ASSERT_TRUE(WaitForCursor(wal_->LastSequence() + 1));
  ExpectCounters(sink.accepted(), 3, 0, 10);
  manager_->Stop();
  ShardMark m;
  ASSERT_TRUE(DecodeShardMark(*wal_->GetMeta(prefix, ShardKey(0)), &m));  // rewritten

  // A shard count that is not a number: same fallback.
  ASSERT_TRUE(wal_->PutMeta(prefix, "shards", "many").ok());
  ASSERT_TRUE(testing::AppendCounters(*wal_, 3, 10, 5, kStart));
  manager_ = std::make_unique<ShipManager>(*wal_, client_, registry_, ShipperOptions{});
  ASSERT_TRUE(manager_->ApplyConfig(cfg).ok());
  ASSERT_TRUE(WaitForCursor(wal_->LastSequence() + 1));
  ExpectCounters(sink.accepted(), 3, 0, 15);
  EXPECT_EQ(*wal_->GetMeta(prefix, "shards"), "1");
}

TEST_F(ShipperTest, ReloadKeepsUnchangedEndpointsAndRemovingOneDeletesItsCursor) {
  Sink& a = NewSink();
  Sink& b = NewSink();
  ASSERT_TRUE(testing::AppendCounters(*wal_, 2, 0, 5, kStart));
  config::Config cfg;
  cfg.remote_write.push_back(Endpoint(a.url()));
  cfg.remote_write[0].name = "a";
  cfg.remote_write.push_back(Endpoint(b.url()));
  cfg.remote_write[1].name = "b";
  StartManager(cfg);
  ASSERT_TRUE(a.WaitForAccepted(10, seconds(20)));
  ASSERT_TRUE(b.WaitForAccepted(10, seconds(20)));
  double sent_a = Metric("prometheus_remote_storage_samples_total");
  ASSERT_GT(sent_a, 0);
  // Drop b, keep a unchanged: a's metrics (and hence its shipper) survive.
  config::Config only_a = cfg;
  only_a.remote_write.pop_back();
  ASSERT_TRUE(manager_->ApplyConfig(only_a).ok());
  EXPECT_EQ(manager_->Status().size(), 1u);
  EXPECT_EQ(Metric("prometheus_remote_storage_samples_total"), 10);
  EXPECT_TRUE(wal_->GetCursor("remote_write/b").status().IsNotFound());
  EXPECT_TRUE(wal_->GetCursor("remote_write/a").ok());
  EXPECT_TRUE(wal_->ListMeta(MetaPrefix("b"))->empty());
  // Invalid config: refused, nothing changed.
  config::Config bad = only_a;
  bad.remote_write.push_back(Endpoint(b.url()));
  bad.remote_write[1].name = "a";
  Status s = manager_->ApplyConfig(bad);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("duplicate remote write identity \"a\""), std::string::npos);
  EXPECT_EQ(manager_->Status().size(), 1u);
}

TEST_F(ShipperTest, ReshardsUnderBacklogWithoutBreakingOrder) {
  Sink& sink = NewSink();
  sink.SetScript([](size_t, const SeenRequest&) { return Reply{204, "", {}, milliseconds(10)}; });
  ASSERT_TRUE(testing::AppendCounters(*wal_, 200, 0, 100, kStart));
  config::Config cfg;
  cfg.remote_write.push_back(Endpoint(sink.url()));
  cfg.remote_write[0].queue_config.max_samples_per_send = 50;
  cfg.remote_write[0].queue_config.capacity = 100;
  cfg.remote_write[0].queue_config.max_shards = 8;
  ShipperOptions opts;
  opts.reshard_interval = milliseconds(150);
  opts.backlog_catchup = seconds(1);
  StartManager(cfg, opts);
  ASSERT_TRUE(sink.WaitForAccepted(20000, seconds(60)));
  auto st = manager_->Status();
  ASSERT_EQ(st.size(), 1u);
  EXPECT_GE(st[0].reshards, 1u);
  ExpectCounters(sink.accepted(), 200, 0, 100);
}

TEST_F(ShipperTest, StopAbandonsAHangingRequestAtTheDeadlineAndRestartResendsIt) {
  ASSERT_TRUE(testing::AppendCounters(*wal_, 3, 0, 4, kStart));
  {
    Sink& hanging = NewSink();
    hanging.SetScript([](size_t, const SeenRequest&) { return Reply{204, "", {}, seconds(30)}; });
    config::Config cfg;
    cfg.remote_write.push_back(Endpoint(hanging.url()));
    cfg.remote_write[0].queue_config.max_shards = 1;
    ShipperOptions opts;
    opts.flush_deadline = milliseconds(300);
    StartManager(cfg, opts);
    auto t0 = std::chrono::steady_clock::now();
    // Give the request time to leave: wait until the mark shows it in flight.
    auto until = t0 + seconds(10);
    ShardMark m;
    while (std::chrono::steady_clock::now() < until) {
      auto v = wal_->GetMeta(MetaPrefix("sink"), ShardKey(0));
      if (v.ok() && DecodeShardMark(*v, &m) && m.sent_end > m.acked) break;
      std::this_thread::sleep_for(milliseconds(5));  // polling a condition, bounded
    }
    ASSERT_GT(m.sent_end, m.acked);
    t0 = std::chrono::steady_clock::now();
    manager_->Stop();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, seconds(3));
    manager_.reset();
    EXPECT_EQ(wal_->GetCursor("remote_write/sink")->next_sequence, wal_->FirstSequence());
  }
  Sink& sink = NewSink();
  config::Config cfg;
  cfg.remote_write.push_back(Endpoint(sink.url()));
  StartManager(cfg);
  ASSERT_TRUE(WaitForCursor(wal_->LastSequence() + 1));
  ExpectCounters(sink.accepted(), 3, 0, 4);
  EXPECT_EQ(sink.requests()[0].samples, 12u);  // the abandoned request, exactly
}

}  // namespace
}  // namespace ferry::ship
