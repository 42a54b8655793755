// ScrapeLoop: the state of one target's scraping, driven by ScrapeManager.
//
// A scrape is: build the request (Prepare), let the shared HTTP client fetch
// it, then turn the response into one atomic WAL append (Process) on a
// worker thread. One scrape per target is in flight at a time; a tick that
// finds the previous scrape still running is skipped, as Prometheus' loop
// never overlaps scrapes of one target.
//
// Thread-safety: Prepare/Process/WriteStaleMarkers are called by the
// manager for one scrape at a time (in_flight); GetStatus() is thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "src/base/mutex.h"
#include "src/httpclient/client.h"
#include "src/httpclient/client_config.h"
#include "src/scrape/scrape_append.h"
#include "src/scrape/target.h"
#include "wal/wal.h"

namespace ferry::scrape {

// What /api/v1/targets shows for an active target.
struct TargetStatus {
  std::string job;
  Target target;
  std::string health = "unknown";  // "up", "down" or "unknown" (never scraped)
  std::string last_error;
  int64_t last_scrape_ms = 0;  // wall clock of the last scrape's start
  double last_duration_seconds = 0;
};

// Settings shared by all loops of one job. Immutable once built.
struct PoolSettings {
  std::string job;
  std::shared_ptr<const config::ScrapeConfig> config;
  std::unique_ptr<relabel::Relabeler> target_relabeler;
  std::unique_ptr<relabel::Relabeler> metric_relabeler;
  std::unique_ptr<httpclient::ClientOptionsSource> http;
  std::string accept_header;
  std::string user_agent;
};

class ScrapeLoop {
 public:
  ScrapeLoop(Target target, std::shared_ptr<const PoolSettings> pool, wal::Wal& wal);

  const Target& target() const { return target_; }
  std::shared_ptr<const PoolSettings> pool() const;
  // Swaps in settings that differ only in how to fetch (auth, TLS, headers,
  // limits on the body), keeping the cache. The appender keeps the metric
  // relabeler it was built with, which the caller checked is equivalent.
  void UpdatePool(std::shared_ptr<const PoolSettings> pool);

  // Builds the HTTP request for a scrape starting now. An error (e.g. an
  // unreadable bearer_token_file) fails this scrape without fetching.
  Result<httpclient::Request> Prepare();
  // Appends the scrape's result (samples or stale markers, and the report
  // series) to the WAL, timestamped "start_ms", and updates the status.
  void Process(const httpclient::Response& response, int64_t start_ms);
  // The scrape could not even be sent.
  void ProcessError(const Status& error, int64_t start_ms);
  // End of this target: stale markers for all its series at "ts_ms".
  void WriteStaleMarkers(int64_t ts_ms);

  TargetStatus GetStatus() const;
  // Appends the metric metadata of this target's scrapes (one entry per
  // family) to "*out". Thread-safe, also while a scrape runs.
  void AppendMetadata(std::vector<MetricMetadata>* out) const;

  // The timestamp of a scrape starting at wall-clock "now_ms": snapped to the
  // loop's grid (first scrape + k * interval) when at most min(interval/100,
  // 2 ms) late, as Prometheus' AlignScrapeTimestamps, so that identical
  // intervals compress better downstream. Called by the scheduler, one
  // scrape at a time.
  int64_t AlignedTimestamp(int64_t now_ms);

  // Makes this loop's next scrape write staleness markers for the series of
  // "old"'s last scrape that it does not produce (ScrapeAppender::
  // InheritPrevious). REQUIRES: neither loop is scraping (in_flight false).
  void InheritSeries(const ScrapeLoop& old);

  // Scheduling state, owned by the manager's scheduler thread.
  std::chrono::steady_clock::time_point next_due;
  std::atomic<bool> in_flight{false};
  std::atomic<bool> stopped{false};
  uint64_t generation = 0;
  // The loop this one replaced on a reload that changed how bodies become
  // samples, until its series are inherited before the first scrape.
  std::shared_ptr<ScrapeLoop> predecessor;

 private:
  int64_t aligned_ms_ = 0;  // grid origin for AlignedTimestamp; 0 = none yet

 public:

 private:
  void SetStatus(const std::string& scrape_error, int64_t start_ms, double duration);
  Status AppendWithRetry(wal::Batch& batch, const std::function<void(wal::Batch*)>& rebuild);

  const Target target_;
  wal::Wal& wal_;
  // Keeps the metric relabeler the appender points to alive.
  const std::shared_ptr<const PoolSettings> appender_pool_;
  std::unique_ptr<ScrapeAppender> appender_;  // used by one scrape at a time

  mutable Mutex pool_mu_;
  std::shared_ptr<const PoolSettings> pool_ FERRY_GUARDED_BY(pool_mu_);

  mutable Mutex status_mu_;
  TargetStatus status_ FERRY_GUARDED_BY(status_mu_);
};

}  // namespace ferry::scrape
