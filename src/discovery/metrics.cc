#include "src/discovery/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace ferry::discovery {

DiscoveryMetrics::DiscoveryMetrics(prometheus::Registry* registry) {
  if (registry == nullptr) return;
  discovered_ = &prometheus::BuildGauge()
                     .Name("prometheus_sd_discovered_targets")
                     .Help("Current number of discovered targets.")
                     .Register(*registry);
  refresh_failures_ = &prometheus::BuildCounter()
                           .Name("prometheus_sd_refresh_failures_total")
                           .Help("Number of refresh failures for the given SD mechanism.")
                           .Register(*registry);
  file_read_errors_ = &prometheus::BuildCounter()
                           .Name("prometheus_sd_file_read_errors_total")
                           .Help("The number of File-SD read errors.")
                           .Register(*registry)
                           .Add({});
  http_failures_ = &prometheus::BuildCounter()
                        .Name("prometheus_sd_http_failures_total")
                        .Help("Number of HTTP service discovery refresh failures.")
                        .Register(*registry)
                        .Add({});
}

void DiscoveryMetrics::SetDiscoveredTargets(const std::string& job, double n) {
  if (discovered_ == nullptr) return;
  MutexLock l(mu_);
  auto [it, inserted] = gauges_.emplace(job, nullptr);
  if (inserted) it->second = &discovered_->Add({{"name", "scrape"}, {"config", job}});
  it->second->Set(n);
}

void DiscoveryMetrics::RemoveJob(const std::string& job) {
  if (discovered_ == nullptr) return;
  MutexLock l(mu_);
  auto it = gauges_.find(job);
  if (it == gauges_.end()) return;
  discovered_->Remove(it->second);
  gauges_.erase(it);
}

void DiscoveryMetrics::FileReadErrors(int n) {
  if (file_read_errors_ != nullptr && n > 0) file_read_errors_->Increment(n);
}

void DiscoveryMetrics::HttpFailures(int n) {
  if (http_failures_ != nullptr && n > 0) http_failures_->Increment(n);
}

void DiscoveryMetrics::RefreshFailure(const std::string& mechanism, const std::string& job) {
  if (refresh_failures_ == nullptr) return;
  refresh_failures_->Add({{"mechanism", mechanism}, {"config", job}}).Increment();
}

}  // namespace ferry::discovery
