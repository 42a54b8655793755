// Metric metadata in the scrape cache: MetadataStore alone, and fed by
// ScrapeAppender from TYPE/HELP/UNIT lines with Prometheus' rules.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "src/scrape/metadata_store.h"
#include "src/scrape/scrape_append.h"

namespace ferry::scrape {
namespace {

using labels::Labels;
using parse::MetricType;
constexpr char kText[] = "text/plain; version=0.0.4";
constexpr char kOpenMetrics[] = "application/openmetrics-text; version=1.0.0";
constexpr int64_t kTs = 1'700'000'000'000;

std::vector<MetricMetadata> Sorted(std::vector<MetricMetadata> v) {
  std::sort(v.begin(), v.end(),
            [](const MetricMetadata& a, const MetricMetadata& b) { return a.family < b.family; });
  return v;
}
std::vector<MetricMetadata> ListOf(const MetadataStore& s) {
  std::vector<MetricMetadata> out;
  s.List(&out);
  return Sorted(std::move(out));
}

TEST(MetadataStoreTest, LinesOfOneFamilyMergeAndMissingTypeIsUnknown) {
  MetadataStore s;
  s.SetHelp("a", "help of a", 1);
  s.SetType("b", MetricType::kCounter, 1);
  s.SetHelp("b", "b help", 1);
  s.SetUnit("c", "seconds", 1);
  EXPECT_EQ(ListOf(s), (std::vector<MetricMetadata>{
                           {"a", MetricType::kUnknown, "help of a", ""},
                           {"b", MetricType::kCounter, "b help", ""},
                           {"c", MetricType::kUnknown, "", "seconds"}}));
  // A later line replaces that field only.
  s.SetType("a", MetricType::kGauge, 2);
  s.SetHelp("b", "new", 2);
  EXPECT_EQ(ListOf(s)[0], (MetricMetadata{"a", MetricType::kGauge, "help of a", ""}));
  EXPECT_EQ(ListOf(s)[1], (MetricMetadata{"b", MetricType::kCounter, "new", ""}));
}

TEST(MetadataStoreTest, FamilyIsKeptForTenIterationsAfterItsLastLine) {
  MetadataStore s;
  s.SetType("gone", MetricType::kGauge, 5);
  MetadataStore::Entry* stays = s.SetType("stays", MetricType::kGauge, 5);
  for (uint64_t iter = 6; iter <= 15; ++iter) {
    s.Touch(stays, iter);
    EXPECT_FALSE(s.CollectGarbage(iter, true)) << iter;
    EXPECT_EQ(s.size(), 2u) << iter;
  }
  s.Touch(stays, 16);
  EXPECT_TRUE(s.CollectGarbage(16, true));  // 16 - 5 > 10
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(ListOf(s)[0].family, "stays");
}

TEST(MetadataStoreTest, FailedScrapesCollectOnlyWhenOvergrown) {
  MetadataStore s;
  s.SetType("old", MetricType::kGauge, 1);
  EXPECT_FALSE(s.CollectGarbage(1, true));  // size at success: 1
  EXPECT_FALSE(s.CollectGarbage(50, false));
  EXPECT_EQ(s.size(), 1u);
  // More than 2 * 1 + 1000 entries: a failed scrape collects too.
  for (int i = 0; i < 1003; ++i) s.SetType("f" + std::to_string(i), MetricType::kGauge, 50);
  EXPECT_TRUE(s.CollectGarbage(50, false));
  EXPECT_EQ(s.size(), 1003u);  // "old" went, this iteration's stayed
}

TEST(MetadataStoreTest, ListRunsConcurrentlyWithUpdates) {
  MetadataStore s;
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done.load()) {
      std::vector<MetricMetadata> out;
      s.List(&out);
      for (const auto& m : out) ASSERT_FALSE(m.family.empty());
    }
  });
  for (uint64_t iter = 1; iter <= 2000; ++iter) {
    s.SetHelp("f" + std::to_string(iter % 50), "help " + std::to_string(iter), iter);
    s.CollectGarbage(iter, true);
  }
  done = true;
  reader.join();
  EXPECT_EQ(s.size(), 11u);  // the families of the last 11 iterations
}

