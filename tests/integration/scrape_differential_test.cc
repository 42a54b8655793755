// Differential test: the same targets and the same prometheus.yml scraped by
// a real Prometheus in server mode and by the ferry binary. What Prometheus
// stored (its HTTP API) must equal what ferry appended to its WAL
// (`ferry wal dump --format json`): the same series sets, and for the
// generated targets (whose body depends only on the scrape number) the same
// value for every scrape, aligned by scrape number since the two agents
// scrape at different instants. Then a target disappears (file_sd) and both
// must end its series with a stale marker.
//
// Intentional differences, not compared:
//  - scrape_duration_seconds values (timing); only presence per scrape is.
//  - node_exporter and Prometheus' own /metrics change between the two
//    agents' scrapes, so only their series sets are compared, on a window
//    where both agents were scraping (see CompareSeriesSetsInWindow).
//  - Prometheus' PromQL never returns stale markers; a stale marker there is
//    observed as an instant query returning nothing after it.
//  - ferry follows Prometheus 3 and normalizes the `le` of histogram buckets
//    and the `quantile` of summaries scraped in text format to the
//    OpenMetrics float form (le="1" -> le="1.0"), so the same series get the
//    same labels whichever format a target negotiates. Debian's Prometheus
//    2.42 stores them as exposed. The test applies Prometheus 3's rule to
//    2.42's labels (see Prom3Key) before comparing.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/integration/e2e_util.h"
#include "tests/integration/edge_bodies.h"

