// ProcessCollector: process_* metrics from /proc/self, with the names and
// meaning of Go's client_golang process collector, so the usual
// "process_resident_memory_bytes{job=...}" panels work for ferry too.
//
// Thread-safe: Collect() reads /proc on each call and keeps no state.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <vector>

namespace ferry::agent {

class ProcessCollector : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override;
};

}  // namespace ferry::agent
