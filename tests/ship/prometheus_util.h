// A real Prometheus (Debian's /usr/bin/prometheus) as remote-write receiver
// for the ship integration tests, and a fault-injecting HTTP proxy in front
// of it. 127.0.0.1 only; every wait is bounded.
#pragma once

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "src/base/mutex.h"
#include "src/remote/compression.h"
#include "src/remote/decode.h"
#include "tests/testing/http_server.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_util.h"

namespace ferry::ship::testing {

inline constexpr const char* kPrometheus = "/usr/bin/prometheus";

class PrometheusReceiver {
 public:
  // "dir" holds the config and the TSDB (kept across Restart()).
  explicit PrometheusReceiver(std::string dir)
      : dir_(std::move(dir)), port_(ferry::testing::PickFreePort()) {
    ferry::testing::WriteFileOrDie(dir_ + "/prometheus.yml", "global:\n  scrape_interval: 1h\n");
  }
  // Starts and waits (60 s at most) for readiness; false on failure.
  bool Start() {
    proc_ = std::make_unique<ferry::testing::Subprocess>(
        std::vector<std::string>{kPrometheus, "--config.file=" + dir_ + "/prometheus.yml",
                                 "--storage.tsdb.path=" + dir_ + "/data",
                                 "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                                 "--web.enable-remote-write-receiver"},
        dir_ + "/prometheus-" + std::to_string(starts_++));
    return proc_->WaitForStderr("Server is ready to receive web requests",
                                std::chrono::seconds(60));
  }
  void Stop() {
    if (!proc_) return;
    proc_->Signal(SIGTERM);
    if (!proc_->Wait(std::chrono::seconds(30)).has_value()) proc_->Signal(SIGKILL);
    proc_.reset();
  }
  ~PrometheusReceiver() { Stop(); }

  int port() const { return port_; }
  std::string write_url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/api/v1/write";
  }
  std::string Stderr() const { return proc_ ? proc_->Stderr() : ""; }

  // Raw samples of every series matching "selector" in (at_ms - range,
  // at_ms]: series label "series" -> [(ts, value)]. Empty map on error.
  std::map<std::string, std::vector<std::pair<int64_t, double>>> Samples(
      const std::string& selector, int64_t at_ms, const std::string& range = "1h") {
    std::map<std::string, std::vector<std::pair<int64_t, double>>> out;
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(10, 0);
    httplib::Params params{{"query", selector + "[" + range + "]"},
                           {"time", std::to_string(at_ms / 1000) + "." +
                                        std::to_string(1000 + at_ms % 1000).substr(1)}};
    auto res = c.Post("/api/v1/query", params);
    if (!res || res->status != 200) return out;
    nlohmann::json j = nlohmann::json::parse(res->body, nullptr, false);
    if (j.is_discarded()) return out;
    for (const auto& series : j["data"]["result"]) {
      std::string key = series["metric"].value("series", "");
      for (const auto& v : series["values"]) {
        double ts = v[0].get<double>();
        out[key].emplace_back(static_cast<int64_t>(ts * 1000 + 0.5),
                              std::stod(v[1].get<std::string>()));
      }
    }
    return out;
  }

 private:
  std::string dir_;
  int port_;
  int starts_ = 0;
  std::unique_ptr<ferry::testing::Subprocess> proc_;
};

// What the proxy does with one request.
enum class Fault {
  kPass,             // forward, return the receiver's answer
  kError500,         // answer 500 without forwarding
  kTooMany429,       // answer 429 with Retry-After: 1 without forwarding
  kBadRequest400,    // answer 400 without forwarding: the batch is lost, counted
  kSlow,             // wait 300 ms, then forward
  kForwardThenCut,   // forward (stored!), then cut the answer short
  kCutUnforwarded,   // cut the answer short without forwarding
  kForwardThen503,   // forward (stored!), then answer 503
};

// A loopback HTTP proxy in front of "upstream_port" that applies
// "schedule(i)" to the i-th POST, and records the samples of every
// request it refused with 400 (the only ones that may be missing).
class FaultProxy {
 public:
  FaultProxy(int upstream_port, std::function<Fault(size_t)> schedule)
      : upstream_port_(upstream_port), schedule_(std::move(schedule)) {
    server_.Post("/api/v1/write", [this](const httplib::Request& req, httplib::Response& res) {
      Handle(req, res);
    });
    loop_ = std::make_unique<::ferry::testing::LoopbackServer>(server_);
  }
  ~FaultProxy() { loop_->Stop(); }
  std::string url() const { return loop_->Url("/api/v1/write"); }

