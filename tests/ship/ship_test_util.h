// Helpers of the ship tests: a loopback remote-write sink (cpp-httplib) that
// decodes and records every request and answers as a test script says, and
// WAL builders. 127.0.0.1 only. Thread-safe.
#pragma once

#include <httplib.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/testing/http_server.h"
#include "src/base/mutex.h"
#include "src/labels/labels.h"
#include "src/remote/compression.h"
#include "src/remote/decode.h"
#include "src/remote/headers.h"
#include "wal/wal.h"

namespace ferry::ship::testing {

struct Reply {
  int status = 204;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds delay{0};
};

struct SeenRequest {
  std::map<std::string, std::string> headers;  // as received
  remote::DecodedRequest decoded;
  size_t samples = 0;
  int status = 0;  // what the sink answered
};

class Sink {
 public:
  using Script = std::function<Reply(size_t index, const SeenRequest& request)>;

  // Starts listening on 127.0.0.1:<free port>. "v2" decodes RW 2.0 bodies.
  explicit Sink(bool v2 = false) : v2_(v2) {
    server_.Post("/write", [this](const httplib::Request& req, httplib::Response& res) {
      Handle(req, res);
    });
    loop_ = std::make_unique<::ferry::testing::LoopbackServer>(server_);
  }
  ~Sink() {
    {
      MutexLock l(delay_mu_);
      closing_ = true;
    }
    delay_cv_.NotifyAll();
    loop_->Stop();
  }

  std::string url() const { return loop_->Url("/write"); }
  void SetScript(Script s) {
    MutexLock l(mu_);
    script_ = std::move(s);
  }

  // Waits (bounded) until "pred(accepted_samples, requests)" holds; woken
  // by every request the sink records.
  using Pred = std::function<bool(size_t, const std::vector<SeenRequest>&)>;
  bool WaitFor(const Pred& pred, std::chrono::milliseconds timeout) {
    auto until = std::chrono::steady_clock::now() + timeout;
    MutexLock l(mu_);
    while (!pred(accepted_samples_, requests_)) {
      if (std::chrono::steady_clock::now() >= until) return false;
      size_t seen = requests_.size();
      cv_.WaitFor(mu_, std::chrono::milliseconds(100),
                  [&]() FERRY_REQUIRES(mu_) { return requests_.size() != seen; });
    }
    return true;
  }
  bool WaitForAccepted(size_t n, std::chrono::milliseconds timeout) {
    return WaitFor([n](size_t accepted, const auto&) { return accepted >= n; }, timeout);
  }

  // Samples of accepted (2xx) requests per series (labels.ToString()), in
  // arrival order. REQUIRES: called from the test thread.
  std::map<std::string, std::vector<remote::Sample>> accepted() {
    MutexLock l(mu_);
    return accepted_;
  }
  std::vector<SeenRequest> requests() {
    MutexLock l(mu_);
    return requests_;
  }
  size_t accepted_samples() {
    MutexLock l(mu_);
    return accepted_samples_;
  }

 private:
  void Handle(const httplib::Request& req, httplib::Response& res) {
    SeenRequest seen;
    for (const auto& [k, v] : req.headers) seen.headers[k] = v;
    Result<std::string> raw = remote::Decompress(req.body);
    if (!raw.ok()) {
      res.status = 400;
      res.set_content("snappy: " + raw.status().message(), "text/plain");
      return;
    }
    Result<remote::DecodedRequest> dec =
        v2_ ? remote::DecodeWriteRequestV2(*raw) : remote::DecodeWriteRequestV1(*raw);
    if (!dec.ok()) {
      res.status = 400;
      res.set_content("decode: " + dec.status().message(), "text/plain");
      return;
    }
    seen.decoded = std::move(dec).value();
    for (const auto& s : seen.decoded.series) seen.samples += s.samples.size();
    Reply reply;
    {
      MutexLock l(mu_);
      if (script_) reply = script_(calls_++, seen);
    }
    if (reply.delay.count() > 0) {  // a slow receiver, cut short by ~Sink
      MutexLock l(delay_mu_);
      delay_cv_.WaitFor(delay_mu_, reply.delay, [this]() FERRY_REQUIRES(delay_mu_) {
        return closing_;
      });
    }
    {
      MutexLock l(mu_);
      seen.status = reply.status;
      if (reply.status >= 200 && reply.status < 300) {
        for (const auto& s : seen.decoded.series) {
          auto& v = accepted_[s.labels.ToString()];
          v.insert(v.end(), s.samples.begin(), s.samples.end());
        }
        accepted_samples_ += seen.samples;
      }
      requests_.push_back(std::move(seen));
    }
    cv_.NotifyAll();
    res.status = reply.status;
    for (const auto& [k, v] : reply.headers) res.set_header(k, v);
    if (!reply.body.empty()) res.set_content(reply.body, "text/plain");
  }

  const bool v2_;
  httplib::Server server_;
  std::unique_ptr<::ferry::testing::LoopbackServer> loop_;
  Mutex mu_;
  CondVar cv_;
  size_t calls_ FERRY_GUARDED_BY(mu_) = 0;
  Mutex delay_mu_;
  CondVar delay_cv_;
  bool closing_ FERRY_GUARDED_BY(delay_mu_) = false;
  Script script_ FERRY_GUARDED_BY(mu_);
  std::vector<SeenRequest> requests_ FERRY_GUARDED_BY(mu_);
  std::map<std::string, std::vector<remote::Sample>> accepted_ FERRY_GUARDED_BY(mu_);
  size_t accepted_samples_ FERRY_GUARDED_BY(mu_) = 0;
};

// "clock" (optional) stamps the records' append times.
inline std::unique_ptr<wal::Wal> OpenWal(const std::string& dir, Clock* clock = nullptr) {
  wal::Options o;
  o.dir = dir;
  o.clock = clock;
  o.durability = wal::Durability::kNever;
  o.retention_interval = std::chrono::milliseconds(0);
  o.max_age = std::chrono::milliseconds(0);
  Result<std::unique_ptr<wal::Wal>> w = wal::Wal::Open(o);
  if (!w.ok()) return nullptr;
  return std::move(w).value();
}

// Appends "scrapes" records of "series" counters named
// ferry_test_total{series="<i>"}: record r holds, for every series, value r
// at timestamp start_ms + r * 1000 (counters advancing by exactly 1 per
// scrape). Returns false on an append error.
inline bool AppendCounters(wal::Wal& w, int series, int first_scrape, int scrapes,
                           int64_t start_ms, const std::string& name = "ferry_test_total") {
  for (int r = first_scrape; r < first_scrape + scrapes; ++r) {
    wal::Batch b(1);
    for (int i = 0; i < series; ++i) {
      b.Add(labels::Labels::Of({{"__name__", name}, {"series", std::to_string(i)}}),
            start_ms + int64_t{r} * 1000, static_cast<double>(r));
    }
    if (!w.Append(b).ok()) return false;
  }
  return true;
}

}  // namespace ferry::ship::testing
