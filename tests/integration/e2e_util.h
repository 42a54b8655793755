// Helpers for the end-to-end tests that run the real ferry binary next to a
// real Prometheus (Debian's /usr/bin/prometheus): starting both on
// 127.0.0.1, reading what Prometheus stored over its HTTP API, reading what
// ferry's WAL holds with `ferry wal dump --format json`, and loopback target
// servers whose bodies the test generates per scrape. Every wait is bounded.
// Not thread-safe unless stated.
#pragma once

#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/testing/http_server.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_util.h"

namespace ferry::e2e {

inline constexpr const char* kPrometheus = "/usr/bin/prometheus";
inline constexpr const char* kNodeExporter = "/usr/bin/prometheus-node-exporter";

using LabelMap = std::map<std::string, std::string>;

// Canonical text of a label set: {a="b", c="d"} sorted by name.
inline std::string Key(const LabelMap& l) {
  std::string s = "{";
  for (const auto& [k, v] : l) {
    if (s.size() > 1) s += ", ";
    s += k + "=" + nlohmann::json(v).dump();
  }
  return s + "}";
}

// Parses a sample value as both agents print it ("NaN", "+Inf", "-Inf", "1.5").
inline double ParseValue(const std::string& s) {
  if (s == "NaN") return std::nan("");
  if (s == "+Inf" || s == "Inf") return HUGE_VAL;
  if (s == "-Inf") return -HUGE_VAL;
  return std::strtod(s.c_str(), nullptr);
}
// Equal as stored values: NaN equals NaN (ordinary NaN, stale markers are apart).
inline bool SameValue(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || a == b;
}

inline int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
// "1700000000.123" for the Prometheus API.
inline std::string ApiTime(int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%03lld", static_cast<long long>(ms / 1000),
                static_cast<long long>(ms % 1000));
  return buf;
}

struct Sample {
  int64_t ts = 0;
  double value = 0;
  bool stale = false;  // ferry's StaleNaN; Prometheus' API never returns them
};
using SeriesSamples = std::map<std::string, std::vector<Sample>>;  // Key(labels) -> samples

// Polls "pred" every 100 ms for at most "timeout". True once it held.
inline bool WaitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return pred();
}

// A real Prometheus process on 127.0.0.1 with its own TSDB under "dir".
class Prometheus {
 public:
  Prometheus(std::string dir, std::string config_path, std::vector<std::string> extra = {})
      : dir_(std::move(dir)),
        config_(std::move(config_path)),
        extra_(std::move(extra)),
        port_(ferry::testing::PickFreePort()) {}
  ~Prometheus() { Stop(); }

  // Starts and waits (60 s at most) until ready. False on failure.
  bool Start() {
    std::vector<std::string> argv = {kPrometheus, "--config.file=" + config_,
                                     "--storage.tsdb.path=" + dir_ + "/tsdb",
                                     "--web.listen-address=127.0.0.1:" + std::to_string(port_)};
    argv.insert(argv.end(), extra_.begin(), extra_.end());
    proc_ = std::make_unique<ferry::testing::Subprocess>(
        argv, dir_ + "/prometheus-" + std::to_string(starts_++));
    return proc_->WaitForStderr("Server is ready to receive web requests",
                                std::chrono::seconds(60));
  }
  void Stop() {
    if (!proc_) return;
    proc_->Signal(SIGTERM);
    if (!proc_->Wait(std::chrono::seconds(30)).has_value()) proc_->Signal(SIGKILL);
    stderr_before_ += proc_->Stderr();
    proc_.reset();
  }
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string AllStderr() const { return stderr_before_ + (proc_ ? proc_->Stderr() : ""); }

