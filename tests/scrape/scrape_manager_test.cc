// ScrapeManager end to end: a real wal::Wal in a TempDir, a real
// httpclient::Client and cpp-httplib targets on 127.0.0.1 serving bodies the
// test controls. Every wait is bounded and driven by WAL commits
// (Wal::WaitForNewer), never by sleeping.
#include "src/scrape/scrape_manager.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <tuple>

#include "src/config/loader.h"
#include "src/scrape/pool_settings.h"
#include "tests/testing/gzip.h"
#include "tests/testing/test_util.h"
#include "wal/wal.h"

namespace ferry::scrape {
namespace {

using ::ferry::testing::Gzip;

using namespace std::chrono_literals;
using labels::Labels;
using ::ferry::testing::TempDir;

constexpr char kTextType[] = "text/plain; version=0.0.4; charset=utf-8";

bool IsStale(double v) { return std::bit_cast<uint64_t>(v) == wal::kStaleNaNBits; }

// What a path of a TargetServer answers.
struct Reply {
  int status = 200;
  std::string body;
  std::string content_type = kTextType;
  bool gzip = false;  // body is sent gzip-encoded (Content-Encoding: gzip)
  // When set, requests without exactly this Authorization header get 401.
  std::string required_authorization;
};

// An HTTP server on 127.0.0.1:<free port> whose replies the test sets per
// path. Records the headers of the last request per path and counts hits.
class TargetServer {
 public:
  explicit TargetServer(int threads = 8, bool keep_alive = true) {
    server_.set_tcp_nodelay(true);  // else Nagle + delayed ACK add 40 ms per request
    server_.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    if (!keep_alive) server_.set_keep_alive_max_count(1);
    server_.Get(R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) {
      Handle(req, res);
    });
    // bind_to_any_port listens already: connections queue until accepted.
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~TargetServer() {
    server_.stop();
    thread_.join();
  }

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  void Set(const std::string& path, Reply r) {
    std::lock_guard l(mu_);
    replies_[path] = std::move(r);
  }
  int hits(const std::string& path) {
    std::lock_guard l(mu_);
    return hits_[path];
  }
  std::string LastHeader(const std::string& path, const std::string& name) {
    std::lock_guard l(mu_);
    auto it = headers_.find(path);
    if (it == headers_.end()) return "";
    auto h = it->second.find(name);
    return h == it->second.end() ? "" : h->second;
  }

 private:
  void Handle(const httplib::Request& req, httplib::Response& res) {
    Reply r;
    {
      std::lock_guard l(mu_);
      hits_[req.path]++;
      auto& h = headers_[req.path];
      h.clear();
      for (const auto& [k, v] : req.headers) h[k] = v;
      auto it = replies_.find(req.path);
      if (it == replies_.end()) {
        res.status = 404;
        return;
      }
      r = it->second;
    }
    if (!r.required_authorization.empty() &&
        req.get_header_value("Authorization") != r.required_authorization) {
      res.status = 401;
      res.set_content("unauthorized", "text/plain");
      return;
    }
    res.status = r.status;
    if (r.gzip) {
      res.set_header("Content-Encoding", "gzip");
      res.set_content(Gzip(r.body), r.content_type.c_str());
    } else {
      res.set_content(r.body, r.content_type.c_str());
    }
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::map<std::string, Reply> replies_;
  std::map<std::string, int> hits_;
  std::map<std::string, std::map<std::string, std::string>> headers_;
};

// One sample read back from the WAL.
struct Sample {
  Labels labels;
  int64_t ts;
  double v;
  std::string_view name() const { return labels.Get("__name__"); }
};

int CountThreads() {
  int n = 0;
  if (DIR* d = opendir("/proc/self/task")) {
    while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
    closedir(d);
  }
  return n;
}

class ScrapeManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    wal::Options o;
    o.dir = dir_.Sub("wal");
    o.durability = wal::Durability::kNever;
    o.retention_interval = 0ms;
    auto w = wal::Wal::Open(o);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    wal_ = std::move(w).value();
    client_ = std::make_unique<httpclient::Client>(httpclient::Client::Options{});
  }
  void TearDown() override {
    if (manager_) manager_->Stop();
    manager_.reset();
    client_->Stop();
  }

  void StartManager(int workers = 2) {
    manager_ = std::make_unique<ScrapeManager>(
        *wal_, *client_, ScrapeManagerOptions{.workers = workers, .hostname = "test-host"});
  }

