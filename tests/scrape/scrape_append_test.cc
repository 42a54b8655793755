#include "src/scrape/scrape_append.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <string>
#include <vector>

#include "tests/scrape/relabel_test_util.h"

namespace ferry::scrape {
namespace {

using labels::Labels;
constexpr char kText[] = "text/plain; version=0.0.4";
constexpr int64_t kTs = 1'700'000'000'000;

bool IsStale(double v) { return std::bit_cast<uint64_t>(v) == wal::kStaleNaNBits; }

// Commits "batch" as the WAL would: assigns refs to samples given by labels.
void FakeCommit(ScrapeAppender& app, wal::Batch& batch, wal::SeriesRef* next_ref) {
  for (auto& p : batch.pending()) batch.mutable_refs()[p.index] = (*next_ref)++;
  app.Committed(batch);
}

Labels LabelsOf(const wal::Batch& b, size_t i) {
  for (const auto& p : b.pending()) {
    if (p.index == i) return p.labels;
  }
  return {};
}

class ScrapeAppendTest : public ::testing::Test {
 protected:
  ScrapeAppender Make(ScrapeSettings s = {}) {
    return ScrapeAppender(Labels::Of({{"instance", "a:1"}, {"job", "node"}}), s);
  }
  wal::SeriesRef next_ref_ = 1;
};

TEST_F(ScrapeAppendTest, FirstScrapeAddsLabelsThenRefsAreReused) {
  auto app = Make();
  wal::Batch b;
  auto out = app.AddScrape("a 1\nb{x=\"y\"} 2\n", kText, kTs, &b);
  ASSERT_TRUE(out.error.ok()) << out.error.ToString();
  EXPECT_EQ(out.total, 2u);
  EXPECT_EQ(out.added, 2u);
  EXPECT_EQ(out.series_added, 2u);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(LabelsOf(b, 1), Labels::Of({{"__name__", "b"}, {"instance", "a:1"}, {"job", "node"}, {"x", "y"}}));
  EXPECT_EQ(b.timestamps()[0], kTs);
  FakeCommit(app, b, &next_ref_);

  wal::Batch b2;
  out = app.AddScrape("a 3\nb{x=\"y\"} 4\n", kText, kTs + 15000, &b2);
  ASSERT_TRUE(out.error.ok());
  EXPECT_EQ(out.series_added, 0u);
  EXPECT_TRUE(b2.pending().empty());  // cache hit: no labels built
  EXPECT_EQ(b2.refs(), (std::vector<wal::SeriesRef>{1, 2}));
  EXPECT_EQ(b2.values(), (std::vector<double>{3, 4}));
}

TEST_F(ScrapeAppendTest, ConflictingTargetLabelsAreExportedUnlessHonored) {
  auto app = Make();
  wal::Batch b;
  ASSERT_TRUE(app.AddScrape("m{job=\"app\",exported_job=\"x\"} 1\n", kText, kTs, &b).error.ok());
  EXPECT_EQ(LabelsOf(b, 0), Labels::Of({{"__name__", "m"}, {"exported_exported_job", "app"},
                                        {"exported_job", "x"}, {"instance", "a:1"}, {"job", "node"}}));
  auto honor = Make({.honor_labels = true});
  wal::Batch h;
  ASSERT_TRUE(honor.AddScrape("m{job=\"app\"} 1\n", kText, kTs, &h).error.ok());
  EXPECT_EQ(LabelsOf(h, 0), Labels::Of({{"__name__", "m"}, {"instance", "a:1"}, {"job", "app"}}));
}

TEST_F(ScrapeAppendTest, VanishedSeriesGetStaleMarkers) {
  auto app = Make();
  wal::Batch b;
  ASSERT_TRUE(app.AddScrape("a 1\nb 2\n", kText, kTs, &b).error.ok());
  FakeCommit(app, b, &next_ref_);
  wal::Batch b2;
  auto out = app.AddScrape("a 1\n", kText, kTs + 1000, &b2);
  ASSERT_TRUE(out.error.ok());
  EXPECT_EQ(out.stale, 1u);
  ASSERT_EQ(b2.size(), 2u);
  EXPECT_EQ(b2.ref(1), 2u);
  EXPECT_TRUE(IsStale(b2.values()[1]));
  EXPECT_EQ(b2.timestamps()[1], kTs + 1000);
  FakeCommit(app, b2, &next_ref_);
  wal::Batch b3;  // b stays gone: only one marker
  EXPECT_EQ(app.AddScrape("a 1\n", kText, kTs + 2000, &b3).stale, 0u);
}

TEST_F(ScrapeAppendTest, FailedScrapeMarksEverythingStale) {
  auto app = Make();
  wal::Batch b;
  ASSERT_TRUE(app.AddScrape("a 1\nb 2\n", kText, kTs, &b).error.ok());
  FakeCommit(app, b, &next_ref_);
  wal::Batch f;
  auto out = app.AddFailedScrape(kTs + 1000, &f);
  EXPECT_EQ(out.stale, 2u);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_TRUE(IsStale(f.values()[0]) && IsStale(f.values()[1]));
  FakeCommit(app, f, &next_ref_);
  wal::Batch again;
  EXPECT_EQ(app.AddFailedScrape(kTs + 2000, &again).stale, 0u);
  // A later good scrape brings the series back without re-building labels.
  wal::Batch good;
  auto g = app.AddScrape("a 5\n", kText, kTs + 3000, &good);
  EXPECT_EQ(g.series_added, 0u);
  EXPECT_EQ(good.refs(), (std::vector<wal::SeriesRef>{1}));
}

TEST_F(ScrapeAppendTest, MalformedBodyAppendsNothingButStaleMarkers) {
  auto app = Make();
  wal::Batch b;
  ASSERT_TRUE(app.AddScrape("a 1\nb 2\n", kText, kTs, &b).error.ok());
  FakeCommit(app, b, &next_ref_);
  wal::Batch bad;
  auto out = app.AddScrape("a 7\nc 3\nb{ 2\n", kText, kTs + 1000, &bad);
  ASSERT_FALSE(out.error.ok());
  EXPECT_NE(out.error.message().find("line 3"), std::string::npos) << out.error.message();
  // Prometheus reports what its failed append counted before the error.
  EXPECT_EQ(out.total, 2u);
  EXPECT_EQ(out.added, 2u);
  ASSERT_EQ(bad.size(), 2u);  // only stale markers for a and b; not a=7, not c
  EXPECT_TRUE(IsStale(bad.values()[0]) && IsStale(bad.values()[1]));
  EXPECT_TRUE(bad.pending().empty());
}

TEST_F(ScrapeAppendTest, SampleLimitFailsTheScrape) {
  auto app = Make({.sample_limit = 2});
  wal::Batch b;
  auto out = app.AddScrape("a 1\nb 2\nc 3\n", kText, kTs, &b);
  EXPECT_EQ(out.error.message(), "sample limit exceeded");
  EXPECT_TRUE(b.empty());
  // Parsing goes on past the limit so the report counts every sample.
  EXPECT_EQ(out.total, 3u);
  EXPECT_EQ(out.added, 3u);
  EXPECT_EQ(out.series_added, 2u);
  wal::Batch ok;
  EXPECT_TRUE(app.AddScrape("a 1\nb 2\n", kText, kTs, &ok).error.ok());
}

TEST_F(ScrapeAppendTest, LabelLimitsUsePrometheusMessages) {
  auto app = Make({.label_limit = 3});
  wal::Batch b;
  EXPECT_EQ(app.AddScrape("m{a=\"1\"} 1\n", kText, kTs, &b).error.message(),
            "label_limit exceeded (metric: m, number of labels: 4, limit: 3)");
  auto names = Make({.label_name_length_limit = 5});
  wal::Batch c;
  EXPECT_EQ(names.AddScrape("m{abcdefg=\"1\"} 1\n", kText, kTs, &c).error.message(),
            "label_name_length_limit exceeded (metric: m, label name: __name__, length: 8, limit: 5)");
  auto values = Make({.label_value_length_limit = 3});
  wal::Batch d;
  EXPECT_EQ(values.AddScrape("m{a=\"long\"} 1\n", kText, kTs, &d).error.message(),
            "label_value_length_limit exceeded (metric: m, label name: a, value: \"long\", "
            "length: 4, limit: 3)");
}

TEST_F(ScrapeAppendTest, MetricRelabelDropIsRememberedAndNotCounted) {
  auto r = testing::DropNames("go_.*");
  ASSERT_NE(r, nullptr);
  auto app = Make({.metric_relabeler = r.get()});
  wal::Batch b;
  auto out = app.AddScrape("go_goroutines 5\nup_thing 1\n", kText, kTs, &b);
  EXPECT_EQ(out.total, 2u);
  EXPECT_EQ(out.added, 1u);
  EXPECT_EQ(b.size(), 1u);
  EXPECT_TRUE(app.cache().IsDropped("go_goroutines"));
}

TEST_F(ScrapeAppendTest, TimestampsHonoredOnlyWhenConfigured) {
  auto honor = Make();
  wal::Batch a;
  ASSERT_TRUE(honor.AddScrape("m 1 1600000000000\n", kText, kTs, &a).error.ok());
  EXPECT_EQ(a.timestamps()[0], 1600000000000);
  auto ignore = Make({.honor_timestamps = false});
  wal::Batch b;
  ASSERT_TRUE(ignore.AddScrape("m 1 1600000000000\n", kText, kTs, &b).error.ok());
  EXPECT_EQ(b.timestamps()[0], kTs);
}

TEST_F(ScrapeAppendTest, DuplicateSeriesInOneBodyKeepTheFirst) {
  auto app = Make();
  wal::Batch b;
  auto out = app.AddScrape("m 1\nm 2\n", kText, kTs, &b);
  EXPECT_EQ(out.duplicates, 1u);
  EXPECT_EQ(out.added, 2u);  // Prometheus counts the duplicate after relabeling
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b.values()[0], 1);
}

TEST_F(ScrapeAppendTest, ReportSeriesCarryTargetLabels) {
  auto app = Make();
  wal::Batch b;
  app.AddReport(kTs, {.up = true, .duration_seconds = 0.5, .samples_scraped = 3,
                      .samples_post_relabeling = 2, .series_added = 1}, &b);
  ASSERT_EQ(b.size(), 5u);
  EXPECT_EQ(LabelsOf(b, 0), Labels::Of({{"__name__", "up"}, {"instance", "a:1"}, {"job", "node"}}));
  EXPECT_EQ(b.values(), (std::vector<double>{1, 0.5, 3, 2, 1}));
  EXPECT_EQ(LabelsOf(b, 4).Get("__name__"), "scrape_series_added");
  FakeCommit(app, b, &next_ref_);
  wal::Batch s;
  app.AddStaleAll(kTs + 1, &s);
  ASSERT_EQ(s.size(), 5u);
  for (double v : s.values()) EXPECT_TRUE(IsStale(v));
}

TEST_F(ScrapeAppendTest, OpenMetricsBodiesAndMissingContentType) {
  auto app = Make();
  wal::Batch b;
  auto out = app.AddScrape("# TYPE a counter\na_total 1\n# EOF\n",
                           "application/openmetrics-text; version=1.0.0", kTs, &b);
  ASSERT_TRUE(out.error.ok()) << out.error.ToString();
  EXPECT_EQ(LabelsOf(b, 0).Get("__name__"), "a_total");
  wal::Batch c;
  EXPECT_FALSE(Make().AddScrape("a 1\n", "", kTs, &c).error.ok());
  auto fallback = Make({.fallback_protocol = parse::ScrapeProtocol::kPrometheusText0_0_4});
  wal::Batch d;
  EXPECT_TRUE(fallback.AddScrape("a 1\n", "", kTs, &d).error.ok());
}

TEST_F(ScrapeAppendTest, SeriesWithExplicitTimestampsGetNoStaleMarkers) {
  auto app = Make();
  wal::Batch b;
  ASSERT_TRUE(app.AddScrape("a 1 1600000000000\nb 2\n", kText, kTs, &b).error.ok());
  FakeCommit(app, b, &next_ref_);
  wal::Batch b2;
  auto out = app.AddScrape("", kText, kTs + 1000, &b2);
  ASSERT_TRUE(out.error.ok());
  EXPECT_EQ(out.stale, 1u);  // b only, as Prometheus
  ASSERT_EQ(b2.size(), 1u);
  EXPECT_EQ(b2.ref(0), 2u);

  auto tracked = Make({.track_timestamps_staleness = true});
  wal::Batch t;
  ASSERT_TRUE(tracked.AddScrape("a 1 1600000000000\nb 2\n", kText, kTs, &t).error.ok());
  FakeCommit(tracked, t, &next_ref_);
  wal::Batch t2;
  EXPECT_EQ(tracked.AddScrape("", kText, kTs + 1000, &t2).stale, 2u);
}

TEST_F(ScrapeAppendTest, ReorderedBodiesStillHitTheCache) {
  auto app = Make();
  wal::Batch b1;
  ASSERT_TRUE(app.AddScrape("a 1\nb 2\nc 3\n", kText, kTs, &b1).error.ok());
  FakeCommit(app, b1, &next_ref_);  // a=1 b=2 c=3
  wal::Batch b2;  // reordered, one new series, one gone, one repeated
  auto out = app.AddScrape("c 3\nnew 4\na 1\nc 9\n", kText, kTs + 1000, &b2);
  ASSERT_TRUE(out.error.ok());
  EXPECT_EQ(out.series_added, 1u);
  EXPECT_EQ(out.stale, 1u);
  EXPECT_EQ(out.duplicates, 1u);
  ASSERT_EQ(b2.size(), 4u);  // c, new, a, then b's marker
  EXPECT_EQ(b2.ref(0), 3u);
  EXPECT_EQ(b2.ref(2), 1u);
  EXPECT_EQ(b2.ref(3), 2u);
  EXPECT_TRUE(IsStale(b2.values()[3]));
  FakeCommit(app, b2, &next_ref_);  // new=4
  wal::Batch b3;  // the same shape again: every line matches in order
  out = app.AddScrape("c 5\nnew 6\na 7\n", kText, kTs + 2000, &b3);
  ASSERT_TRUE(out.error.ok());
  EXPECT_EQ(b3.refs(), (std::vector<wal::SeriesRef>{3, 4, 1}));
  EXPECT_EQ(b3.values(), (std::vector<double>{5, 6, 7}));
  EXPECT_TRUE(b3.pending().empty());
  EXPECT_EQ(out.stale, 0u);
}

TEST_F(ScrapeAppendTest, DroppedSeriesStayDroppedOnLaterScrapes) {
  auto r = testing::DropNames("go_.*");
  ASSERT_NE(r, nullptr);
  auto app = Make({.metric_relabeler = r.get()});
  for (int i = 0; i < 3; ++i) {
    wal::Batch b;
    auto out = app.AddScrape("go_goroutines 5\nup_thing 1\ngo_threads 2\n", kText, kTs + i, &b);
    ASSERT_TRUE(out.error.ok());
    EXPECT_EQ(out.total, 3u);
    EXPECT_EQ(out.added, 1u);
    ASSERT_EQ(b.size(), 1u) << i;
    EXPECT_EQ(b.values()[0], 1);
    FakeCommit(app, b, &next_ref_);
  }
}

TEST_F(ScrapeAppendTest, LabelsComeBackFromTheCacheAfterTheWalForgetsRefs) {
  // The cache keeps labels packed; a series needs them again (unpacked into
  // the batch) when the WAL collected its ref.
  auto app = Make();
  const std::string value(300, 'v');  // a multi-byte varint length
  const std::string body = "a{long=\"" + value + "\"} 1\nb 2\n";
  wal::Batch b;
  ASSERT_TRUE(app.AddScrape(body, kText, kTs, &b).error.ok());
  const Labels a = Labels::Of({{"__name__", "a"}, {"instance", "a:1"}, {"job", "node"},
                               {"long", value}});
  EXPECT_EQ(LabelsOf(b, 0), a);
  FakeCommit(app, b, &next_ref_);
  app.mutable_cache().ForgetRefs();
  wal::Batch b2;
  ASSERT_TRUE(app.AddScrape(body, kText, kTs + 15000, &b2).error.ok());
  ASSERT_EQ(b2.pending().size(), 2u);
  EXPECT_EQ(LabelsOf(b2, 0), a);
  EXPECT_EQ(LabelsOf(b2, 1), Labels::Of({{"__name__", "b"}, {"instance", "a:1"}, {"job", "node"}}));
}

TEST_F(ScrapeAppendTest, InheritedSeriesGetStaleMarkersOnlyWhenGone) {
  // A reload hands the old appender's last series to the new one.
  auto old_app = Make();
  wal::Batch b;
  ASSERT_TRUE(old_app.AddScrape("a 1\nb 2\nc{x=\"\\\"q\"} 3\n", kText, kTs, &b).error.ok());
  FakeCommit(old_app, b, &next_ref_);
  std::vector<labels::PackedLabels> inherited = old_app.PreviousSeries();
  ASSERT_EQ(inherited.size(), 3u);

  auto app = Make();
  app.InheritPrevious(std::move(inherited));
  wal::Batch b2;
  auto out = app.AddScrape("a 5\n", kText, kTs + 15000, &b2);
  ASSERT_TRUE(out.error.ok());
  EXPECT_EQ(out.stale, 2u);
  ASSERT_EQ(b2.size(), 3u);
  EXPECT_EQ(LabelsOf(b2, 0), Labels::Of({{"__name__", "a"}, {"instance", "a:1"}, {"job", "node"}}));
  EXPECT_FALSE(IsStale(b2.values()[0]));
  std::vector<Labels> stale;
  for (size_t i = 1; i < b2.size(); ++i) {
    EXPECT_TRUE(IsStale(b2.values()[i]));
    stale.push_back(LabelsOf(b2, i));
  }
  std::sort(stale.begin(), stale.end());
  EXPECT_EQ(stale, (std::vector<Labels>{
                       Labels::Of({{"__name__", "b"}, {"instance", "a:1"}, {"job", "node"}}),
                       Labels::Of({{"__name__", "c"}, {"instance", "a:1"}, {"job", "node"},
                                   {"x", "\"q"}})}));
  // Once: the next scrape has no inherited series left.
  FakeCommit(app, b2, &next_ref_);
  wal::Batch b3;
  out = app.AddScrape("a 6\n", kText, kTs + 30000, &b3);
  EXPECT_EQ(out.stale, 0u);
}

}  // namespace
}  // namespace ferry::scrape