  // GET/POST to the API; the parsed "data" member, or null on any error
  // ("error" gets the reason).
  nlohmann::json Api(const std::string& path, const httplib::Params& params,
                     std::string* error = nullptr) {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(20, 0);
    auto res = c.Post(path.c_str(), params);
    if (!res || res->status != 200) {
      if (error) *error = res ? res->body : "no answer from " + address();
      return nullptr;
    }
    nlohmann::json j = nlohmann::json::parse(res->body, nullptr, false);
    if (j.is_discarded() || j.value("status", "") != "success") {
      if (error) *error = res->body;
      return nullptr;
    }
    return j["data"];
  }

  // Label sets of /api/v1/series for "match" over the last hour.
  std::set<std::string> Series(const std::string& match) {
    std::set<std::string> out;
    int64_t now = NowMs();
    auto data = Api("/api/v1/series", {{"match[]", match},
                                       {"start", ApiTime(now - 3600 * 1000)},
                                       {"end", ApiTime(now + 60 * 1000)}});
    if (!data.is_array()) return out;
    for (const auto& s : data) out.insert(Key(s.get<LabelMap>()));
    return out;
  }

  // Raw samples of "selector"[range] at "at_ms" (stale markers are never
  // returned by PromQL range selectors).
  SeriesSamples Raw(const std::string& selector, int64_t at_ms, const std::string& range = "10m") {
    SeriesSamples out;
    auto data = Api("/api/v1/query", {{"query", selector + "[" + range + "]"},
                                      {"time", ApiTime(at_ms)}});
    if (!data.is_object()) return out;
    for (const auto& s : data["result"]) {
      auto& v = out[Key(s["metric"].get<LabelMap>())];
      for (const auto& p : s["values"]) {
        Sample x;
        x.ts = std::llround(p[0].get<double>() * 1000);
        x.value = ParseValue(p[1].get<std::string>());
        v.push_back(x);
      }
    }
    return out;
  }

  // Label sets an instant query of "selector" at "at_ms" returns (a series
  // whose latest sample is a stale marker is absent).
  std::set<std::string> Instant(const std::string& selector, int64_t at_ms) {
    std::set<std::string> out;
    auto data = Api("/api/v1/query", {{"query", selector}, {"time", ApiTime(at_ms)}});
    if (!data.is_object()) return out;
    for (const auto& s : data["result"]) out.insert(Key(s["metric"].get<LabelMap>()));
    return out;
  }

 private:
  std::string dir_, config_;
  std::vector<std::string> extra_;
  int port_;
  int starts_ = 0;
  std::string stderr_before_;
  std::unique_ptr<ferry::testing::Subprocess> proc_;
};

// The ferry binary as an agent on 127.0.0.1 with data directory "data".
class Ferry {
 public:
  Ferry(std::string dir, std::string config_path)
      : dir_(std::move(dir)), config_(std::move(config_path)) {}
  ~Ferry() {
    if (proc_) Kill();
  }
  std::string data_dir() const { return dir_ + "/data"; }

  // Starts and waits (30 s at most) for readiness. False on failure.
  bool Start() {
    port_ = ferry::testing::PickFreePort();
    proc_ = std::make_unique<ferry::testing::Subprocess>(
        std::vector<std::string>{ferry::testing::FerryBinary(), "--config.file=" + config_,
                                 "--storage.agent.path=" + data_dir(),
                                 "--web.listen-address=127.0.0.1:" + std::to_string(port_)},
        dir_ + "/ferry-" + std::to_string(starts_++));
    return proc_->WaitForStderr("ready to receive web requests", std::chrono::seconds(30));
  }
  void Kill() {
    proc_->Signal(SIGKILL);
    proc_->Wait(std::chrono::seconds(30));
    stderr_before_ += proc_->Stderr();
    proc_.reset();
  }
  // SIGTERM; the exit code (nullopt: did not exit within 60 s, then killed).
  std::optional<int> Stop() {
    proc_->Signal(SIGTERM);
    auto code = proc_->Wait(std::chrono::seconds(60));
    if (!code) {
      proc_->Signal(SIGKILL);
      proc_->Wait(std::chrono::seconds(10));
    }
    stderr_before_ += proc_->Stderr();
    proc_.reset();
    return code;
  }
  void Signal(int sig) { proc_->Signal(sig); }
  bool running() { return proc_ && proc_->running(); }
  std::string AllStderr() const { return stderr_before_ + (proc_ ? proc_->Stderr() : ""); }