  // Loads "scrape_configs" YAML under a global section with "interval".
  config::Config Config(const std::string& scrape_configs, const std::string& interval = "500ms") {
    std::string yaml = "global:\n  scrape_interval: " + interval + "\n  scrape_timeout: " +
                       interval + "\nscrape_configs:\n" + scrape_configs;
    auto c = config::LoadString(yaml, "test.yml", dir_.str());
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : config::Config{};
  }
  void Apply(const config::Config& cfg) {
    Status s = manager_->ApplyConfig(cfg);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  std::vector<Sample> All() {
    std::vector<Sample> out;
    Status s = wal_->Dump(INT64_MIN, INT64_MAX, nullptr,
                          [&](uint64_t, wal::SeriesRef, const Labels& l, int64_t ts, double v) {
                            out.push_back({l, ts, v});
                            return Status::Ok();
                          });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }
  // Samples of metric "name" (and, if given, instance "instance"), in WAL order.
  std::vector<Sample> Of(const std::vector<Sample>& all, std::string_view name,
                         std::string_view instance = "") {
    std::vector<Sample> out;
    for (const Sample& s : all) {
      if (s.name() == name && (instance.empty() || s.labels.Get("instance") == instance)) {
        out.push_back(s);
      }
    }
    return out;
  }

  // Re-reads the WAL after each commit until "done" holds or "limit" passes.
  bool WaitUntil(const std::function<bool(const std::vector<Sample>&)>& done,
                 std::chrono::milliseconds limit = 15s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      uint64_t seq = wal_->LastSequence();
      if (done(All())) return true;
      if (std::chrono::steady_clock::now() > deadline) return false;
      wal_->WaitForNewer(seq, 200ms);
    }
  }
  // Waits until "n" more `up` samples of "instance" than now are in the WAL.
  bool WaitScrapes(const std::string& instance, size_t n) {
    size_t have = Of(All(), "up", instance).size();
    return WaitUntil([&](const auto& all) { return Of(all, "up", instance).size() >= have + n; });
  }
  std::optional<TargetStatus> StatusOf(const std::string& instance) {
    for (const TargetStatus& t : manager_->ActiveTargets()) {
      if (t.target.labels.Get("instance") == instance) return t;
    }
    return std::nullopt;
  }
  // Waits for the status of "instance" to satisfy "pred" (status is set right
  // after the scrape's append, so a WAL commit precedes every change).
  bool WaitStatus(const std::string& instance, const std::function<bool(const TargetStatus&)>& pred) {
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    for (;;) {
      uint64_t seq = wal_->LastSequence();
      if (auto s = StatusOf(instance); s && pred(*s)) return true;
      if (std::chrono::steady_clock::now() > deadline) return false;
      wal_->WaitForNewer(seq, 100ms);
    }
  }

