// SelfMetrics: the agent's own /metrics registry (prometheus-cpp core).
//
// Names follow Prometheus where dashboards and alerts already use them
// (prometheus_config_last_reload_successful, process_*, prometheus_ready)
// and carry a ferry_ prefix otherwise. docs/metrics.md lists them all.
//
// Thread-safe: prometheus-cpp metrics are atomic; Serialize() may run
// concurrently with updates.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <memory>
#include <mutex>
#include <vector>
#include <string>

namespace ferry::agent {

class SelfMetrics {
 public:
  SelfMetrics();
  SelfMetrics(const SelfMetrics&) = delete;
  SelfMetrics& operator=(const SelfMetrics&) = delete;

  prometheus::Registry& registry() { return *registry_; }
  std::shared_ptr<prometheus::Registry> shared_registry() { return registry_; }

  // Records a configuration (re)load attempt.
  void RecordReload(bool success, double unix_seconds);
  void SetReady(bool ready) { ready_->Set(ready ? 1 : 0); }

  // Adds a collector read at every Serialize(); it is skipped once expired.
  void AddCollectable(std::weak_ptr<prometheus::Collectable> c);

  // The whole registry in Prometheus text format 0.0.4.
  std::string Serialize() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<prometheus::Collectable> process_;
  mutable std::mutex extra_mu_;
  std::vector<std::weak_ptr<prometheus::Collectable>> extra_;
  prometheus::Gauge* reload_successful_;
  prometheus::Gauge* reload_success_timestamp_;
  prometheus::Counter* reloads_total_;
  prometheus::Counter* reload_failures_total_;
  prometheus::Gauge* ready_;
};

}  // namespace ferry::agent