  std::string Metrics() {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(10, 0);
    auto r = c.Get("/metrics");
    return r && r->status == 200 ? r->body : "";
  }

  // `ferry wal dump --format json [--match m]`; "ok" false when it fails.
  SeriesSamples Dump(const std::string& match, bool* ok, std::string* error = nullptr) {
    std::vector<std::string> argv = {ferry::testing::FerryBinary(), "wal", "dump",
                                     "--storage.agent.path=" + data_dir(), "--format", "json",
                                     "--to", std::to_string(NowMs() / 1000 + 3600)};  // Unix seconds
    if (!match.empty()) argv.push_back("--match=" + match);
    auto r = ferry::testing::RunCommand(argv, dir_ + "/dump-" + std::to_string(dumps_++));
    SeriesSamples out;
    *ok = r.exit_code == 0;
    if (!*ok) {
      if (error) *error = r.err;
      return out;
    }
    std::istringstream in(r.out);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded()) {
        *ok = false;
        if (error) *error = "unparsable dump line: " + line;
        return out;
      }
      Sample s;
      s.ts = j["timestamp"].get<int64_t>();
      s.value = ParseValue(j["value"].get<std::string>());
      s.stale = j.value("stale", false);
      out[Key(j["labels"].get<LabelMap>())].push_back(s);
    }
    return out;
  }

 private:
  std::string dir_, config_;
  int port_ = 0;
  int starts_ = 0;
  int dumps_ = 0;
  std::string stderr_before_;
  std::unique_ptr<ferry::testing::Subprocess> proc_;
};

// Which agent sent a scrape, from its User-Agent.
enum class Agent { kPrometheus = 0, kFerry = 1, kOther = 2 };
inline Agent AgentOf(const httplib::Request& req) {
  std::string ua = req.get_header_value("User-Agent");
  if (ua.rfind("Prometheus/", 0) == 0) return Agent::kPrometheus;
  if (ua.rfind("ferry/", 0) == 0) return Agent::kFerry;
  return Agent::kOther;
}

// A loopback HTTP server whose GET handlers produce a body for the n-th
// (1-based) request of each agent on each path: both agents see the same
// sequence of bodies whatever their scrape phase. Thread-safe.
class TargetServer {
 public:
  struct Body {
    std::string content_type;
    std::string text;
  };
  using Generator = std::function<Body(int64_t n)>;

  TargetServer() = default;
  ~TargetServer() { Stop(); }

  // Before Start() only.
  void Handle(const std::string& path, Generator g) {
    server_.Get(path, [this, path, g](const httplib::Request& req, httplib::Response& res) {
      int64_t n;
      {
        std::lock_guard<std::mutex> l(mu_);
        n = ++counts_[{path, static_cast<int>(AgentOf(req))}];
      }
      Body b = g(n);
      res.set_content(b.text, b.content_type);
    });
  }
  void Start() { loop_ = std::make_unique<::ferry::testing::LoopbackServer>(server_); }
  void Stop() {
    if (loop_) loop_->Stop();
  }
  int port() const { return loop_->port(); }
  std::string address() const { return loop_->address(); }
  int64_t Count(const std::string& path, Agent a) {
    std::lock_guard<std::mutex> l(mu_);
    auto it = counts_.find({path, static_cast<int>(a)});
    return it == counts_.end() ? 0 : it->second;
  }

 private:
  httplib::Server server_;
  std::unique_ptr<::ferry::testing::LoopbackServer> loop_;
  std::mutex mu_;
  std::map<std::pair<std::string, int>, int64_t> counts_;
};

}  // namespace ferry::e2e