  static std::vector<Labels> Targets(std::initializer_list<std::string> addresses,
                                     const Labels& extra = {}) {
    std::vector<Labels> out;
    for (const auto& a : addresses) {
      labels::LabelsBuilder lb(extra);
      lb.Set("__address__", a);
      out.push_back(lb.Build());
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<wal::Wal> wal_;
  std::unique_ptr<httpclient::Client> client_;
  std::unique_ptr<ScrapeManager> manager_;
};

TEST_F(ScrapeManagerTest, SamplesLandWithTargetLabelsAndReportSeries) {
  TargetServer srv;
  srv.Set("/metrics", {.body = "# TYPE m gauge\n"
                               "m{job=\"app\",instance=\"x\"} 5\n"
                               "other{a=\"b\"} 1.5\n"
                               "nan_metric NaN\n"});
  StartManager();
  Apply(Config("  - job_name: node\n"));
  const std::string inst = srv.address();
  manager_->UpdateTargets("node", Targets({inst}, Labels::Of({{"env", "prod"},
                                                              {"__meta_x", "dropped"}})));
  ASSERT_TRUE(WaitUntil([&](const auto& all) { return Of(all, "up", inst).size() >= 2; }));
  auto all = All();

  auto m = Of(all, "m");
  ASSERT_GE(m.size(), 2u);
  EXPECT_EQ(m[0].labels, Labels::Of({{"__name__", "m"}, {"env", "prod"}, {"exported_instance", "x"},
                                     {"exported_job", "app"}, {"instance", inst}, {"job", "node"}}));
  EXPECT_EQ(m[0].v, 5);
  auto other = Of(all, "other");
  ASSERT_GE(other.size(), 2u);
  EXPECT_EQ(other[0].labels, Labels::Of({{"__name__", "other"}, {"a", "b"}, {"env", "prod"},
                                         {"instance", inst}, {"job", "node"}}));
  EXPECT_EQ(other[0].v, 1.5);
  auto nan = Of(all, "nan_metric");
  ASSERT_GE(nan.size(), 1u);
  EXPECT_TRUE(std::isnan(nan[0].v));
  EXPECT_FALSE(IsStale(nan[0].v));  // a scraped NaN is never a staleness marker

  // Report series: target labels, Prometheus' values; all samples of one
  // scrape share its timestamp.
  auto up = Of(all, "up", inst);
  EXPECT_EQ(up[0].labels, Labels::Of({{"__name__", "up"}, {"env", "prod"}, {"instance", inst},
                                      {"job", "node"}}));
  EXPECT_EQ(up[0].v, 1);
  EXPECT_EQ(up[0].ts, m[0].ts);
  // Scrapes stay on the interval's grid (timestamps are the actual start,
  // so scheduling delay shows as jitter).
  EXPECT_NEAR(static_cast<double>(up[1].ts - up[0].ts), 500, 250);
  auto values = [&](std::string_view name) {
    std::vector<double> v;
    for (const Sample& s : Of(all, name, inst)) v.push_back(s.v);
    return v;
  };
  EXPECT_EQ(values("scrape_samples_scraped")[0], 3);
  EXPECT_EQ(values("scrape_samples_post_metric_relabeling")[0], 3);
  EXPECT_EQ(values("scrape_series_added")[0], 3);
  EXPECT_EQ(values("scrape_series_added")[1], 0);  // second scrape: all cached
  double duration = values("scrape_duration_seconds")[0];
  EXPECT_GT(duration, 0);
  EXPECT_LT(duration, 0.5);

  // The request Prometheus would send.
  EXPECT_NE(srv.LastHeader("/metrics", "Accept").find("text/plain;version=0.0.4"),
            std::string::npos) << srv.LastHeader("/metrics", "Accept");
  EXPECT_EQ(srv.LastHeader("/metrics", "X-Prometheus-Scrape-Timeout-Seconds"), "0.5");
  EXPECT_EQ(srv.LastHeader("/metrics", "User-Agent"), "ferry");

  auto st = StatusOf(inst);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->health, "up");
  EXPECT_EQ(st->last_error, "");
  EXPECT_EQ(st->job, "node");
  EXPECT_EQ(st->target.url, "http://" + inst + "/metrics");
  EXPECT_EQ(st->target.discovered_labels.Get("__meta_x"), "dropped");
  EXPECT_FALSE(st->target.labels.Has("__meta_x"));
}

TEST_F(ScrapeManagerTest, HonorLabelsAndIgnoredTimestamps) {
  TargetServer srv;
  srv.Set("/metrics", {.body = "m{job=\"app\"} 1 1600000000000\n"});
  StartManager();
  Apply(Config("  - job_name: node\n    honor_labels: true\n    honor_timestamps: false\n"));
  const std::string inst = srv.address();
  manager_->UpdateTargets("node", Targets({inst}));
  ASSERT_TRUE(WaitUntil([&](const auto& all) { return !Of(all, "m").empty(); }));
  auto all = All();
  auto m = Of(all, "m");
  EXPECT_EQ(m[0].labels, Labels::Of({{"__name__", "m"}, {"instance", inst}, {"job", "app"}}));
  EXPECT_EQ(m[0].ts, Of(all, "up")[0].ts);  // the scrape's time, not the exposed one
}

TEST_F(ScrapeManagerTest, VanishedSeriesGetExactlyOneStaleMarkerAtTheNextScrape) {
  TargetServer srv;
  srv.Set("/metrics", {.body = "a 1\nb 2\n"});
  StartManager();
  Apply(Config("  - job_name: node\n"));
  const std::string inst = srv.address();
  manager_->UpdateTargets("node", Targets({inst}));
  ASSERT_TRUE(WaitUntil([&](const auto& all) { return !Of(all, "b").empty(); }));
  srv.Set("/metrics", {.body = "a 1\n"});
  // Wait for three scrapes that saw only "a".
  ASSERT_TRUE(WaitUntil([&](const auto& all) {
    auto b = Of(all, "b");
    if (b.empty() || !IsStale(b.back().v)) return false;
    size_t after = 0;
    for (const Sample& u : Of(all, "up")) after += u.ts >= b.back().ts;
    return after >= 3;
  }));
  auto all = All();
  auto b = Of(all, "b");
  int stale = 0;
  for (const Sample& s : b) stale += IsStale(s.v);
  EXPECT_EQ(stale, 1);
  ASSERT_TRUE(IsStale(b.back().v));
  EXPECT_EQ(std::bit_cast<uint64_t>(b.back().v), 0x7ff0000000000002ull);
  // The marker carries the timestamp of the first scrape without "b".
  const int64_t marker_ts = b.back().ts;
  const int64_t last_seen_ts = b[b.size() - 2].ts;
  bool scrape_at_marker = false;
  for (const Sample& u : Of(all, "up")) {
    scrape_at_marker |= u.ts == marker_ts && u.v == 1;
    EXPECT_FALSE(u.ts > last_seen_ts && u.ts < marker_ts) << "a scrape without b got no marker";
  }
  EXPECT_TRUE(scrape_at_marker);
  for (const Sample& s : Of(all, "a")) EXPECT_FALSE(IsStale(s.v));
}

TEST_F(ScrapeManagerTest, ServerErrorMarksTargetDownAndAllItsSeriesStale) {
  TargetServer srv;
  srv.Set("/metrics", {.body = "a 1\nb 2\n"});
  StartManager();
  Apply(Config("  - job_name: node\n"));
  const std::string inst = srv.address();
  manager_->UpdateTargets("node", Targets({inst}));
  ASSERT_TRUE(WaitUntil([&](const auto& all) { return !Of(all, "b").empty(); }));
  srv.Set("/metrics", {.status = 500, .body = "boom"});
  ASSERT_TRUE(WaitStatus(inst, [](const TargetStatus& s) { return s.health == "down"; }));
  auto st = StatusOf(inst);
  EXPECT_EQ(st->last_error, "server returned HTTP status 500 Internal Server Error");

  auto all = All();
  auto up = Of(all, "up");
  ASSERT_EQ(up.back().v, 0);
  const int64_t failed_ts = up.back().ts;
  for (std::string_view name : {"a", "b"}) {
    auto s = Of(all, name);
    ASSERT_TRUE(IsStale(s.back().v)) << name;
    EXPECT_EQ(s.back().ts, failed_ts) << name;
  }
  EXPECT_EQ(Of(all, "scrape_samples_scraped").back().v, 0);
  EXPECT_EQ(Of(all, "scrape_series_added").back().v, 0);
  EXPECT_FALSE(IsStale(Of(all, "scrape_duration_seconds").back().v));

  // Recovery: the same series come back on their cached refs.
  srv.Set("/metrics", {.body = "a 3\nb 4\n"});
  ASSERT_TRUE(WaitStatus(inst, [](const TargetStatus& s) { return s.health == "up"; }));
  all = All();
  EXPECT_EQ(Of(all, "a").back().v, 3);
  EXPECT_EQ(Of(all, "up").back().v, 1);
}

TEST_F(ScrapeManagerTest, MalformedBodyFailsTheScrapeAndAppendsNothingOfIt) {
  TargetServer srv;
  srv.Set("/metrics", {.body = "a 1\nb 2\n"});
  StartManager();
  Apply(Config("  - job_name: node\n"));
  const std::string inst = srv.address();
  manager_->UpdateTargets("node", Targets({inst}));
  ASSERT_TRUE(WaitUntil([&](const auto& all) { return !Of(all, "b").empty(); }));
  srv.Set("/metrics", {.body = "a 7\nc 3\nb{ 2\n"});
  ASSERT_TRUE(WaitStatus(inst, [](const TargetStatus& s) { return s.health == "down"; }));
  auto st = StatusOf(inst);
  EXPECT_NE(st->last_error.find("line 3 col"), std::string::npos) << st->last_error;

  auto all = All();
  EXPECT_TRUE(Of(all, "c").empty()) << "nothing of a failed body is appended";
  for (const Sample& s : Of(all, "a")) EXPECT_NE(s.v, 7);
  EXPECT_TRUE(IsStale(Of(all, "a").back().v));
  EXPECT_TRUE(IsStale(Of(all, "b").back().v));
  EXPECT_EQ(Of(all, "up").back().v, 0);
  // Prometheus reports the samples its failed append counted.
  EXPECT_EQ(Of(all, "scrape_samples_scraped").back().v, 2);
}

TEST_F(ScrapeManagerTest, RemovedTargetGetsStaleMarkersAfterTwoIntervals) {
  TargetServer srv;
  srv.Set("/a", {.body = "ma 1\n"});
  srv.Set("/b", {.body = "mb 1\n"});
  StartManager();
  Apply(Config("  - job_name: node\n"));
  auto both = Targets({srv.address()});
  labels::LabelsBuilder la(both[0]), lb(both[0]);
  la.Set("__metrics_path__", "/a");
  la.Set("instance", "a");
  lb.Set("__metrics_path__", "/b");
  lb.Set("instance", "b");
  manager_->UpdateTargets("node", {la.Build(), lb.Build()});
  ASSERT_TRUE(WaitUntil([&](const auto& all) {
    return Of(all, "up", "a").size() >= 2 && Of(all, "up", "b").size() >= 2;
  }));
  const auto removed_at = std::chrono::steady_clock::now();
  const int64_t removed_ms = RealClock().NowMillis();
  manager_->UpdateTargets("node", {la.Build()});
  ASSERT_TRUE(WaitUntil([&](const auto& all) {
    auto s = Of(all, "mb");
    return IsStale(s.back().v);
  }));
  const auto seen_after = std::chrono::steady_clock::now() - removed_at;
  EXPECT_GE(seen_after, 1000ms) << "markers must wait two intervals for the target to come back";
  auto all = All();
  auto mb = Of(all, "mb");
  // The marker carries the time the next scrape would have had.
  EXPECT_GE(mb.back().ts, removed_ms + 400);
  EXPECT_LE(mb.back().ts, removed_ms + 1500);
  for (std::string_view name : {"up", "scrape_duration_seconds", "scrape_samples_scraped",
                                "scrape_samples_post_metric_relabeling", "scrape_series_added"}) {
    auto s = Of(all, name, "b");
    ASSERT_FALSE(s.empty()) << name;
    EXPECT_TRUE(IsStale(s.back().v)) << name;
    EXPECT_EQ(s.back().ts, mb.back().ts) << name;
  }
  EXPECT_FALSE(IsStale(Of(all, "ma").back().v));
  ASSERT_TRUE(WaitScrapes("a", 2));  // "a" goes on; "b" stays silent
  EXPECT_EQ(Of(All(), "mb").size(), mb.size());
  EXPECT_FALSE(StatusOf("b"));
}

TEST_F(ScrapeManagerTest, TargetBackBeforeTwoIntervalsContinuesWithoutMarkers) {
  TargetServer srv;
  srv.Set("/metrics", {.body = "m 1\n"});
  StartManager();
  Apply(Config("  - job_name: node\n"));
  const std::string inst = srv.address();
  manager_->UpdateTargets("node", Targets({inst}));
  ASSERT_TRUE(WaitScrapes(inst, 2));
  manager_->UpdateTargets("node", {});
  EXPECT_FALSE(StatusOf(inst));
  manager_->UpdateTargets("node", Targets({inst}));
  // Well past the two intervals plus 10% the markers would have waited.
  ASSERT_TRUE(WaitScrapes(inst, 5));
  auto all = All();
  for (const Sample& s : all) EXPECT_FALSE(IsStale(s.v)) << s.labels.ToString();
  // The loop kept its cache: no series was added again after the first scrape.
  auto added = Of(all, "scrape_series_added");
  for (size_t i = 1; i < added.size(); ++i) EXPECT_EQ(added[i].v, 0) << i;
}

TEST_F(ScrapeManagerTest, ReloadWithChangedMetricRelabelConfigsMarksVanishedSeriesStale) {
  TargetServer srv;
  srv.Set("/metrics", {.body = "keep_me 1\ndrop_me 2\n"});
  StartManager();
  Apply(Config("  - job_name: node\n"));
  const std::string inst = srv.address();
  manager_->UpdateTargets("node", Targets({inst}));
  ASSERT_TRUE(WaitUntil([&](const auto& all) { return !Of(all, "drop_me").empty(); }));

  const std::string relabeled = "  - job_name: node\n"
                                "    metric_relabel_configs:\n"
                                "      - source_labels: [__name__]\n"
                                "        regex: drop_me\n"
                                "        action: drop\n"
                                "      - target_label: relabeled\n"
                                "        replacement: yes\n";
  Apply(Config(relabeled));
  auto is_new = [](const Sample& s) { return s.labels.Get("relabeled") == "yes"; };
  ASSERT_TRUE(WaitUntil([&](const auto& all) {
    size_t n = 0;
    for (const Sample& s : Of(all, "keep_me")) n += is_new(s);
    return n >= 3;
  }));
  auto all = All();
  int64_t first_new_ts = INT64_MAX;
  std::vector<Sample> old_keep, new_keep;
  for (const Sample& s : Of(all, "keep_me")) {
    (is_new(s) ? new_keep : old_keep).push_back(s);
    if (is_new(s)) first_new_ts = std::min(first_new_ts, s.ts);
  }
  // Series the new rules no longer produce (drop_me, and keep_me under its
  // old label set) get exactly one staleness marker, at the first scrape
  // under the new rules, ordered with the new samples.
  for (const std::vector<Sample>& gone : {Of(all, "drop_me"), old_keep}) {
    ASSERT_FALSE(gone.empty());
    int stale = 0;
    for (const Sample& s : gone) stale += IsStale(s.v);
    EXPECT_EQ(stale, 1) << gone.back().labels.ToString();
    EXPECT_TRUE(IsStale(gone.back().v)) << gone.back().labels.ToString();
    EXPECT_EQ(gone.back().ts, first_new_ts) << gone.back().labels.ToString();
  }
  for (const Sample& s : new_keep) EXPECT_FALSE(IsStale(s.v));
  EXPECT_EQ(Of(all, "scrape_samples_scraped").back().v, 2);
  EXPECT_EQ(Of(all, "scrape_samples_post_metric_relabeling").back().v, 1);

  // A reload that changes nothing keeps the loop and its cache.
  const size_t added_before = Of(All(), "scrape_series_added").size();
  Apply(Config(relabeled));
  ASSERT_TRUE(WaitScrapes(inst, 2));
  auto added = Of(All(), "scrape_series_added");
  for (size_t i = added_before; i < added.size(); ++i) EXPECT_EQ(added[i].v, 0);
}

TEST_F(ScrapeManagerTest, ReloadThatDropsTheTargetRetiresItsLoopWithMarkers) {
  TargetServer srv;
  srv.Set("/metrics", {.body = "m 1\n"});
  StartManager();
  Apply(Config("  - job_name: node\n"));
  const std::string inst = srv.address();
  manager_->UpdateTargets("node", Targets({inst}));
  ASSERT_TRUE(WaitScrapes(inst, 1));
  // New target rules drop it and new metric rules change the samples.
  Apply(Config("  - job_name: node\n"
               "    relabel_configs:\n"
               "      - action: drop\n"
               "        source_labels: [__address__]\n"
               "        regex: .*\n"
               "    metric_relabel_configs:\n"
               "      - target_label: x\n"
               "        replacement: y\n"));
  EXPECT_FALSE(StatusOf(inst));
  EXPECT_EQ(manager_->DroppedTargets().size(), 1u);
  ASSERT_TRUE(WaitUntil([&](const auto& all) { return IsStale(Of(all, "m").back().v); }));
  EXPECT_TRUE(IsStale(Of(All(), "up").back().v));
}

TEST_F(ScrapeManagerTest, ReloadChangingTheIntervalWritesNoStaleMarkers) {
  TargetServer srv;
  srv.Set("/metrics", {.body = "m 1\n"});
  StartManager();
  Apply(Config("  - job_name: node\n", "500ms"));
  const std::string inst = srv.address();
  manager_->UpdateTargets("node", Targets({inst}));
  ASSERT_TRUE(WaitScrapes(inst, 2));
  // __scrape_interval__ is a target label, so the target's identity changes;
  // its series do not, and must not be marked stale by the old loop.
  Apply(Config("  - job_name: node\n", "1s"));
  ASSERT_EQ(manager_->ActiveTargets().size(), 1u);
  EXPECT_EQ(manager_->ActiveTargets()[0].target.interval, 1000ms);
  ASSERT_TRUE(WaitScrapes(inst, 3));  // well past the old loop's 2 x 500ms + 10%
  auto all = All();
  for (const Sample& s : all) EXPECT_FALSE(IsStale(s.v)) << s.labels.ToString() << " @" << s.ts;
  auto up = Of(all, "up");
  EXPECT_NEAR(static_cast<double>(up.back().ts - up[up.size() - 2].ts), 1000, 250);
}

TEST_F(ScrapeManagerTest, SampleLimitFailsTheScrape) {
  TargetServer srv;
  srv.Set("/metrics", {.body = "a 1\nb 2\nc 3\n"});
  StartManager();
  Apply(Config("  - job_name: node\n    sample_limit: 2\n"));
  const std::string inst = srv.address();
  manager_->UpdateTargets("node", Targets({inst}));
  ASSERT_TRUE(WaitStatus(inst, [](const TargetStatus& s) { return s.health == "down"; }));
  EXPECT_EQ(StatusOf(inst)->last_error, "sample limit exceeded");
  auto all = All();
  EXPECT_TRUE(Of(all, "a").empty());
  EXPECT_EQ(Of(all, "up")[0].v, 0);
  EXPECT_EQ(Of(all, "scrape_samples_scraped")[0].v, 3);
  EXPECT_EQ(Of(all, "scrape_samples_post_metric_relabeling")[0].v, 3);
  srv.Set("/metrics", {.body = "a 1\nb 2\n"});
  ASSERT_TRUE(WaitStatus(inst, [](const TargetStatus& s) { return s.health == "up"; }));
  EXPECT_EQ(Of(All(), "a").back().v, 1);
}

TEST_F(ScrapeManagerTest, BodySizeLimitFailsTheScrape) {
  TargetServer srv;
  std::string body;
  for (int i = 0; i < 20; ++i) body += "metric_" + std::to_string(i) + " 1\n";  // ~220 bytes
  srv.Set("/metrics", {.body = body});
  StartManager();
  Apply(Config("  - job_name: node\n    body_size_limit: 100B\n    enable_compression: false\n"));
  const std::string inst = srv.address();
  manager_->UpdateTargets("node", Targets({inst}));
  ASSERT_TRUE(WaitStatus(inst, [](const TargetStatus& s) { return s.health == "down"; }));
  EXPECT_NE(StatusOf(inst)->last_error.find("body size limit exceeded"), std::string::npos)
      << StatusOf(inst)->last_error;
  EXPECT_TRUE(Of(All(), "metric_0").empty());
  // Prometheus fails a body of exactly the limit too (n >= limit).
  srv.Set("/metrics", {.body = std::string("m ") + std::string(96, '1') + "\n\n"});  // 100 bytes
  ASSERT_TRUE(WaitScrapes(inst, 2));
  EXPECT_EQ(StatusOf(inst)->health, "down");
  srv.Set("/metrics", {.body = std::string("m ") + std::string(96, '1') + "\n"});  // 99 bytes
  ASSERT_TRUE(WaitStatus(inst, [](const TargetStatus& s) { return s.health == "up"; }));
  // Without compression no gzip is asked for.
  EXPECT_EQ(srv.LastHeader("/metrics", "Accept-Encoding").find("gzip"), std::string::npos);
}

TEST_F(ScrapeManagerTest, GzipOpenMetricsBodyIsDecoded) {
  TargetServer srv;
  srv.Set("/metrics", {.body = "# TYPE requests counter\nrequests_total{code=\"200\"} 42\n# EOF\n",
                       .content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8",
                       .gzip = true});
  StartManager();
  Apply(Config("  - job_name: node\n"));
  const std::string inst = srv.address();
  manager_->UpdateTargets("node", Targets({inst}));
  ASSERT_TRUE(WaitUntil([&](const auto& all) { return !Of(all, "requests_total").empty(); }));
  EXPECT_NE(srv.LastHeader("/metrics", "Accept-Encoding").find("gzip"), std::string::npos);
  auto r = Of(All(), "requests_total");
  EXPECT_EQ(r[0].v, 42);
  EXPECT_EQ(r[0].labels.Get("code"), "200");
  EXPECT_TRUE(WaitStatus(inst, [](const TargetStatus& s) { return s.health == "up"; }));
}

TEST_F(ScrapeManagerTest, ListMetadataGivesOneEntryPerTargetAndFamily) {
  TargetServer a, b;
  a.Set("/metrics", {.body = "# HELP reqs Requests.\n# TYPE reqs counter\nreqs 1\nbare 2\n"});
  b.Set("/metrics", {.body = "# TYPE reqs counter\nreqs 1\n# UNIT temp_celsius celsius\n"
                             "# TYPE temp_celsius gauge\ntemp_celsius 20\n# EOF\n",
                     .content_type = "application/openmetrics-text; version=1.0.0"});
  StartManager();
  EXPECT_TRUE(manager_->ListMetadata().empty());
  Apply(Config("  - job_name: node\n"));
  manager_->UpdateTargets("node", Targets({a.address(), b.address()}));
  ASSERT_TRUE(WaitStatus(a.address(), [](const TargetStatus& s) { return s.health == "up"; }));
  ASSERT_TRUE(WaitStatus(b.address(), [](const TargetStatus& s) { return s.health == "up"; }));
  std::vector<MetricMetadata> got = manager_->ListMetadata();
  std::sort(got.begin(), got.end(), [](const MetricMetadata& x, const MetricMetadata& y) {
    return std::tie(x.family, x.help) < std::tie(y.family, y.help);
  });
  EXPECT_EQ(got, (std::vector<MetricMetadata>{
                     {"reqs", parse::MetricType::kCounter, "", ""},
                     {"reqs", parse::MetricType::kCounter, "Requests.", ""},
                     {"temp_celsius", parse::MetricType::kGauge, "", "celsius"}}));
  // A target that leaves takes its metadata with it.
  manager_->UpdateTargets("node", Targets({a.address()}));
  got = manager_->ListMetadata();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].help, "Requests.");
}