namespace ferry::e2e {
namespace {

using namespace std::chrono_literals;
using ::ferry::testing::TempDir;
using ::ferry::testing::WriteFileOrDie;

// Exposed timestamps: in the past (Prometheus' TSDB accepts them), distinct
// per scrape number, the same for both agents.
int64_t g_t0_ms = 0;
int64_t ExposedTs(int64_t n) { return ::ferry::e2e::ExposedTs(g_t0_ms, n); }

// Prometheus 3's normalization of le/quantile (formatOpenMetricsFloat of the
// parsed value) applied to a label set Prometheus 2.42 stored. Exact for the
// values in these bodies and for Go's client libraries, which write floats
// in shortest form: only an integral value without exponent gains ".0".
std::string Prom3Key(const std::string& key);
SeriesSamples Prom3(const SeriesSamples& s) {
  SeriesSamples out;
  for (const auto& [k, v] : s) out[Prom3Key(k)] = v;
  return out;
}
std::set<std::string> Prom3(const std::set<std::string>& s) {
  std::set<std::string> out;
  for (const auto& k : s) out.insert(Prom3Key(k));
  return out;
}

// The scrape job a series came from (honor_labels keeps the body's job).
std::string JobOf(const LabelMap& l) {
  auto it = l.find("job");
  if (it == l.end()) return "";
  return it->second == "from_target" ? "edge_honor" : it->second;
}
LabelMap Parse(const std::string& key) {
  // Keys are produced by Key(); reparse via JSON-ish: {a="b", ...}.
  LabelMap out;
  size_t i = 1;
  while (i < key.size() && key[i] != '}') {
    size_t eq = key.find('=', i);
    std::string name = key.substr(i, eq - i);
    size_t end = eq + 2;
    while (key[end] != '"') end += key[end] == '\\' ? 2 : 1;
    out[name] = nlohmann::json::parse(key.substr(eq + 1, end - eq)).get<std::string>();
    i = end + 1;
    if (key.compare(i, 2, ", ") == 0) i += 2;
  }
  return out;
}
std::string NameOf(const std::string& key) { return Parse(key)["__name__"]; }

std::string Prom3Key(const std::string& key) {
  LabelMap l = Parse(key);
  for (const char* name : {"le", "quantile"}) {
    auto it = l.find(name);
    if (it == l.end() || it->second.empty()) continue;
    const std::string& v = it->second;
    char* end = nullptr;
    std::strtod(v.c_str(), &end);
    if (*end != '\0') continue;  // not a float: kept as is
    if (v.find_first_of(".eEnNiI") == std::string::npos) it->second = v + ".0";
  }
  return Key(l);
}

// Per job: scrape timestamp -> scrape number, from each job's id series.
using ScrapeIds = std::map<std::string, std::map<int64_t, int64_t>>;
ScrapeIds IdsOf(const SeriesSamples& s) {
  static const std::map<std::string, std::string> kIdSeries = {
      {"edge_text", "edge_scrape_id"},
      {"edge_om", "om_requests_total"},
      {"edge_honor", "honored_plain"},
      {"gone", "gone_metric"}};
  ScrapeIds out;
  for (const auto& [key, samples] : s) {
    LabelMap l = Parse(key);
    auto it = kIdSeries.find(JobOf(l));
    if (it == kIdSeries.end() || l["__name__"] != it->second) continue;
    for (const Sample& x : samples) {
      if (!x.stale) out[it->first][x.ts] = std::llround(x.value);
    }
  }
  return out;
}

bool HasExposedTs(const std::string& name) {
  return name == "edge_ts_ms" || name == "om_ts" || name == "gone_ts";
}

// series -> scrape number (or, for exposed timestamps, the timestamp) -> value.
using Aligned = std::map<std::string, std::map<int64_t, double>>;
Aligned Align(const SeriesSamples& s, const ScrapeIds& ids, std::vector<std::string>* errors) {
  Aligned out;
  for (const auto& [key, samples] : s) {
    std::string name = NameOf(key);
    const auto& job_ids = ids.count(JobOf(Parse(key))) ? ids.at(JobOf(Parse(key)))
                                                       : std::map<int64_t, int64_t>{};
    for (const Sample& x : samples) {
      if (x.stale) continue;
      if (HasExposedTs(name)) {
        out[key][x.ts] = x.value;
        continue;
      }
      auto it = job_ids.find(x.ts);
      if (it == job_ids.end()) {
        errors->push_back(key + " has a sample at " + std::to_string(x.ts) +
                          " that no scrape of its job produced");
        continue;
      }
      out[key][it->second] = name == "scrape_duration_seconds" ? 0 : x.value;
    }
  }
  return out;
}

class ScrapeDifferentialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    g_t0_ms = NowMs() - 120'000;
    const int64_t t0 = g_t0_ms;
    targets_.Handle("/text", [t0](int64_t n) { return TextBody(t0, n); });
    targets_.Handle("/om", [t0](int64_t n) { return OpenMetricsBody(t0, n); });
    targets_.Handle("/honor", [t0](int64_t n) { return HonorBody(t0, n); });
    gone_.Handle("/gone", [t0](int64_t n) { return GoneBody(t0, n); });
    targets_.Start();
    gone_.Start();
    node_port_ = ::ferry::testing::PickFreePort();
    node_ = std::make_unique<::ferry::testing::Subprocess>(
        std::vector<std::string>{kNodeExporter,
                                 "--web.listen-address=127.0.0.1:" + std::to_string(node_port_)},
        dir_.Sub("node_exporter"));
    ASSERT_TRUE(node_->WaitForStderr("Listening on", 30s)) << node_->Stderr();

    gone_sd_ = dir_.Sub("gone.json");
    WriteFileOrDie(gone_sd_, "[{\"targets\": [\"" + gone_.address() +
                                 "\"], \"labels\": {\"zone\": \"z1\"}}]\n");
    config_ = dir_.Sub("prometheus.yml");
    prom_ = std::make_unique<Prometheus>(dir_.Sub("prom"), config_);
    std::string t = targets_.address();
    WriteFileOrDie(config_, R"(global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: node
    static_configs: [{targets: ['127.0.0.1:)" + std::to_string(node_port_) + R"(']}]
  - job_name: prometheus
    static_configs: [{targets: [')" + prom_->address() + R"(']}]
  - job_name: edge_text
    metrics_path: /text
    static_configs: [{targets: [')" + t + R"('], labels: {team: "a b"}}]
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: edge_drop_.*
        action: drop
      - source_labels: [orig]
        regex: (.+)
        target_label: renamed
        replacement: r_${1}
  - job_name: edge_om
    metrics_path: /om
    static_configs: [{targets: [')" + t + R"(']}]
  - job_name: edge_honor
    honor_labels: true
    metrics_path: /honor
    static_configs: [{targets: [')" + t + R"(']}]
  - job_name: gone
    metrics_path: /gone
    file_sd_configs: [{files: [')" + gone_sd_ + R"(']}]
)");
    std::filesystem::create_directories(dir_.Sub("prom"));
    std::filesystem::create_directories(dir_.Sub("ferry"));
    ASSERT_TRUE(prom_->Start()) << prom_->AllStderr();
    ferry_ = std::make_unique<Ferry>(dir_.Sub("ferry"), config_);
    ASSERT_TRUE(ferry_->Start()) << ferry_->AllStderr();
  }

