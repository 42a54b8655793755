// Helpers for the discovery tests: an update recorder with bounded waits, a
// loopback HTTP server, metric lookup and config loading.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>
#include <prometheus/registry.h>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "tests/testing/http_server.h"
#include "src/base/mutex.h"
#include "src/config/loader.h"
#include "src/discovery/manager.h"

namespace ferry::discovery::testing {

using namespace std::chrono_literals;

// Records every update the Manager delivers. Thread-safe.
class Recorder {
 public:
  UpdateFn Fn() {
    return [this](const std::string& job, std::vector<TargetGroup> groups) {
      {
        MutexLock l(mu_);
        latest_[job] = groups;
        history_.emplace_back(job, std::move(groups));
      }
      cv_.NotifyAll();
    };
  }
  // Waits (at most "timeout") until the latest update of "job" satisfies "pred".
  bool WaitFor(const std::string& job,
               const std::function<bool(const std::vector<TargetGroup>&)>& pred,
               std::chrono::milliseconds timeout = 10s) {
    MutexLock l(mu_);
    return cv_.WaitFor(mu_, timeout, [&]() FERRY_REQUIRES(mu_) {
      auto it = latest_.find(job);
      return it != latest_.end() && pred(it->second);
    });
  }
  std::vector<TargetGroup> Latest(const std::string& job) {
    MutexLock l(mu_);
    return latest_[job];
  }
  size_t Count(const std::string& job) {
    MutexLock l(mu_);
    size_t n = 0;
    for (const auto& [j, g] : history_) n += j == job ? 1 : 0;
    return n;
  }

 private:
  Mutex mu_;
  CondVar cv_;
  std::map<std::string, std::vector<TargetGroup>> latest_ FERRY_GUARDED_BY(mu_);
  std::vector<std::pair<std::string, std::vector<TargetGroup>>> history_ FERRY_GUARDED_BY(mu_);
};

// Polls "cond" every 5 ms for at most "timeout" (for state that has no
// callback, such as Manager::Status()).
inline bool PollUntil(const std::function<bool()>& cond, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return cond();
}

// The addresses of all targets, in order.
inline std::vector<std::string> Addresses(const std::vector<TargetGroup>& groups) {
  std::vector<std::string> out;
  for (const TargetGroup& g : groups) {
    for (const labels::Labels& t : g.targets) out.emplace_back(t.Get("__address__"));
  }
  return out;
}

inline config::Config LoadConfig(const std::string& yaml, const std::string& dir = "") {
  Result<config::Config> cfg = config::LoadString(yaml, "prometheus.yml", dir);
  EXPECT_TRUE(cfg.ok()) << cfg.status().ToString();
  return cfg.ok() ? cfg.value() : config::Config();
}

inline std::optional<ProviderStatus> FindStatus(const Manager& m, const std::string& job,
                                                const std::string& config) {
  for (ProviderStatus& s : m.Status()) {
    if (s.job == job && s.config == config) return s;
  }
  return std::nullopt;
}

// Sum of the values of metric "name" whose labels include "want".
inline double MetricValue(prometheus::Registry& registry, const std::string& name,
                          const std::map<std::string, std::string>& want = {}) {
  double total = 0;
  for (const prometheus::MetricFamily& f : registry.Collect()) {
    if (f.name != name) continue;
    for (const prometheus::ClientMetric& m : f.metric) {
      size_t matched = 0;
      for (const prometheus::ClientMetric::Label& l : m.label) {
        auto it = want.find(l.name);
        if (it != want.end() && it->second == l.value) ++matched;
      }
      if (matched != want.size()) continue;
      total += f.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
    }
  }
  return total;
}

// An httplib server on 127.0.0.1 (port 0) for the test's lifetime.
using ServerThread = ::ferry::testing::LoopbackServer;

}  // namespace ferry::discovery::testing