TEST_F(ScrapeManagerTest, BearerTokenFromFileIsSentAndReReadWhenRotated) {
  TargetServer srv;
  srv.Set("/metrics", {.body = "m 1\n", .required_authorization = "Bearer one"});
  const std::string token = dir_.Sub("token");
  ::ferry::testing::WriteFileOrDie(token, "one\n");
  StartManager();
  Apply(Config("  - job_name: node\n    bearer_token_file: " + token + "\n"));
  const std::string inst = srv.address();
  manager_->UpdateTargets("node", Targets({inst}));
  ASSERT_TRUE(WaitStatus(inst, [](const TargetStatus& s) { return s.health == "up"; }));
  EXPECT_EQ(srv.LastHeader("/metrics", "Authorization"), "Bearer one");

  srv.Set("/metrics", {.body = "m 1\n", .required_authorization = "Bearer two"});
  ASSERT_TRUE(WaitStatus(inst, [](const TargetStatus& s) { return s.health == "down"; }));
  EXPECT_EQ(StatusOf(inst)->last_error, "server returned HTTP status 401 Unauthorized");
  ::ferry::testing::WriteFileOrDie(token, "two\n");
  // The file is re-checked at most once a second: no reload needed.
  ASSERT_TRUE(WaitStatus(inst, [](const TargetStatus& s) { return s.health == "up"; }));
  EXPECT_EQ(srv.LastHeader("/metrics", "Authorization"), "Bearer two");
}