  // Both agents' view of "selector": Prometheus' raw samples and ferry's WAL.
  void Snapshot(const std::string& selector, SeriesSamples* prom, SeriesSamples* ferry) {
    bool ok = false;
    std::string err;
    *ferry = ferry_->Dump(selector, &ok, &err);
    ASSERT_TRUE(ok) << err;
    *prom = Prom3(prom_->Raw(selector, NowMs() + 1000));
  }

  TempDir dir_;
  TargetServer targets_, gone_;
  int node_port_ = 0;
  std::unique_ptr<::ferry::testing::Subprocess> node_;
  std::string config_, gone_sd_;
  std::unique_ptr<Prometheus> prom_;
  std::unique_ptr<Ferry> ferry_;
};

// Series present (non-stale sample) in [from, to].
std::set<std::string> SeriesIn(const SeriesSamples& s, int64_t from, int64_t to) {
  std::set<std::string> out;
  for (const auto& [key, samples] : s) {
    for (const Sample& x : samples) {
      if (!x.stale && x.ts >= from && x.ts <= to) {
        out.insert(key);
        break;
      }
    }
  }
  return out;
}

// Every series one agent has in the window where both scraped must appear
// in the other's data within the window widened by 2.5 scrape intervals
// (the other agent's scrape of the same state happens within one interval).
void CompareSeriesSetsInWindow(const std::string& job, const SeriesSamples& prom,
                               const SeriesSamples& ferry) {
  auto up_range = [&](const SeriesSamples& s) {
    std::pair<int64_t, int64_t> r{INT64_MAX, INT64_MIN};
    for (const auto& [key, samples] : s) {
      if (NameOf(key) != "up") continue;
      for (const Sample& x : samples) r = {std::min(r.first, x.ts), std::max(r.second, x.ts)};
    }
    return r;
  };
  auto [pa, pb] = up_range(prom);
  auto [fa, fb] = up_range(ferry);
  ASSERT_NE(pa, INT64_MAX) << "Prometheus has no up{job=\"" << job << "\"}";
  ASSERT_NE(fa, INT64_MAX) << "ferry has no up{job=\"" << job << "\"}";
  int64_t from = std::max(pa, fa) + 1500, to = std::min(pb, fb) - 1500;
  ASSERT_LT(from, to) << job << ": the two agents' scrapes do not overlap long enough";
  auto p_narrow = SeriesIn(prom, from, to), f_narrow = SeriesIn(ferry, from, to);
  auto p_wide = SeriesIn(prom, from - 2500, to + 2500),
       f_wide = SeriesIn(ferry, from - 2500, to + 2500);
  EXPECT_GT(p_narrow.size(), 20u) << job;
  std::vector<std::string> only_prom, only_ferry;
  for (const auto& k : p_narrow)
    if (!f_wide.count(k)) only_prom.push_back(k);
  for (const auto& k : f_narrow)
    if (!p_wide.count(k)) only_ferry.push_back(k);
  std::string msg;
  for (const auto& k : only_prom) msg += "  only in Prometheus: " + k + "\n";
  for (const auto& k : only_ferry) msg += "  only in ferry: " + k + "\n";
  EXPECT_TRUE(only_prom.empty() && only_ferry.empty())
      << job << ": series sets differ (" << p_narrow.size() << " series in Prometheus, "
      << f_narrow.size() << " in ferry):\n"
      << msg.substr(0, 6000);
}