class AppenderMetadataTest : public ::testing::Test {
 protected:
  ScrapeOutcome Scrape(std::string_view body, std::string_view content_type = kText) {
    wal::Batch b;
    ScrapeOutcome out = app_.AddScrape(body, content_type, ts_ += 15000, &b);
    for (auto& p : b.pending()) b.mutable_refs()[p.index] = next_ref_++;
    app_.Committed(b);
    return out;
  }
  std::vector<MetricMetadata> List() { return ListOf(app_.cache().metadata()); }

  ScrapeAppender app_{Labels::Of({{"instance", "a:1"}, {"job", "node"}}), ScrapeSettings{}};
  int64_t ts_ = kTs;
  wal::SeriesRef next_ref_ = 1;
};

TEST_F(AppenderMetadataTest, TextFormatTypeAndHelpPerFamily) {
  ASSERT_TRUE(Scrape("# HELP http_requests_total Requests \\\\ served.\\nSecond line.\n"
                     "# TYPE http_requests_total counter\n"
                     "http_requests_total{code=\"200\"} 3\n"
                     "# TYPE temp untyped\n"
                     "temp 1\n"
                     "# just a comment\n"
                     "no_metadata 2\n")
                  .error.ok());
  EXPECT_EQ(List(), (std::vector<MetricMetadata>{
                        {"http_requests_total", MetricType::kCounter,
                         "Requests \\ served.\nSecond line.", ""},
                        {"temp", MetricType::kUnknown, "", ""}}));
}

TEST_F(AppenderMetadataTest, OpenMetricsUnitAndTypes) {
  ASSERT_TRUE(Scrape("# TYPE latency_seconds histogram\n"
                     "# UNIT latency_seconds seconds\n"
                     "# HELP latency_seconds How long.\n"
                     "latency_seconds_bucket{le=\"1\"} 1\n"
                     "latency_seconds_bucket{le=\"+Inf\"} 2\n"
                     "latency_seconds_count 2\n"
                     "latency_seconds_sum 1.5\n"
                     "# TYPE build info\n"
                     "build_info{version=\"1\"} 1\n"
                     "# EOF\n",
                     kOpenMetrics)
                  .error.ok());
  EXPECT_EQ(List(), (std::vector<MetricMetadata>{
                        {"build", MetricType::kInfo, "", ""},
                        {"latency_seconds", MetricType::kHistogram, "How long.", "seconds"}}));
}

TEST_F(AppenderMetadataTest, VanishedFamilyOutlivesTenScrapesThenGoes) {
  ASSERT_TRUE(Scrape("# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\n").error.ok());
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(Scrape("# TYPE a gauge\na 1\n").error.ok());
    ASSERT_EQ(List().size(), 2u) << "scrape " << i;
  }
  ASSERT_TRUE(Scrape("# TYPE a gauge\na 1\n").error.ok());
  ASSERT_EQ(List().size(), 1u);
  EXPECT_EQ(List()[0].family, "a");
}

TEST_F(AppenderMetadataTest, LinesBeforeAParseErrorAreKeptAsPrometheusDoes) {
  ASSERT_TRUE(Scrape("# TYPE a gauge\na 1\n").error.ok());
  ScrapeOutcome out = Scrape("# TYPE a counter\n# HELP b B.\na 1\nb{ 2\n");
  ASSERT_FALSE(out.error.ok());
  EXPECT_EQ(List(), (std::vector<MetricMetadata>{{"a", MetricType::kCounter, "", ""},
                                                 {"b", MetricType::kUnknown, "B.", ""}}));
}

TEST_F(AppenderMetadataTest, FailedFetchesAgeFamiliesWithoutCollecting) {
  ASSERT_TRUE(Scrape("# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\n").error.ok());
  for (int i = 0; i < 20; ++i) {
    wal::Batch b;
    app_.AddFailedScrape(ts_ += 15000, &b);
    app_.Committed(b);
  }
  EXPECT_EQ(List().size(), 2u);  // no successful scrape: nothing collected
  ASSERT_TRUE(Scrape("# TYPE a gauge\na 1\n").error.ok());
  ASSERT_EQ(List().size(), 1u);  // b's last line was 21 iterations ago
  EXPECT_EQ(List()[0].family, "a");
}

}  // namespace
}  // namespace ferry::scrape