TEST_F(ScrapeManagerTest, BasicAuthIsSent) {
  TargetServer srv;
  // base64("user:pa:ss")
  srv.Set("/metrics", {.body = "m 1\n", .required_authorization = "Basic dXNlcjpwYTpzcw=="});
  StartManager();
  Apply(Config("  - job_name: node\n    basic_auth:\n      username: user\n"
               "      password: \"pa:ss\"\n"));
  const std::string inst = srv.address();
  manager_->UpdateTargets("node", Targets({inst}));
  ASSERT_TRUE(WaitStatus(inst, [](const TargetStatus& s) { return s.health == "up"; }));
  EXPECT_FALSE(Of(All(), "m").empty());
}

TEST_F(ScrapeManagerTest, UnreadableTokenFileFailsTheScrapeWithoutFetching) {
  TargetServer srv;
  srv.Set("/metrics", {.body = "m 1\n"});
  StartManager();
  Apply(Config("  - job_name: node\n    bearer_token_file: " + dir_.Sub("missing") + "\n"));
  const std::string inst = srv.address();
  manager_->UpdateTargets("node", Targets({inst}));
  ASSERT_TRUE(WaitStatus(inst, [](const TargetStatus& s) { return s.health == "down"; }));
  EXPECT_NE(StatusOf(inst)->last_error.find(dir_.Sub("missing")), std::string::npos)
      << StatusOf(inst)->last_error;
  EXPECT_EQ(srv.hits("/metrics"), 0);
  EXPECT_EQ(Of(All(), "up")[0].v, 0);
}