TEST_F(ScrapeDifferentialTest, SameSeriesValuesAndStaleness) {
  // A few scrapes of every generated target by both agents.
  constexpr int64_t kScrapes = 7;
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const char* p : {"/text", "/om", "/honor"}) {
          if (targets_.Count(p, Agent::kPrometheus) < kScrapes ||
              targets_.Count(p, Agent::kFerry) < kScrapes)
            return false;
        }
        return gone_.Count("/gone", Agent::kPrometheus) >= kScrapes &&
               gone_.Count("/gone", Agent::kFerry) >= kScrapes;
      },
      40s))
      << "targets were not scraped " << kScrapes << " times by both agents; ferry: "
      << ferry_->AllStderr().substr(0, 4000);
  EXPECT_EQ(targets_.Count("/text", Agent::kOther), 0) << "unexpected User-Agent";

  // 1. Deterministic targets: series sets from /api/v1/series and the WAL.
  const std::string det = "{instance=~\"" + targets_.address() + "|t:1|" + gone_.address() + "\"}";
  SeriesSamples prom, ferry;
  ASSERT_NO_FATAL_FAILURE(Snapshot(det, &prom, &ferry));
  std::set<std::string> prom_series = Prom3(prom_->Series(det)), ferry_series;
  for (const auto& [k, v] : ferry) ferry_series.insert(k);
  {
    std::string msg;
    for (const auto& k : prom_series)
      if (!ferry_series.count(k)) msg += "  only in Prometheus: " + k + "\n";
    for (const auto& k : ferry_series)
      if (!prom_series.count(k)) msg += "  only in ferry: " + k + "\n";
    EXPECT_TRUE(msg.empty()) << "series sets of the generated targets differ:\n" << msg;
    // Spot checks that make the comparison meaningful: some series holds
    // all the fragments of each line.
    auto has = [](const std::set<std::string>& set, std::vector<std::string> fragments) {
      return std::any_of(set.begin(), set.end(), [&](const std::string& k) {
        return std::all_of(fragments.begin(), fragments.end(),
                           [&](const std::string& f) { return k.find(f) != std::string::npos; });
      });
    };
    const std::vector<std::vector<std::string>> kWanted = {
        {R"("edge_collide")", R"(exported_instance="body:1", exported_job="from_body")"},
        {R"("edge_relabel")", R"(orig="x", renamed="r_x")"},
        {R"({__name__="honored", instance="t:1", job="from_target"})"},
        {R"("om_requests_created", code="200")"},
        {R"("edge_escapes_total")", R"(nl="two\nlines")", R"(quote="say \"hi\"")"},
        {R"("scrape_series_added")", R"(job="edge_om")"}};
    for (const auto& want : kWanted) {
      EXPECT_TRUE(has(prom_series, want)) << "Prometheus lacks a series with " << want[0];
    }
    EXPECT_TRUE(has(ferry_series, {R"("edge_hist_bucket")", R"(le="1.0")"}))
        << "ferry no longer normalizes le=\"1\" (Prometheus 3): update Prom3Key";
    for (const auto& k : ferry_series) {
      EXPECT_EQ(k.find("edge_drop_me"), std::string::npos) << "metric_relabel drop ignored: " << k;
    }
  }

  // 2. Values per scrape number.
  std::vector<std::string> errors;
  ScrapeIds prom_ids = IdsOf(prom), ferry_ids = IdsOf(ferry);
  Aligned pa = Align(prom, prom_ids, &errors), fa = Align(ferry, ferry_ids, &errors);
  for (const auto& e : errors) ADD_FAILURE() << e;
  for (const char* job : {"edge_text", "edge_om", "edge_honor", "gone"}) {
    ASSERT_GE(prom_ids[job].size(), 4u) << job;
    ASSERT_GE(ferry_ids[job].size(), 4u) << job;
  }
  int compared = 0;
  for (const auto& [key, pvals] : pa) {
    auto fit = fa.find(key);
    if (fit == fa.end()) continue;  // reported by the series-set check
    std::string job = JobOf(Parse(key));
    bool exposed = HasExposedTs(NameOf(key));
    int64_t common = std::min(prom_ids[job].rbegin()->second, ferry_ids[job].rbegin()->second);
    for (int64_t n = 1; n <= common; ++n) {
      int64_t at = exposed ? ExposedTs(n) : n;
      auto p = pvals.find(at);
      auto f = fit->second.find(at);
      if (p == pvals.end() && f == fit->second.end()) continue;  // e.g. edge_vanish after 3
      if (p == pvals.end() || f == fit->second.end()) {
        ADD_FAILURE() << key << " scrape " << n << ": only "
                      << (p == pvals.end() ? "ferry" : "Prometheus") << " has a sample";
        continue;
      }
      EXPECT_TRUE(SameValue(p->second, f->second))
          << key << " scrape " << n << ": Prometheus " << p->second << ", ferry " << f->second;
      ++compared;
    }
  }
  EXPECT_GT(compared, 200) << "too few aligned samples compared";
  std::printf("compared %d aligned samples of %zu generated series\n", compared, pa.size());

  // 3. A series vanishing from the body: stale marker at the next scrape (4).
  {
    std::string key;
    for (const auto& [k, v] : ferry)
      if (NameOf(k) == "edge_vanish") key = k;
    ASSERT_FALSE(key.empty());
    int64_t ferry_ts4 = 0, prom_ts3 = 0, prom_ts4 = 0;
    for (auto [ts, n] : ferry_ids["edge_text"])
      if (n == 4) ferry_ts4 = ts;
    for (auto [ts, n] : prom_ids["edge_text"]) {
      if (n == 3) prom_ts3 = ts;
      if (n == 4) prom_ts4 = ts;
    }
    ASSERT_TRUE(ferry_ts4 && prom_ts3 && prom_ts4);
    const auto& fs = ferry[key];
    ASSERT_FALSE(fs.empty());
    EXPECT_TRUE(fs.back().stale && fs.back().ts == ferry_ts4)
        << "ferry: edge_vanish must end with a stale marker at scrape 4 (" << ferry_ts4
        << "), last sample at " << fs.back().ts << " stale=" << fs.back().stale;
    EXPECT_EQ(prom_->Instant("edge_vanish", prom_ts3).size(), 1u);
    EXPECT_TRUE(prom_->Instant("edge_vanish", prom_ts4).empty())
        << "Prometheus: no stale marker at scrape 4";
  }

  // 4. Prometheus' own /metrics and node_exporter: series sets.
  for (const char* job : {"node", "prometheus"}) {
    SeriesSamples p, f;
    ASSERT_NO_FATAL_FAILURE(Snapshot(std::string("{job=\"") + job + "\"}", &p, &f));
    CompareSeriesSetsInWindow(job, p, f);
  }

  // 5. The "gone" target disappears from file_sd: both end all its series.
  //    Series with exposed timestamps (gone_ts) get no stale marker in
  //    Prometheus 2.42 (it only tracks staleness of series without one).
  WriteFileOrDie(gone_sd_, "[]\n");
  ASSERT_TRUE(WaitFor([&] { return prom_->Instant("up{job=\"gone\"}", NowMs()).empty(); }, 30s))
      << "Prometheus did not mark up{job=\"gone\"} stale";
  auto ferry_ended = [&](std::set<std::string>* ended, std::set<std::string>* all) {
    bool ok = false;
    auto s = ferry_->Dump("{job=\"gone\"}", &ok);
    for (const auto& [k, v] : s) {
      all->insert(k);
      if (!v.empty() && v.back().stale) ended->insert(k);
    }
    return ok;
  };
  std::set<std::string> f_ended, f_all;
  ASSERT_TRUE(WaitFor(
      [&] {
        f_ended.clear();
        f_all.clear();
        return ferry_ended(&f_ended, &f_all) &&
               std::any_of(f_ended.begin(), f_ended.end(),
                           [](const std::string& k) { return NameOf(k) == "up"; });
      },
      30s))
      << "ferry did not write a stale marker for up{job=\"gone\"}; its log:\n"
      << ferry_->AllStderr().substr(0, 4000);
  // Give Prometheus the same bounded chance to end every series, then compare.
  std::set<std::string> p_all = prom_->Series("{job=\"gone\"}"), p_ended;
  WaitFor([&] { return prom_->Instant("{job=\"gone\"}", NowMs()).size() <= 1; }, 15s);
  std::set<std::string> p_live = prom_->Instant("{job=\"gone\"}", NowMs());
  for (const auto& k : p_all)
    if (!p_live.count(k)) p_ended.insert(k);
  EXPECT_EQ(p_all, f_all);
  EXPECT_EQ(p_ended, f_ended) << "series ended by a stale marker differ";
  EXPECT_EQ(p_ended.size(), 6u) << "gone_metric + up + 4 scrape_* series";

  EXPECT_EQ(ferry_->Stop(), std::optional<int>(0)) << ferry_->AllStderr();
}

}  // namespace
}  // namespace ferry::e2e
