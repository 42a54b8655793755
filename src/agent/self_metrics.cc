#include "src/agent/self_metrics.h"

#include <prometheus/text_serializer.h>

#include "src/agent/process_collector.h"
#include "src/agent/version.h"

namespace ferry::agent {

SelfMetrics::SelfMetrics() : registry_(std::make_shared<prometheus::Registry>()) {
  process_ = std::make_shared<ProcessCollector>();
  prometheus::BuildGauge()
      .Name("ferry_build_info")
      .Help("A metric with a constant '1' value labeled by version and revision of ferry.")
      .Register(*registry_)
      .Add({{"version", std::string(kVersion)}, {"revision", std::string(kRevision)}})
      .Set(1);
  reload_successful_ = &prometheus::BuildGauge()
                            .Name("prometheus_config_last_reload_successful")
                            .Help("Whether the last configuration reload attempt was successful.")
                            .Register(*registry_)
                            .Add({});
  reload_success_timestamp_ =
      &prometheus::BuildGauge()
           .Name("prometheus_config_last_reload_success_timestamp_seconds")
           .Help("Timestamp of the last successful configuration reload.")
           .Register(*registry_)
           .Add({});
  auto& reloads = prometheus::BuildCounter()
                      .Name("ferry_config_reloads_total")
                      .Help("Configuration reload attempts, by result.")
                      .Register(*registry_);
  reloads_total_ = &reloads.Add({{"result", "success"}});
  reload_failures_total_ = &reloads.Add({{"result", "failure"}});
  ready_ = &prometheus::BuildGauge()
                .Name("prometheus_ready")
                .Help("Whether startup was fully completed and the agent is ready for normal "
                      "operation.")
                .Register(*registry_)
                .Add({});
}

void SelfMetrics::RecordReload(bool success, double unix_seconds) {
  reload_successful_->Set(success ? 1 : 0);
  if (success) {
    reload_success_timestamp_->Set(unix_seconds);
    reloads_total_->Increment();
  } else {
    reload_failures_total_->Increment();
  }
}

void SelfMetrics::AddCollectable(std::weak_ptr<prometheus::Collectable> c) {
  std::lock_guard<std::mutex> l(extra_mu_);
  extra_.push_back(std::move(c));
}

std::string SelfMetrics::Serialize() const {
  auto families = registry_->Collect();
  auto process = process_->Collect();
  families.insert(families.end(), process.begin(), process.end());
  std::vector<std::shared_ptr<prometheus::Collectable>> extra;
  {
    std::lock_guard<std::mutex> l(extra_mu_);
    for (const auto& w : extra_) {
      if (auto c = w.lock()) extra.push_back(std::move(c));
    }
  }
  for (const auto& c : extra) {
    auto more = c->Collect();
    families.insert(families.end(), more.begin(), more.end());
  }
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace ferry::agent
