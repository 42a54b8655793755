// MetadataSender: sends the scraped metric metadata (TYPE, HELP and UNIT of
// every metric family of the active targets) to one remote-write 1.0
// endpoint, as Prometheus' MetadataWatcher and QueueManager.AppendMetadata
// do when `metadata_config.send` is true:
//
//   - every `metadata_config.send_interval` (the first send one interval
//     after start, as Prometheus' ticker), the source is asked for the
//     current metadata; identical entries (same family, type, help and unit,
//     from several targets) are sent once;
//   - the entries go out in requests of their own, WriteRequest.metadata
//     only, at most `metadata_config.max_samples_per_send` per request, one
//     request at a time (never mixed with samples, never parallel);
//   - network errors, 5xx and (with retry_on_http_429) 429 are retried with
//     the endpoint's back-off, honouring Retry-After, until they succeed or
//     the sender stops; other answers fail the request: its entries are
//     counted in metadata_failed_total and the error logged (rate-limited).
//     Metadata is not durable: the next interval sends the current set again.
//
// Metrics (Prometheus' names, labels remote_name and url):
// prometheus_remote_storage_metadata_total, _metadata_failed_total,
// _metadata_retried_total, _metadata_bytes_total.
//
// Thread-safety: one internal thread; Stop() and SendNow() may be called
// from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "src/base/clock.h"
#include "src/base/mutex.h"
#include "src/base/status.h"
#include "src/httpclient/client.h"
#include "src/httpclient/client_config.h"
#include "src/remote/types.h"
#include "src/ship/backoff.h"
#include "src/ship/endpoint.h"
#include "src/ship/metrics.h"

namespace ferry::ship {

// Returns the metadata of every active target, one entry per (target,
// family); duplicates are allowed. Called from the sender's thread; must be
// thread-safe.
using MetadataSource = std::function<std::vector<remote::MetricMetadata>()>;

// Whether "endpoint" sends metadata requests: metadata_config.send and the
// RW 1.0 protocol (RW 2.0 carries metadata per series; ferry does not send
// it there yet, see docs/shipping.md).
bool SendsMetadata(const Endpoint& endpoint);

class MetadataSender {
 public:
  // Starts the thread. "client", "families" and "clock" must outlive the
  // sender. REQUIRES: SendsMetadata(*endpoint), source callable.
  MetadataSender(httpclient::Client& client, ShipMetrics& families,
                 std::shared_ptr<const Endpoint> endpoint, MetadataSource source, Clock& clock,
                 UniformRng rng);
  ~MetadataSender();  // Stop()
  MetadataSender(const MetadataSender&) = delete;
  MetadataSender& operator=(const MetadataSender&) = delete;

  // Abandons a request in flight or a back-off wait and joins the thread.
  // Idempotent.
  void Stop();

  // Collects and sends now (tests, and the shutdown path does not use it).
  // Returns what the last request of the round answered: OK when every
  // request was accepted, the first non-retryable error otherwise,
  // kCancelled when stopped mid-way.
  Status SendNow();

  // Entries acknowledged by the receiver since start.
  uint64_t sent() const { return sent_.load(); }

 private:
  void Loop();
  // One request with retries. OK, the non-retryable error, or kCancelled.
  Status SendRequest(const std::vector<remote::MetricMetadata>& entries);
  void Report(const std::string& err);

  httpclient::Client& client_;
  const std::shared_ptr<const Endpoint> endpoint_;
  const MetadataSource source_;
  Clock& clock_;
  httpclient::ClientOptionsSource client_options_;
  Backoff backoff_;
  prometheus::Counter& metadata_total_;
  prometheus::Counter& failed_total_;
  prometheus::Counter& retried_total_;
  prometheus::Counter& bytes_total_;
  ShipMetrics& families_;

  Mutex send_mu_;  // one round at a time (Loop and SendNow)
  Mutex mu_;
  CondVar cv_;
  bool stop_ FERRY_GUARDED_BY(mu_) = false;
  int64_t last_log_ms_ FERRY_GUARDED_BY(mu_) = 0;
  uint64_t suppressed_ FERRY_GUARDED_BY(mu_) = 0;
  std::atomic<uint64_t> sent_{0};
  std::atomic<bool> stopped_{false};
  std::thread thread_;
};

}  // namespace ferry::ship