TEST_F(ScrapeManagerTest, OffsetsSpreadTargetsOverTheIntervalAsPrometheus) {
  TargetServer srv;
  constexpr int kTargets = 8;
  const auto cfg = Config("  - job_name: node\n", "1s");
  std::vector<Labels> targets;
  std::map<std::string, int64_t> phase_ms;  // instance -> expected phase in the interval
  for (int i = 0; i < kTargets; ++i) {
    std::string path = "/m/" + std::to_string(i);
    srv.Set(path, {.body = "m 1\n"});
    targets.push_back(Labels::Of({{"__address__", srv.address()},
                                  {"__metrics_path__", path},
                                  {"instance", "t" + std::to_string(i)}}));
    BuildResult r = BuildTarget(targets.back(), cfg.scrape_configs[0], nullptr);
    ASSERT_TRUE(r.target);
    uint64_t seed = OffsetSeed("test-host", {});
    // A scrape starts when wall-clock ns mod interval == (hash ^ seed) mod interval.
    phase_ms["t" + std::to_string(i)] = static_cast<int64_t>((r.target->hash ^ seed) % 1'000'000'000) / 1'000'000;
  }
  StartManager();
  Apply(cfg);
  manager_->UpdateTargets("node", targets);
  ASSERT_TRUE(WaitUntil([&](const auto& all) {
    for (const auto& [inst, p] : phase_ms) {
      if (Of(all, "up", inst).size() < 2) return false;
    }
    return true;
  }));
  std::set<int64_t> distinct;
  for (const auto& [inst, p] : phase_ms) {
    int64_t min_late = INT64_MAX;
    for (const Sample& u : Of(All(), "up", inst)) {
      int64_t late = ((u.ts - p) % 1000 + 1000) % 1000;  // how far after its phase it ran
      if (late > 500) late -= 1000;
      EXPECT_GE(late, -20) << inst << " ran before its phase: ts=" << u.ts << " phase=" << p;
      min_late = std::min(min_late, late);
    }
    // Scheduling delay on a loaded machine varies; the best of the scrapes
    // shows the phase.
    EXPECT_LT(min_late, 200) << inst << " phase=" << p;
    distinct.insert(p / 50);
  }
  EXPECT_GE(distinct.size(), 4u) << "offsets are spread, not bunched";
}

TEST_F(ScrapeManagerTest, StopWritesNoStaleMarkers) {
  TargetServer srv;
  srv.Set("/metrics", {.body = "a 1\nb 2\n"});
  StartManager();
  Apply(Config("  - job_name: node\n"));
  const std::string inst = srv.address();
  manager_->UpdateTargets("node", Targets({inst}));
  ASSERT_TRUE(WaitScrapes(inst, 2));
  manager_->Stop();
  manager_->Stop();  // idempotent
  const uint64_t seq = wal_->LastSequence();
  // Nothing more is appended, not even after the two intervals end-of-run
  // staleness would wait.
  EXPECT_FALSE(wal_->WaitForNewer(seq, 1200ms));
  for (const Sample& s : All()) EXPECT_FALSE(IsStale(s.v)) << s.labels.ToString();
}

TEST_F(ScrapeManagerTest, ManyTargetsAreScrapedByFewThreads) {
  constexpr int kPerServer = 100;
  TargetServer s1(/*threads=*/16, /*keep_alive=*/false), s2(16, false);
  std::vector<Labels> targets;
  for (int i = 0; i < 2 * kPerServer; ++i) {
    TargetServer& s = i < kPerServer ? s1 : s2;
    std::string path = "/t/" + std::to_string(i);
    s.Set(path, {.body = "# TYPE m gauge\nm{i=\"" + std::to_string(i) + "\"} " + std::to_string(i) +
                         "\nm2 1\nm3 2\n"});
    targets.push_back(Labels::Of({{"__address__", s.address()}, {"__metrics_path__", path},
                                  {"instance", "i" + std::to_string(i)}}));
  }
  // One request to each server first, so their thread pools exist before
  // the count.
  for (TargetServer* s : {&s1, &s2}) {
    httpclient::Request r;
    r.url = "http://" + s->address() + "/warmup";
    EXPECT_EQ(client_->Do(r).http_status, 404);
  }
  const int threads_before = CountThreads();
  StartManager(/*workers=*/2);
  EXPECT_LE(CountThreads() - threads_before, 3) << "scheduler + 2 workers";
  Apply(Config("  - job_name: many\n", "1s"));
  manager_->UpdateTargets("many", targets);
  ASSERT_TRUE(WaitUntil([&](const auto& all) {
    std::map<std::string, int> ups;
    for (const Sample& s : Of(all, "up")) ups[std::string(s.labels.Get("instance"))] += s.v == 1;
    if (ups.size() < targets.size()) return false;
    for (const auto& [inst, n] : ups) {
      if (n < 2) return false;
    }
    return true;
  }, 30s));
  auto all = All();
  std::set<std::string> seen;
  for (const Sample& s : Of(all, "m")) {
    EXPECT_EQ(s.labels.Get("i"), std::to_string(static_cast<int>(s.v)));
    EXPECT_EQ(s.labels.Get("instance"), "i" + std::string(s.labels.Get("i")));
    seen.insert(std::string(s.labels.Get("instance")));
  }
  EXPECT_EQ(seen.size(), targets.size());
  auto active = manager_->ActiveTargets();
  EXPECT_EQ(active.size(), targets.size());
  for (const TargetStatus& t : active) EXPECT_EQ(t.health, "up") << t.last_error;
  EXPECT_LE(CountThreads() - threads_before, 3);
  for (const Sample& s : all) EXPECT_FALSE(IsStale(s.v));
}

TEST_F(ScrapeManagerTest, BadRelabelRuleRefusesTheConfigAndKeepsScraping) {
  TargetServer srv;
  srv.Set("/metrics", {.body = "m 1\n"});
  StartManager();
  Apply(Config("  - job_name: node\n"));
  const std::string inst = srv.address();
  manager_->UpdateTargets("node", Targets({inst}));
  ASSERT_TRUE(WaitScrapes(inst, 1));
  config::Config bad = Config("  - job_name: node\n");
  relabel::RelabelConfig rule;
  rule.source_labels = {"__name__"};
  rule.regex = "(unclosed";
  rule.action = relabel::Action::kDrop;
  bad.scrape_configs[0].metric_relabel_configs.push_back(rule);
  Status s = manager_->ApplyConfig(bad);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("metric_relabel_configs"), std::string::npos) << s.ToString();
  ASSERT_TRUE(WaitScrapes(inst, 2));
  EXPECT_EQ(StatusOf(inst)->health, "up");
}

TEST_F(ScrapeManagerTest, ScrapeTimestampsSnapToTheGridWithinTwoMilliseconds) {
  const auto cfg = Config("  - job_name: node\n", "1s");
  BuildResult r = BuildTarget(Labels::Of({{"__address__", "127.0.0.1:1"}}), cfg.scrape_configs[0],
                              nullptr);
  ASSERT_TRUE(r.target);
  auto settings = BuildPoolSettings(cfg.scrape_configs[0], "ferry");
  ASSERT_TRUE(settings.ok()) << settings.status().ToString();
  ScrapeLoop loop(*r.target, *settings, *wal_);
  EXPECT_EQ(loop.AlignedTimestamp(5'000'007), 5'000'007);  // the grid starts here
  EXPECT_EQ(loop.AlignedTimestamp(5'001'009), 5'001'007);  // 2 ms late: snapped
  EXPECT_EQ(loop.AlignedTimestamp(5'002'010), 5'002'010);  // 3 ms late: kept
  EXPECT_EQ(loop.AlignedTimestamp(5'004'007), 5'004'007);  // a skipped tick keeps the grid
  EXPECT_EQ(loop.AlignedTimestamp(5'005'008), 5'005'007);
}

}  // namespace
}  // namespace ferry::scrape
