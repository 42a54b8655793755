// MetadataSender against the loopback sink: what a metadata request holds
// (metadata only, deduplicated, chunked by max_samples_per_send, RW 1.0
// headers), the periodic sends, retries and drops with their counters,
// Stop() during a hanging request, and which endpoints send metadata at all.
#include "src/ship/metadata_sender.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "src/httpclient/client.h"
#include "src/ship/ship_manager.h"
#include "tests/ship/ship_test_util.h"
#include "tests/testing/test_util.h"

namespace ferry::ship {
namespace {

using remote::MetricMetadata;
using remote::MetricType;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::Reply;
using testing::SeenRequest;
using testing::Sink;

MetricMetadata Meta(std::string family, MetricType type, std::string help, std::string unit = "") {
  MetricMetadata m;
  m.metric_family_name = std::move(family);
  m.type = type;
  m.help = std::move(help);
  m.unit = std::move(unit);
  return m;
}

class MetadataSenderTest : public ::testing::Test {
 protected:
  void TearDown() override {
    sender_.reset();
    client_.Stop();  // before the sink goes: no idle keep-alive connection left
  }

  std::shared_ptr<const Endpoint> Compile(const std::string& url,
                                          void (*tweak)(config::RemoteWriteConfig&) = nullptr) {
    config::RemoteWriteConfig rw;
    rw.url = url;
    rw.name = "meta";
    rw.queue_config.min_backoff = milliseconds(5);
    rw.queue_config.max_backoff = milliseconds(20);
    rw.remote_timeout = seconds(5);
    rw.metadata_config.send_interval = std::chrono::hours(1);  // SendNow() drives the tests
    if (tweak != nullptr) tweak(rw);
    Result<std::shared_ptr<const Endpoint>> ep = Endpoint::Compile(rw, labels::Labels(), 0);
    EXPECT_TRUE(ep.ok()) << ep.status().ToString();
    return ep.ok() ? *ep : nullptr;
  }

  void Start(std::shared_ptr<const Endpoint> ep, MetadataSource source) {
    sender_ = std::make_unique<MetadataSender>(client_, families_, std::move(ep),
                                               std::move(source), RealClock(),
                                               [] { return 0.5; });
  }

  double Counter(const std::string& name) {
    for (const auto& fam : registry_.Collect()) {
      if (fam.name != name) continue;
      double total = 0;
      for (const auto& m : fam.metric) total += m.counter.value;
      return total;
    }
    return -1;
  }

