// metadata_config end to end: a ferry process scrapes its own /metrics and
// remote-writes to a loopback sink; besides the samples, the sink receives
// RW 1.0 metadata-only requests with the TYPE and HELP of the scraped
// families, every send_interval, and none when `send: false`.
#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "tests/ship/ship_test_util.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_util.h"

namespace ferry {
namespace {

using ::ferry::ship::testing::SeenRequest;
using ::ferry::ship::testing::Sink;
using ::ferry::testing::FerryBinary;
using ::ferry::testing::Subprocess;
using ::ferry::testing::TempDir;
using ::ferry::testing::WriteFileOrDie;
using namespace std::chrono_literals;

class MetadataE2ETest : public ::testing::Test {
 protected:
  std::unique_ptr<Subprocess> Start(const std::string& metadata_config) {
    const int port = ::ferry::testing::PickFreePort();
    const std::string config = dir_.Sub("prometheus.yml");
    WriteFileOrDie(config, R"(global:
  scrape_interval: 1s
scrape_configs:
  - job_name: ferry
    static_configs:
      - targets: ['127.0.0.1:)" + std::to_string(port) + R"(']
remote_write:
  - url: )" + sink_.url() + R"(
    name: central
    queue_config:
      batch_send_deadline: 200ms
)" + metadata_config);
    auto p = std::make_unique<Subprocess>(
        std::vector<std::string>{FerryBinary(), "--config.file=" + config,
                                 "--storage.agent.path=" + dir_.Sub("data"),
                                 "--web.listen-address=127.0.0.1:" + std::to_string(port)},
        dir_.Sub("agent"));
    EXPECT_TRUE(p->WaitForStderr("ready to receive web requests", 30s)) << p->Stderr();
    return p;
  }

  static size_t MetadataRequests(const std::vector<SeenRequest>& reqs) {
    size_t n = 0;
    for (const SeenRequest& r : reqs) n += r.decoded.metadata.empty() ? 0 : 1;
    return n;
  }

  TempDir dir_;
  Sink sink_;
};

TEST_F(MetadataE2ETest, SendsTheScrapedTypeAndHelpInMetadataOnlyRequests) {
  auto agent = Start("    metadata_config:\n      send_interval: 1s\n");
  ASSERT_TRUE(sink_.WaitFor(
      [](size_t, const std::vector<SeenRequest>& reqs) { return MetadataRequests(reqs) >= 2; },
      60s))
      << agent->Stderr();
  bool found_counter = false, found_gauge = false;
  for (const SeenRequest& r : sink_.requests()) {
    if (r.decoded.metadata.empty()) continue;
    EXPECT_TRUE(r.decoded.series.empty()) << "metadata and samples share a request";
    for (const remote::MetricMetadata& m : r.decoded.metadata) {
      if (m.metric_family_name == "prometheus_remote_storage_samples_total") {
        EXPECT_EQ(m.type, remote::MetricType::kCounter);
        EXPECT_EQ(m.help, "Total number of samples sent to remote storage.");
        found_counter = true;
      }
      if (m.metric_family_name == "ferry_wal_series") {
        EXPECT_EQ(m.type, remote::MetricType::kGauge);
        EXPECT_EQ(m.help, "Live series in the WAL.");
        found_gauge = true;
      }
    }
  }
  EXPECT_TRUE(found_counter);
  EXPECT_TRUE(found_gauge);
  EXPECT_GT(sink_.accepted_samples(), 0u);  // samples flow beside metadata
}

TEST_F(MetadataE2ETest, SendFalseSendsNoMetadata) {
  auto agent = Start("    metadata_config:\n      send: false\n      send_interval: 1s\n");
  // Samples of at least three scrapes arrive; by then two metadata
  // intervals have passed.
  ASSERT_TRUE(sink_.WaitFor(
      [](size_t, const std::vector<SeenRequest>& reqs) {
        std::set<int64_t> scrapes;
        for (const SeenRequest& r : reqs) {
          for (const auto& s : r.decoded.series) {
            for (const auto& x : s.samples) scrapes.insert(x.timestamp_ms);
          }
        }
        return scrapes.size() >= 3;
      },
      60s))
      << agent->Stderr();
  EXPECT_EQ(MetadataRequests(sink_.requests()), 0u);
}

}  // namespace
}  // namespace ferry
