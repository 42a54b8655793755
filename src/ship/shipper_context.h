// ShipperContext: what one endpoint's reader and shards share. Internal to
// src/ship (not part of the module's API).
//
// Thread-safety: the references are to thread-safe objects; the atomics
// are counters for resharding and status (relaxed order: statistics only).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "src/base/clock.h"
#include "src/base/mutex.h"
#include "src/httpclient/client.h"
#include "src/httpclient/client_config.h"
#include "src/ship/ack_tracker.h"
#include "src/ship/backoff.h"
#include "src/ship/endpoint.h"
#include "src/ship/metrics.h"
#include "wal/wal.h"

namespace ferry::ship {

// A record older than this when the reader hands it out means the reader is
// behind: ShipperContext::catching_up.
inline constexpr std::chrono::milliseconds kCatchUpAge{2000};

struct ShipperContext {
  ShipperContext(wal::Wal& w, httpclient::Client& c, std::shared_ptr<const Endpoint> ep,
                 httpclient::ClientOptionsSource& opts, EndpointMetrics& m, AckTracker& t,
                 Clock& clk, std::function<UniformRng()> rngs, std::string prefix)
      : wal(w),
        client(c),
        endpoint(std::move(ep)),
        client_options(opts),
        metrics(m),
        tracker(t),
        clock(clk),
        rng_factory(std::move(rngs)),
        meta_prefix(std::move(prefix)) {}

  wal::Wal& wal;
  httpclient::Client& client;
  std::shared_ptr<const Endpoint> endpoint;
  httpclient::ClientOptionsSource& client_options;
  EndpointMetrics& metrics;
  AckTracker& tracker;
  Clock& clock;
  // Makes one RNG per shard (jitter).
  std::function<UniformRng()> rng_factory;
  std::string meta_prefix;

  // Set by Stop() once the flush deadline has passed: shards abandon the
  // request in flight and any back-off wait.
  std::atomic<bool> hard_stop{false};

  // Set by the reader while the records it hands out are older than
  // kCatchUpAge (an outage's backlog, a restart, a slow receiver): shards
  // then gather catch-up windows. Cleared when it reaches the WAL's end.
  std::atomic<bool> catching_up{false};

  // Statistics for DesiredShards() and Status().
  std::atomic<uint64_t> samples_in{0};
  std::atomic<uint64_t> samples_out{0};
  std::atomic<uint64_t> samples_dropped{0};
  std::atomic<uint64_t> send_nanos{0};
  std::atomic<uint64_t> failed_attempts{0};
  std::atomic<uint64_t> requests_ok{0};

  // Wakes the reader when a shard becomes idle (reshard drain) or has room.
  // idle_gen is bumped (then idle_cv notified) whenever a shard frees queue
  // room or finishes a request.
  Mutex idle_mu;
  CondVar idle_cv;
  std::atomic<uint64_t> idle_gen{0};

  void NotifyIdle() {
    idle_gen.fetch_add(1);
    { MutexLock l(idle_mu); }
    idle_cv.NotifyAll();
  }

  mutable Mutex error_mu;
  std::string last_error FERRY_GUARDED_BY(error_mu);
  int64_t last_error_ms FERRY_GUARDED_BY(error_mu) = 0;
  int64_t last_log_ms FERRY_GUARDED_BY(error_mu) = 0;
  uint64_t suppressed_logs FERRY_GUARDED_BY(error_mu) = 0;
};

}  // namespace ferry::ship
