#include "src/scrape/target.h"

#include <gtest/gtest.h>

namespace ferry::scrape {
namespace {

using labels::Labels;
using namespace std::chrono_literals;

config::ScrapeConfig Job() {
  config::ScrapeConfig c;
  c.job_name = "node";
  c.scrape_interval = 15s;
  c.scrape_timeout = 10s;
  return c;
}

std::unique_ptr<relabel::Relabeler> Rules(std::vector<relabel::RelabelConfig> rules) {
  auto r = relabel::Relabeler::Compile(rules);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return std::move(r).value();
}

TEST(BuildTargetTest, AddsJobDefaultsAndInstance) {
  config::ScrapeConfig cfg = Job();
  cfg.params["module"] = {"http_2xx", "second"};  // only the first becomes __param_module
  auto r = BuildTarget(Labels::Of({{"__address__", "10.0.0.1:9100"}, {"__meta_x", "y"}, {"env", "p"}}),
                       cfg, nullptr);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_TRUE(r.target.has_value());
  const Target& t = *r.target;
  EXPECT_EQ(t.url, "http://10.0.0.1:9100/metrics?module=http_2xx&module=second");
  EXPECT_EQ(t.interval, 15s);
  EXPECT_EQ(t.timeout, 10s);
  EXPECT_EQ(t.labels.Get("instance"), "10.0.0.1:9100");
  EXPECT_FALSE(t.labels.Has("__meta_x"));
  EXPECT_EQ(t.labels.Get("__param_module"), "http_2xx");
  EXPECT_EQ(t.SampleLabels(), Labels::Of({{"env", "p"}, {"instance", "10.0.0.1:9100"}, {"job", "node"}}));
  EXPECT_EQ(r.discovered_labels.Get("__meta_x"), "y");
  EXPECT_EQ(r.discovered_labels.Get("__scrape_interval__"), "15s");
  EXPECT_EQ(r.discovered_labels.Get("__metrics_path__"), "/metrics");
}

TEST(BuildTargetTest, RelabelingCanRewriteSchemePathParamsAndDrop) {
  config::ScrapeConfig cfg = Job();
  relabel::RelabelConfig scheme;
  scheme.target_label = "__scheme__";
  scheme.replacement = "https";
  relabel::RelabelConfig param;
  param.source_labels = {"__address__"};
  param.target_label = "__param_target";
  relabel::RelabelConfig addr;
  addr.target_label = "__address__";
  addr.replacement = "blackbox:9115";
  relabel::RelabelConfig path;
  path.target_label = "__metrics_path__";
  path.replacement = "/probe";
  auto rules = Rules({scheme, param, addr, path});
  auto r = BuildTarget(Labels::Of({{"__address__", "example.com"}}), cfg, rules.get());
  ASSERT_TRUE(r.target.has_value()) << r.status.ToString();
  EXPECT_EQ(r.target->url, "https://blackbox:9115/probe?target=example.com");
  EXPECT_EQ(r.target->labels.Get("instance"), "blackbox:9115");

  relabel::RelabelConfig drop;
  drop.source_labels = {"__address__"};
  drop.regex = "example.*";
  drop.action = relabel::Action::kDrop;
  auto dropper = Rules({drop});
  auto d = BuildTarget(Labels::Of({{"__address__", "example.com"}}), cfg, dropper.get());
  EXPECT_FALSE(d.target.has_value());
  EXPECT_TRUE(d.status.ok());
  EXPECT_EQ(d.discovered_labels.Get("__address__"), "example.com");
}

TEST(BuildTargetTest, InvalidTargetsSayWhy) {
  config::ScrapeConfig cfg = Job();
  auto no_addr = BuildTarget(Labels::Of({{"foo", "bar"}}), cfg, nullptr);
  EXPECT_FALSE(no_addr.target.has_value());
  EXPECT_EQ(no_addr.status.message(), "no address");

  relabel::RelabelConfig t;
  t.target_label = "__scrape_timeout__";
  t.replacement = "20s";
  auto rules = Rules({t});
  auto bad = BuildTarget(Labels::Of({{"__address__", "a:1"}}), cfg, rules.get());
  EXPECT_EQ(bad.status.message(),
            "scrape timeout cannot be greater than scrape interval (\"20s\" > \"15s\")");
  auto slash = BuildTarget(Labels::Of({{"__address__", "a:1/x"}}), cfg, nullptr);
  EXPECT_FALSE(slash.status.ok());
}

TEST(BuildTargetTest, KeepsAnExplicitInstanceAndHashesByLabelsAndUrl) {
  config::ScrapeConfig cfg = Job();
  auto a = BuildTarget(Labels::Of({{"__address__", "a:1"}, {"instance", "node-a"}}), cfg, nullptr);
  auto b = BuildTarget(Labels::Of({{"__address__", "a:1"}, {"instance", "node-b"}}), cfg, nullptr);
  ASSERT_TRUE(a.target && b.target);
  EXPECT_EQ(a.target->labels.Get("instance"), "node-a");
  EXPECT_NE(a.target->hash, b.target->hash);
  auto a2 = BuildTarget(Labels::Of({{"instance", "node-a"}, {"__address__", "a:1"}}), cfg, nullptr);
  EXPECT_EQ(a.target->hash, a2.target->hash);
}

TEST(ScrapeOffsetTest, StaysWithinTheIntervalAndIsPinnedToAbsoluteTime) {
  const auto interval = std::chrono::nanoseconds(15s);
  const int64_t iv = interval.count();
  for (uint64_t h : {0ull, 1ull, 12345678901234ull, ~0ull}) {
    for (int64_t now : {int64_t{0}, int64_t{1}, iv - 1, 7 * iv + 123}) {
      auto off = ScrapeOffset(h, 42, interval, now).count();
      EXPECT_GE(off, 0);
      EXPECT_LE(off, iv);
      // The scrape lands at the same phase of the interval whenever we start.
      int64_t phase = (now + off) % iv;
      int64_t phase2 = (now + 5 * iv / 7 + ScrapeOffset(h, 42, interval, now + 5 * iv / 7).count()) % iv;
      EXPECT_EQ(phase, phase2) << h << " " << now;
    }
  }
}

}  // namespace
}  // namespace ferry::scrape