  Sink sink_;  // destroyed after client_ (declared first)
  httpclient::Client client_{httpclient::Client::Options{}};
  prometheus::Registry registry_;
  ShipMetrics families_{registry_};
  std::unique_ptr<MetadataSender> sender_;
};

TEST_F(MetadataSenderTest, SendsDeduplicatedMetadataOnlyRequestsInChunks) {
  Sink& sink = sink_;
  auto ep = Compile(sink.url(), [](config::RemoteWriteConfig& rw) {
    rw.metadata_config.max_samples_per_send = 2;
  });
  ASSERT_NE(ep, nullptr);
  Start(ep, [] {
    // Two targets expose node_cpu with the same metadata; it goes out once.
    return std::vector<MetricMetadata>{
        Meta("node_cpu_seconds", MetricType::kCounter, "Seconds the CPUs spent.", "seconds"),
        Meta("up", MetricType::kGauge, ""),
        Meta("node_cpu_seconds", MetricType::kCounter, "Seconds the CPUs spent.", "seconds"),
        Meta("node_load1", MetricType::kGauge, "1m load average."),
        // Same family, other help (another exporter version): both kept.
        Meta("node_load1", MetricType::kGauge, "1m load."),
    };
  });
  ASSERT_TRUE(sender_->SendNow().ok());
  std::vector<SeenRequest> reqs = sink.requests();
  ASSERT_EQ(reqs.size(), 2u);  // 4 distinct entries, 2 per request
  std::vector<MetricMetadata> got;
  for (const SeenRequest& r : reqs) {
    EXPECT_TRUE(r.decoded.series.empty());
    EXPECT_LE(r.decoded.metadata.size(), 2u);
    EXPECT_EQ(r.headers.at("Content-Encoding"), "snappy");
    EXPECT_EQ(r.headers.at("Content-Type"), "application/x-protobuf");
    EXPECT_EQ(r.headers.at("X-Prometheus-Remote-Write-Version"), "0.1.0");
    got.insert(got.end(), r.decoded.metadata.begin(), r.decoded.metadata.end());
  }
  std::vector<MetricMetadata> want = {
      Meta("node_cpu_seconds", MetricType::kCounter, "Seconds the CPUs spent.", "seconds"),
      Meta("up", MetricType::kGauge, ""),
      Meta("node_load1", MetricType::kGauge, "1m load average."),
      Meta("node_load1", MetricType::kGauge, "1m load."),
  };
  EXPECT_EQ(got, want);
  EXPECT_EQ(sender_->sent(), 4u);
  EXPECT_EQ(Counter("prometheus_remote_storage_metadata_total"), 4);
  EXPECT_GT(Counter("prometheus_remote_storage_metadata_bytes_total"), 0);
  EXPECT_EQ(Counter("prometheus_remote_storage_metadata_failed_total"), 0);
}

TEST_F(MetadataSenderTest, SendsEveryIntervalWithTheCurrentSet) {
  Sink& sink = sink_;
  auto ep = Compile(sink.url(), [](config::RemoteWriteConfig& rw) {
    rw.metadata_config.send_interval = milliseconds(30);
  });
  std::atomic<int> calls{0};
  Start(ep, [&calls] {
    int n = ++calls;
    return std::vector<MetricMetadata>{
        Meta("m" + std::to_string(n), MetricType::kGauge, "round " + std::to_string(n))};
  });
  ASSERT_TRUE(sink.WaitFor([](size_t, const auto& reqs) { return reqs.size() >= 3; }, seconds(20)));
  std::vector<SeenRequest> reqs = sink.requests();
  for (size_t i = 0; i < 3; ++i) {
    ASSERT_EQ(reqs[i].decoded.metadata.size(), 1u);
    EXPECT_EQ(reqs[i].decoded.metadata[0].metric_family_name, "m" + std::to_string(i + 1));
  }
}

TEST_F(MetadataSenderTest, RetriesServerErrorsAndDropsOther4xxWithCounters) {
  Sink& sink = sink_;
  sink.SetScript([](size_t i, const SeenRequest&) {
    if (i < 2) return Reply{503, "try later"};
    if (i == 2) return Reply{204};
    return Reply{400, "bad metadata"};
  });
  auto ep = Compile(sink.url());
  Start(ep, [] {
    return std::vector<MetricMetadata>{Meta("a", MetricType::kCounter, "A."),
                                       Meta("b", MetricType::kGauge, "B.")};
  });
  ASSERT_TRUE(sender_->SendNow().ok());  // 503, 503, 204
  EXPECT_EQ(sink.requests().size(), 3u);
  EXPECT_EQ(Counter("prometheus_remote_storage_metadata_retried_total"), 4);  // 2 entries x 2
  EXPECT_EQ(Counter("prometheus_remote_storage_metadata_total"), 2);

  Status s = sender_->SendNow();  // 400: not retried
  EXPECT_EQ(s.code(), StatusCode::kRejected);
  EXPECT_NE(s.message().find("400"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("bad metadata"), std::string::npos) << s.ToString();
  EXPECT_EQ(sink.requests().size(), 4u);
  EXPECT_EQ(Counter("prometheus_remote_storage_metadata_failed_total"), 2);
  EXPECT_EQ(Counter("prometheus_remote_storage_metadata_total"), 2);
}

TEST_F(MetadataSenderTest, StopAbandonsAHangingRequest) {
  Sink& sink = sink_;
  sink.SetScript([](size_t, const SeenRequest&) { return Reply{204, "", {}, seconds(30)}; });
  auto ep = Compile(sink.url(), [](config::RemoteWriteConfig& rw) {
    rw.metadata_config.send_interval = milliseconds(10);
  });
  std::atomic<bool> collected{false};
  Start(ep, [&collected] {
    collected = true;
    return std::vector<MetricMetadata>{Meta("a", MetricType::kGauge, "")};
  });
  for (int i = 0; i < 2000 && !collected; ++i) std::this_thread::sleep_for(milliseconds(5));
  ASSERT_TRUE(collected);
  auto start = std::chrono::steady_clock::now();
  sender_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(5));
  EXPECT_EQ(sender_->sent(), 0u);
}

TEST_F(MetadataSenderTest, OnlyRemoteWrite1EndpointsWithSendEnabledSendMetadata) {
  auto v1 = Compile("http://127.0.0.1:1/write");
  EXPECT_TRUE(SendsMetadata(*v1));
  auto off = Compile("http://127.0.0.1:1/write", [](config::RemoteWriteConfig& rw) {
    rw.metadata_config.send = false;
  });
  EXPECT_FALSE(SendsMetadata(*off));
  auto v2 = Compile("http://127.0.0.1:1/write", [](config::RemoteWriteConfig& rw) {
    rw.protobuf_message = std::string(config::kProtobufMessageV2);
  });
  EXPECT_FALSE(SendsMetadata(*v2));
}

// Through the ShipManager: the metadata source in ShipperOptions reaches
// every RW 1.0 endpoint, and a reload that turns `send` off stops it.
TEST_F(MetadataSenderTest, ShipManagerSendsMetadataForEndpointsThatAskForIt) {
  ferry::testing::TempDir dir;
  std::unique_ptr<wal::Wal> wal = testing::OpenWal(dir.Sub("wal"));
  ASSERT_NE(wal, nullptr);
  Sink& sink = sink_;
  ShipperOptions opts;
  opts.flush_deadline = seconds(2);
  std::atomic<int> calls{0};
  opts.metadata_source = [&calls] {
    ++calls;
    return std::vector<MetricMetadata>{Meta("up", MetricType::kGauge, "")};
  };
  ShipManager manager(*wal, client_, registry_, opts);
  config::Config cfg;
  config::RemoteWriteConfig rw;
  rw.url = sink.url();
  rw.name = "meta";
  rw.metadata_config.send_interval = milliseconds(20);
  cfg.remote_write.push_back(rw);
  ASSERT_TRUE(manager.ApplyConfig(cfg).ok());
  ASSERT_TRUE(sink.WaitFor(
      [](size_t, const auto& reqs) {
        return !reqs.empty() && reqs.back().decoded.metadata.size() == 1;
      },
      seconds(20)));
  // The counter follows the answer, which the sink records just before.
  for (int i = 0; i < 2000 && Counter("prometheus_remote_storage_metadata_total") <= 0; ++i) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_GT(Counter("prometheus_remote_storage_metadata_total"), 0);

  cfg.remote_write[0].metadata_config.send = false;
  ASSERT_TRUE(manager.ApplyConfig(cfg).ok());
  const int after_reload = calls.load();
  // Three more intervals: no more collections.
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(calls.load(), after_reload);
  manager.Stop();
}

}  // namespace
}  // namespace ferry::ship
