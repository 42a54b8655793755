// Label cases of the remote-write 1.0 sender compliance suite
// (remotewrite/sender/cases/{job_label,instance_label,labels}.go): target
// labels, label order, repeated, empty and missing names, honor_labels.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <string>

#include "tests/compliance/case_util.h"
#include "tests/compliance/rw_sender_harness.h"

namespace ferry::compliance {
namespace {

using labels::Labels;

const Labels kUpTest = Labels::Of({{"__name__", "up"}, {"job", "test"}});

TEST(RemoteWriteSender, JobLabel) {
  const Labels want = Labels::Of({{"__name__", "gauge"}, {"job", "test"}});
  CaseSpec spec;
  spec.metrics = kGauge42;
  spec.done = AtLeast(want, 2);
  CaseResult r = RunCase(spec);
  ExpectCleanRun(r);
  EXPECT_GT(CountWithValue(r, want, 42), 0u) << "found zero samples for gauge{job=\"test\"}";
}

TEST(RemoteWriteSender, InstanceLabel) {
  const Labels gauge = Labels::Of({{"__name__", "gauge"}});
  CaseSpec spec;
  spec.metrics = kGauge42;
  spec.done = AtLeast(gauge, 2);
  CaseResult r = RunCase(spec);
  ExpectCleanRun(r);
  EXPECT_GT(CountWithValue(r, gauge, 42), 0u) << "found zero samples for gauge";
  // labelMustMatch(instance, `127.0.0.1:\d+`) on every sample; here also
  // exactly the configured target.
  const std::regex pattern(R"(127\.0\.0\.1:\d+)");
  for (const auto& b : r.batches) {
    for (const auto& s : b) {
      ASSERT_TRUE(s.labels.Has("instance")) << "label 'instance' not found: " << s.labels.ToString();
      std::string v(s.labels.Get("instance"));
      EXPECT_TRUE(std::regex_match(v, pattern)) << s.labels.ToString();
      EXPECT_EQ(v, r.target) << s.labels.ToString();
    }
  }
}

TEST(RemoteWriteSender, SortedLabels) {
  CaseSpec spec;
  spec.metrics = Static("# HELP test A gauge\n# TYPE test gauge\ntest{b=\"2\",a=\"1\"} 1.0\n");
  const Labels want = Labels::Of({{"__name__", "test"}, {"a", "1"}, {"b", "2"}});
  spec.done = AtLeast(want, 2);
  CaseResult r = RunCase(spec);
  ExpectCleanRun(r);
  // The strict receiver already refuses unsorted label sets (a receiver
  // error); this checks the decoded order as the suite does.
  for (const auto& b : r.batches) {
    for (const auto& s : b) {
      EXPECT_TRUE(std::is_sorted(s.labels.begin(), s.labels.end(),
                                 [](const auto& x, const auto& y) { return x.name < y.name; }))
          << "'" << s.labels.ToString() << "' is not sorted";
    }
  }
  EXPECT_GT(CountWithValue(r, want, 1), 0u) << "found zero samples for test{a=\"1\",b=\"2\"}";
}

// Every sample's label names are unique.
void ExpectNoRepeatedNames(const CaseResult& r) {
  for (const auto& b : r.batches) {
    for (const auto& s : b) {
      std::map<std::string, int> counts;
      for (const auto& l : s.labels) ++counts[l.name];
      for (const auto& [name, n] : counts) {
        EXPECT_EQ(n, 1) << "label '" << name << "' is repeated " << n << " times";
      }
    }
  }
}

TEST(RemoteWriteSender, RepeatedLabels) {
  CaseSpec spec;
  spec.metrics = Static("# HELP test A gauge\n# TYPE test gauge\ntest{a=\"1\",a=\"1\"} 1.0\n");
  // The scrape must fail: wait for two `up` samples, then check nothing else.
  spec.done = AtLeast(kUpTest, 2);
  CaseResult r = RunCase(spec);
  ExpectCleanRun(r);
  ExpectNoRepeatedNames(r);
  EXPECT_EQ(Matching(r.batches, Labels::Of({{"__name__", "test"}, {"a", "1"}})).size(), 0u)
      << "found samples for test{a=\"1\"}, none expected";
  EXPECT_GT(CountWithValue(r, kUpTest, 0), 0u) << "the failed scrape should report up 0";
}

TEST(RemoteWriteSender, EmptyLabels) {
  CaseSpec spec;
  spec.metrics = Static("# HELP test A gauge\n# TYPE test gauge\ntest{a=\"\"} 1.0\n");
  const Labels want = Labels::Of({{"__name__", "test"}});
  spec.done = AtLeast(want, 2);
  CaseResult r = RunCase(spec);
  ExpectCleanRun(r);
  for (const auto& b : r.batches) {
    for (const auto& s : b) {
      for (const auto& l : s.labels) {
        EXPECT_FALSE(l.value.empty()) << "'" << s.labels.ToString() << "' contains empty labels";
      }
    }
  }
  auto got = Matching(r.batches, want);
  EXPECT_GT(CountWithValue(r, want, 1), 0u) << "found zero samples for {__name__=\"test\"}";
  for (const auto& s : got) EXPECT_FALSE(s.labels.Has("a")) << s.labels.ToString();
}

TEST(RemoteWriteSender, NameLabel) {
  CaseSpec spec;
  spec.metrics = Static("# HELP test A gauge\n# TYPE test gauge\n{label=\"value\"} 1.0\n");
  spec.done = AtLeast(kUpTest, 2);
  CaseResult r = RunCase(spec);
  ExpectCleanRun(r);
  for (const auto& b : r.batches) {
    for (const auto& s : b) {
      EXPECT_TRUE(s.labels.Has("__name__"))
          << "metric '" << s.labels.ToString() << "' is missing name label";
    }
  }
  EXPECT_EQ(Matching(r.batches, Labels::Of({{"label", "value"}})).size(), 0u)
      << "found non-zero samples for {label=\"value\"}";
}

TEST(RemoteWriteSender, HonorLabels) {
  CaseSpec spec;
  spec.metrics = Static(
      "# HELP test A gauge\n# TYPE test gauge\ntest{job=\"original\", instance=\"foo\"} 1.0\n");
  const Labels want = Labels::Of({{"__name__", "test"},
                                  {"exported_instance", "foo"},
                                  {"exported_job", "original"}});
  spec.done = AtLeast(want, 2);
  CaseResult r = RunCase(spec);
  ExpectCleanRun(r);
  EXPECT_GT(CountWithValue(r, want, 1), 0u)
      << "found zero samples for test{exported_job=\"original\"} = 1.0";
  for (const auto& s : Matching(r.batches, want)) {
    EXPECT_EQ(s.labels.Get("job"), "test") << s.labels.ToString();
    EXPECT_EQ(s.labels.Get("instance"), r.target) << s.labels.ToString();
  }
}

}  // namespace
}  // namespace ferry::compliance
