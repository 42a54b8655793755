// DiscoveryMetrics: Prometheus' service discovery metric names, registered on
// a prometheus-cpp Registry:
//   prometheus_sd_discovered_targets{name="scrape",config=<job>}  gauge
//   prometheus_sd_file_read_errors_total                           counter
//   prometheus_sd_http_failures_total                              counter
//   prometheus_sd_refresh_failures_total{mechanism,config}         counter
// With a null registry every method does nothing.
//
// Thread-safety: thread-safe (prometheus-cpp metrics are).
#pragma once

#include <map>
#include <string>

#include "src/base/mutex.h"

namespace prometheus {
class Registry;
class Counter;
class Gauge;
template <typename T>
class Family;
}  // namespace prometheus

namespace ferry::discovery {

class DiscoveryMetrics {
 public:
  explicit DiscoveryMetrics(prometheus::Registry* registry);

  void SetDiscoveredTargets(const std::string& job, double n);
  // Drops the gauge of a job that no longer exists.
  void RemoveJob(const std::string& job);
  void FileReadErrors(int n);
  void HttpFailures(int n);
  void RefreshFailure(const std::string& mechanism, const std::string& job);

 private:
  prometheus::Family<prometheus::Gauge>* discovered_ = nullptr;
  prometheus::Family<prometheus::Counter>* refresh_failures_ = nullptr;
  prometheus::Counter* file_read_errors_ = nullptr;
  prometheus::Counter* http_failures_ = nullptr;
  Mutex mu_;
  std::map<std::string, prometheus::Gauge*> gauges_ FERRY_GUARDED_BY(mu_);
};

}  // namespace ferry::discovery