  // series label value -> timestamps refused with 400 (some may have been
  // forwarded by an earlier attempt of the same batch).
  std::map<std::string, std::vector<int64_t>> refused() {
    MutexLock l(mu_);
    return refused_;
  }
  // Refused and never forwarded: what the receiver cannot have.
  std::map<std::string, std::vector<int64_t>> lost() {
    MutexLock l(mu_);
    std::map<std::string, std::vector<int64_t>> out;
    for (const auto& [k, ts] : refused_) {
      const auto& fw = forwarded_[k];
      for (int64_t t : ts) {
        if (std::find(fw.begin(), fw.end(), t) == fw.end()) out[k].push_back(t);
      }
    }
    return out;
  }
  size_t refused_samples() {
    MutexLock l(mu_);
    size_t n = 0;
    for (const auto& [k, v] : refused_) n += v.size();
    return n;
  }
  std::map<Fault, size_t> counts() {
    MutexLock l(mu_);
    return counts_;
  }

 private:
  void Cut(httplib::Response& res) {
    // Promise 1000 bytes, deliver none: the client sees a truncated answer.
    res.status = 200;
    res.set_content_provider(
        1000, "text/plain",
        [](size_t, size_t, httplib::DataSink&) { return false; });
  }
  // Records the samples of "body" under "into" (series label -> timestamps).
  void Record(const std::string& body, std::map<std::string, std::vector<int64_t>>* into) {
    Result<std::string> raw = remote::Decompress(body);
    if (!raw.ok()) return;
    Result<remote::DecodedRequest> dec = remote::DecodeWriteRequestV1(*raw);
    if (!dec.ok()) return;
    MutexLock l(mu_);
    for (const auto& s : dec->series) {
      auto& v = (*into)[std::string(s.labels.Get("series"))];
      for (const auto& x : s.samples) v.push_back(x.timestamp_ms);
    }
  }
  void Forward(const httplib::Request& req, httplib::Response& res) {
    Record(req.body, &forwarded_);
    httplib::Client c("127.0.0.1", upstream_port_);
    c.set_read_timeout(10, 0);
    httplib::Headers h;
    for (const char* name : {"Content-Encoding", "X-Prometheus-Remote-Write-Version",
                             "User-Agent"}) {
      if (req.has_header(name)) h.emplace(name, req.get_header_value(name));
    }
    auto r = c.Post("/api/v1/write", h, req.body, req.get_header_value("Content-Type"));
    if (!r) {
      res.status = 502;
      return;
    }
    res.status = r->status;
    res.body = r->body;
  }
  void Handle(const httplib::Request& req, httplib::Response& res) {
    size_t i;
    {
      MutexLock l(mu_);
      i = calls_++;
    }
    Fault f = schedule_(i);
    {
      MutexLock l(mu_);
      ++counts_[f];
    }
    switch (f) {
      case Fault::kPass:
        Forward(req, res);
        return;
      case Fault::kError500:
        res.status = 500;
        res.set_content("injected", "text/plain");
        return;
      case Fault::kTooMany429:
        res.status = 429;
        res.set_header("Retry-After", "1");
        return;
      case Fault::kBadRequest400: {
        Record(req.body, &refused_);
        res.status = 400;
        res.set_content("injected bad request", "text/plain");
        return;
      }
      case Fault::kSlow: {  // a slow receiver: a deliberate delay, not synchronisation
        MutexLock l(slow_mu_);
        slow_cv_.WaitFor(slow_mu_, std::chrono::milliseconds(300), [] { return false; });
      }
        Forward(req, res);
        return;
      case Fault::kForwardThenCut:
        Forward(req, res);
        Cut(res);
        return;
      case Fault::kCutUnforwarded:
        Cut(res);
        return;
      case Fault::kForwardThen503:
        Forward(req, res);
        res.status = 503;
        res.set_content("injected after storing", "text/plain");
        return;
    }
  }

  const int upstream_port_;
  std::function<Fault(size_t)> schedule_;
  httplib::Server server_;
  std::unique_ptr<::ferry::testing::LoopbackServer> loop_;
  Mutex mu_;
  Mutex slow_mu_;
  CondVar slow_cv_;
  size_t calls_ FERRY_GUARDED_BY(mu_) = 0;
  std::map<std::string, std::vector<int64_t>> refused_ FERRY_GUARDED_BY(mu_);
  std::map<std::string, std::vector<int64_t>> forwarded_ FERRY_GUARDED_BY(mu_);
  std::map<Fault, size_t> counts_ FERRY_GUARDED_BY(mu_);
};

inline int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace ferry::ship::testing
