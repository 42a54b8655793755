// ShipManager: owns one Shipper per remote_write endpoint and keeps them in
// line with the configuration (issue 5; docs/shipping.md).
//
// Endpoint identity is `name` if set, else a hash of the URL; the WAL cursor
// is "remote_write/<identity>" and the shard marks live under meta prefix
// "ship/<identity>". On ApplyConfig, endpoints whose settings did not change
// keep running untouched; changed ones are stopped (flushing within
// flush_deadline) and restarted from their cursor; removed ones are stopped
// and their cursor and marks deleted so retention can move on.
//
// Thread-safety: thread-safe. ApplyConfig and Stop serialise with each
// other; Status() never waits for them.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <prometheus/registry.h>

#include "src/base/mutex.h"
#include "src/base/status.h"
#include "src/config/config.h"
#include "src/httpclient/client.h"
#include "src/ship/metrics.h"
#include "src/ship/shipper.h"
#include "wal/wal.h"

namespace ferry::ship {

class ShipManager {
 public:
  // "wal", "client" and "registry" must outlive the manager.
  ShipManager(wal::Wal& wal, httpclient::Client& client, prometheus::Registry& registry,
              ShipperOptions options);
  ~ShipManager();  // Stop()
  ShipManager(const ShipManager&) = delete;
  ShipManager& operator=(const ShipManager&) = delete;

  // Adds, removes or updates shippers to match cfg.remote_write (+
  // cfg.global.external_labels). kInvalidArgument naming the endpoint and
  // setting for invalid settings or two endpoints with one identity; then
  // nothing is changed. kFailedPrecondition after Stop(). A WAL error while
  // starting an endpoint is returned after the other endpoints were applied.
  ferry::Status ApplyConfig(const config::Config& cfg);

  // Flushes within the flush deadline (all endpoints in parallel), persists
  // cursors, stops. Idempotent.
  void Stop();

  std::vector<ShipperStatus> Status() const;

 private:
  wal::Wal& wal_;
  httpclient::Client& client_;
  const ShipperOptions options_;
  ShipMetrics families_;

  Mutex apply_mu_;  // serialises ApplyConfig and Stop; held during I/O
  bool stopped_ FERRY_GUARDED_BY(apply_mu_) = false;
  mutable Mutex mu_;  // guards the map only; never held during I/O
  std::map<std::string, std::shared_ptr<Shipper>> shippers_ FERRY_GUARDED_BY(mu_);
};

}  // namespace ferry::ship
