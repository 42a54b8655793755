// WAL observability for the agent: a prometheus-cpp collector that turns
// wal::WalStats into ferry_wal_* metrics at scrape time, and a wal::Listener
// that logs what the WAL reports (the WAL itself never logs).
//
// Thread-safety: Collect() and the listener callbacks may run on any thread.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <vector>

#include "wal/options.h"
#include "wal/wal.h"

namespace ferry::agent {

class WalCollector : public prometheus::Collectable {
 public:
  // "*wal" must outlive the collector's registration.
  explicit WalCollector(const wal::Wal& wal) : wal_(wal) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const wal::Wal& wal_;
};

class WalLogListener : public wal::Listener {
 public:
  void OnCorruption(const wal::CorruptionEvent& event) override;
  void OnTruncation(const wal::TruncationEvent& event) override;
  void OnBackgroundError(const Status& status) override;
};

}  // namespace ferry::agent
