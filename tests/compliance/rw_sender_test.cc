// The 19 cases of the Prometheus remote-write 1.0 sender compliance suite
// (github.com/prometheus/compliance, remotewrite/sender/cases, the list in
// main_test.go), run against the real ferry binary. docs/compliance.md lists
// them with what each checks and where this reproduction differs.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "tests/compliance/case_util.h"
#include "tests/compliance/rw_sender_harness.h"

namespace ferry::compliance {
namespace {

using labels::Labels;

// ---- One test per metric type -------------------------------------------

TEST(RemoteWriteSender, Counter) {
  CaseSpec spec;
  // The counter is incremented after each scrape: the n-th scrape sees n-1.
  spec.metrics = [](int64_t n, httplib::Response& res) {
    res.set_content("# HELP counter A counter.\n# TYPE counter counter\ncounter " +
                        std::to_string(n - 1) + "\n",
                    kTextFormat);
  };
  spec.done = AtLeast(Labels::Of({{"__name__", "counter"}}), 3);
  CaseResult r = RunCase(spec);
  ExpectCleanRun(r);
  auto got = Matching(r.batches, Labels::Of({{"__name__", "counter"}}));
  ASSERT_FALSE(got.empty()) << "found zero samples for {__name__=\"counter\"}";
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].value, static_cast<double>(i)) << "counter sample #" << i << " in arrival order";
  }
}

TEST(RemoteWriteSender, Gauge) {
  CaseSpec spec;
  spec.metrics = NowGauge;
  spec.done = AtLeast(Labels::Of({{"__name__", "now"}}), 2);
  CaseResult r = RunCase(spec);
  ExpectCleanRun(r);
  auto got = Matching(r.batches, Labels::Of({{"__name__", "now"}}));
  ASSERT_FALSE(got.empty()) << "found zero samples for {__name__=\"now\"}";
  for (const auto& s : got) {
    // assert.InEpsilon(ts, v, 0.01): relative error under 1%.
    EXPECT_LT(std::fabs(s.value - s.timestamp_ms) / std::fabs(double(s.timestamp_ms)), 0.01)
        << "now=" << s.value << " @" << s.timestamp_ms;
  }
}

// Stop condition for histogram and summary: every series of the family has
// the same number of samples, at least "n".
std::function<bool(const std::vector<Batch>&)> SameCounts(std::vector<Labels> series, size_t n) {
  return [series, n](const std::vector<Batch>& b) {
    size_t first = Matching(b, series[0]).size();
    if (first < n) return false;
    for (const auto& s : series) {
      if (Matching(b, s).size() != first) return false;
    }
    return true;
  };
}

TEST(RemoteWriteSender, Histogram) {
  // The suite expects le="1" and le="2" as exposed (Prometheus 2.x). ferry,
  // like Prometheus 3, normalizes `le` of text-format histograms to the
  // OpenMetrics float form (docs/testing.md), so the buckets arrive as
  // le="1.0" and le="2.0" (quantile="0.5" etc. are unchanged by that rule).
  const Labels le1 = Labels::Of({{"__name__", "histogram_bucket"}, {"le", "1.0"}});
  const Labels le2 = Labels::Of({{"__name__", "histogram_bucket"}, {"le", "2.0"}});
  const Labels inf = Labels::Of({{"__name__", "histogram_bucket"}, {"le", "+Inf"}});
  const Labels sum = Labels::Of({{"__name__", "histogram_sum"}});
  const Labels count = Labels::Of({{"__name__", "histogram_count"}});
  CaseSpec spec;
  // Buckets {1, 2}, observations 1 and 2, as client_golang exposes them.
  spec.metrics = Static(
      "# HELP histogram A histogram.\n# TYPE histogram histogram\n"
      "histogram_bucket{le=\"1\"} 1\nhistogram_bucket{le=\"2\"} 2\n"
      "histogram_bucket{le=\"+Inf\"} 2\nhistogram_sum 3\nhistogram_count 2\n");
  spec.done = SameCounts({count, le1, le2, inf, sum}, 2);
  CaseResult r = RunCase(spec);
  ExpectCleanRun(r);
  size_t n_le1 = CountWithValue(r, le1, 1), n_le2 = CountWithValue(r, le2, 2),
         n_inf = CountWithValue(r, inf, 2), n_sum = CountWithValue(r, sum, 3),
         n_count = CountWithValue(r, count, 2);
  EXPECT_EQ(n_count, n_le1);
  EXPECT_EQ(n_count, n_le2);
  EXPECT_EQ(n_count, n_inf);
  EXPECT_EQ(n_count, n_sum);
  EXPECT_GT(n_count, 0u) << "found zero samples for {__name__=\"histogram_count\"}";
}

TEST(RemoteWriteSender, Summary) {
  const Labels p50 = Labels::Of({{"__name__", "summary"}, {"quantile", "0.5"}});
  const Labels p90 = Labels::Of({{"__name__", "summary"}, {"quantile", "0.9"}});
  const Labels p99 = Labels::Of({{"__name__", "summary"}, {"quantile", "0.99"}});
  const Labels sum = Labels::Of({{"__name__", "summary_sum"}});
  const Labels count = Labels::Of({{"__name__", "summary_count"}});
  CaseSpec spec;
  // Observations 1, 2, 3 with objectives 0.5, 0.9, 0.99.
  spec.metrics = Static(
      "# HELP summary A summary.\n# TYPE summary summary\n"
      "summary{quantile=\"0.5\"} 2\nsummary{quantile=\"0.9\"} 3\n"
      "summary{quantile=\"0.99\"} 3\nsummary_sum 6\nsummary_count 3\n");
  spec.done = SameCounts({count, p50, p90, p99, sum}, 2);
  CaseResult r = RunCase(spec);
  ExpectCleanRun(r);
  size_t n_p50 = CountWithValue(r, p50, 2), n_p90 = CountWithValue(r, p90, 3),
         n_p99 = CountWithValue(r, p99, 3), n_sum = CountWithValue(r, sum, 6),
         n_count = CountWithValue(r, count, 3);
  EXPECT_EQ(n_count, n_p50);
  EXPECT_EQ(n_count, n_p90);
  EXPECT_EQ(n_count, n_p99);
  EXPECT_EQ(n_count, n_sum);
  EXPECT_GT(n_count, 0u) << "found zero samples for {__name__=\"summary_count\"}";
}

// ---- up ------------------------------------------------------------------

const Labels kUpTest = Labels::Of({{"__name__", "up"}, {"job", "test"}});

TEST(RemoteWriteSender, Up) {
  CaseSpec spec;
  spec.metrics = kGauge42;
  spec.done = AtLeast(kUpTest, 2);
  CaseResult r = RunCase(spec);
  ExpectCleanRun(r);
  EXPECT_GT(CountWithValue(r, kUpTest, 1), 0u) << "found zero samples for up{job=\"test\"}";
}

TEST(RemoteWriteSender, Invalid) {
  CaseSpec spec;
  spec.metrics = Static("\n# this is not valid prometheus\n1234notvali}{ 444\n");
  spec.done = AtLeast(kUpTest, 2);
  CaseResult r = RunCase(spec);
  ExpectCleanRun(r);
  EXPECT_GT(CountWithValue(r, kUpTest, 0), 0u) << "found zero samples for up{job=\"test\"}";
}

}  // namespace
}  // namespace ferry::compliance
