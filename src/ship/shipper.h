// Shipper: ships one remote_write endpoint's share of the WAL.
//
// Threads: one reader thread tails the WAL from the endpoint's cursor
// ("remote_write/<identity>"), hands each sample to shard ShardOf(ref, n)
// (Shard, shard.h) and, every tick (100 ms), commits the cursor the
// AckTracker allows, refreshes the metrics, and every reshard_interval
// decides the shard count (DesiredShards, sharding.h). Resharding drains
// every shard first (all queued samples sent and answered), so a series
// never has requests in flight on two shards. The reader never blocks the
// WAL's appenders: it waits with Wal::WaitForNewer, and when shards are full
// it waits for them (counted in enqueue_retries_total); memory stays
// bounded by capacity samples per shard whatever the backlog.
//
// Thread-safety: Status() may be called from any thread; Stop() from one.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "src/base/clock.h"
#include "src/base/status.h"
#include "src/httpclient/client.h"
#include "src/httpclient/client_config.h"
#include "src/ship/ack_tracker.h"
#include "src/ship/backoff.h"
#include "src/ship/endpoint.h"
#include "src/ship/metadata_sender.h"
#include "src/ship/metrics.h"
#include "src/ship/position.h"
#include "src/ship/shard.h"
#include "src/ship/shipper_context.h"
#include "wal/wal.h"

namespace ferry::ship {

struct ShipperOptions {
  // How long Stop() keeps sending what is queued before it abandons the
  // requests in flight (they stay in the WAL and are resent after a
  // restart). Prometheus' --storage.remote.flush-deadline. Default: 1 min.
  std::chrono::milliseconds flush_deadline{60000};
  // Not owned; must outlive the shippers. Default: RealClock().
  Clock* clock = nullptr;
  // How often the shard count is reconsidered (Prometheus: 10 s).
  // Default: 10 s.
  std::chrono::milliseconds reshard_interval{10000};
  // Resharding sizes the shards to drain the WAL backlog within about this
  // long, on top of keeping up with appends. Default: 20 s (Prometheus'
  // 5 %/s catch-up).
  std::chrono::milliseconds backlog_catchup{20000};
  // Samples the endpoint's shards gather between them, per window, while
  // catching up (docs/shipping.md, "Catch-up packing"): the more samples
  // per series a request carries, the less a receiver spends per sample.
  // Memory: up to twice this many queued samples (40 bytes each) while
  // catching up, none after. Each shard gathers at least
  // max_samples_per_send. Default: 262144 (about 10 MB).
  size_t catch_up_window = 262144;
  // Makes the jitter RNG of each shard. Default: DefaultRng.
  std::function<UniformRng()> rng_factory;
  // The scraped metadata, for endpoints that send it (SendsMetadata).
  // Empty: no metadata requests.
  MetadataSource metadata_source;
};

// A snapshot of one endpoint, for /api/v1/status and tests.
struct ShipperStatus {
  std::string name;  // the endpoint identity (remote_name)
  std::string url;
  std::string cursor_name;
  uint64_t cursor = 0;         // committed next_sequence
  uint64_t last_sequence = 0;  // newest WAL record
  uint64_t lag_records = 0;
  uint64_t backlog_samples = 0;
  double backlog_seconds = 0;
  int shards = 0;
  int desired_shards = 0;
  uint64_t samples_sent = 0;  // acknowledged by the receiver
  double samples_dropped = 0;
  double samples_failed = 0;
  double samples_retried = 0;
  uint64_t reshards = 0;
  std::string last_error;
  int64_t last_error_ms = 0;
};

class Shipper {
 public:
  // Reads the endpoint's cursor and shard marks from "wal" (a new endpoint
  // starts at the oldest retained record) and starts the threads. "wal",
  // "client" and "families" must outlive the Shipper. IOError/Corruption
  // from the WAL's meta.
  static Result<std::unique_ptr<Shipper>> Start(wal::Wal& wal, httpclient::Client& client,
                                                ShipMetrics& families,
                                                std::shared_ptr<const Endpoint> endpoint,
                                                const ShipperOptions& options);
  ~Shipper();
  Shipper(const Shipper&) = delete;
  Shipper& operator=(const Shipper&) = delete;

  // Stops reading, sends what is queued for up to flush_deadline, abandons
  // what is still in flight, joins the threads and commits the cursor.
  // Idempotent.
  void Stop();

  ShipperStatus GetStatus() const;
  const Endpoint& endpoint() const { return *endpoint_; }
  std::shared_ptr<const Endpoint> endpoint_ptr() const { return endpoint_; }

 private:
  Shipper(wal::Wal& wal, httpclient::Client& client, ShipMetrics& families,
          std::shared_ptr<const Endpoint> endpoint, const ShipperOptions& options,
          uint64_t cursor);
  void ReaderLoop();
  // False when stopping before every sample was handed out.
  bool Dispatch(const wal::Record& rec);
  bool EnqueueAll(Shard& shard, std::span<const QueuedSample> samples);
  void MaybeTick(bool caught_up);
  void CommitCursor();
  void UpdateMetrics(bool caught_up);
  void ConsiderResharding();
  bool Reshard(int n);
  // "caches": per new shard, series already resolved (empty: none).
  void StartShards(int n, const std::vector<ShardMark>& marks,
                   std::vector<SeriesCache> caches = {});
  void StopShards(std::chrono::steady_clock::time_point deadline);

  wal::Wal& wal_;
  std::shared_ptr<const Endpoint> endpoint_;
  const ShipperOptions options_;
  Clock& clock_;
  httpclient::ClientOptionsSource client_options_;
  EndpointMetrics metrics_;
  AckTracker tracker_;
  ShipperContext ctx_;
  const std::string cursor_name_;

  // Reader-thread state.
  std::vector<std::unique_ptr<Shard>> shards_;
  std::vector<Position> skip_before_;  // per shard: acknowledged before a restart
  std::vector<Position> replay_end_;   // per shard: end of a range to resend
  std::vector<std::vector<QueuedSample>> scratch_;
  std::chrono::steady_clock::time_point last_tick_{};
  std::chrono::steady_clock::time_point last_reshard_check_{};
  uint64_t last_committed_ = UINT64_MAX;
  uint64_t consumed_samples_ = 0;
  int64_t last_append_ms_ = 0;
  int64_t highest_ts_ = INT64_MIN;
  struct RateSnapshot {
    uint64_t appended = 0, out = 0, dropped = 0, send_nanos = 0, failed = 0;
    std::chrono::steady_clock::time_point at{};
  } rates_;

  std::atomic<bool> stop_reader_{false};
  std::atomic<bool> stopped_{false};
  std::atomic<uint64_t> committed_{0};
  std::atomic<int> shard_count_{0};
  std::atomic<int> desired_shards_{0};
  std::atomic<uint64_t> reshards_{0};
  std::atomic<uint64_t> backlog_samples_{0};
  std::atomic<double> backlog_seconds_{0};
  std::thread reader_;
  std::unique_ptr<MetadataSender> metadata_;  // null unless the endpoint sends metadata
};

}  // namespace ferry::ship
