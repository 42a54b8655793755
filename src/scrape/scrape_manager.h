// ScrapeManager: one scrape pool per job, one ScrapeLoop per target, a
// single scheduler thread, the shared libcurl-multi client for fetching and a
// small worker pool for parsing and appending. Many targets never need many
// threads.
//
// Targets arrive from discovery through UpdateTargets() as complete lists
// per job. Targets that stay keep their loop (and cache); new ones start at
// their Prometheus offset; vanished ones get staleness markers after two
// missed intervals unless they come back first. A reload keeps loops of
// unchanged jobs untouched and carries caches over where the sample-affecting
// settings did not change. Shutdown writes no staleness markers, as
// Prometheus: the data will continue when ferry restarts.
//
// Thread-safety: all public methods are thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "src/base/clock.h"
#include "src/base/mutex.h"
#include "src/config/config.h"
#include "src/httpclient/client.h"
#include "src/scrape/scrape_loop.h"
#include "src/scrape/worker_pool.h"
#include "wal/wal.h"

namespace ferry::scrape {

struct ScrapeManagerOptions {
  // Threads that parse and append. Default: 2.
  int workers = 2;
  // Sent as User-Agent. Default: "ferry".
  std::string user_agent = "ferry";
  // Seeds the per-target scrape offsets (Prometheus uses the hostname).
  std::string hostname;
  // Not owned. Default: RealClock().
  Clock* clock = nullptr;
};

struct DroppedTarget {
  std::string job;
  labels::Labels discovered_labels;
};

class ScrapeManager {
 public:
  // "*wal" and "*client" must outlive the manager.
  ScrapeManager(wal::Wal& wal, httpclient::Client& client, ScrapeManagerOptions options);
  ~ScrapeManager();
  ScrapeManager(const ScrapeManager&) = delete;
  ScrapeManager& operator=(const ScrapeManager&) = delete;

  // Creates, updates or removes scrape pools to match "cfg". Fails, changing
  // nothing, if a relabel rule or scrape protocol cannot be compiled.
  Status ApplyConfig(const config::Config& cfg);

  // The complete current target list of "job": discovered label sets (group
  // labels merged in), each with at least __address__.
  void UpdateTargets(const std::string& job, std::vector<labels::Labels> targets);

  // Stops scraping and waits for scrapes in flight. Idempotent.
  void Stop();

  std::vector<TargetStatus> ActiveTargets() const;
  std::vector<DroppedTarget> DroppedTargets() const;
  // The metric metadata of every active target, one entry per (target,
  // family), as Prometheus' per-target ListMetadata over TargetsActive()
  // (what remote write's MetadataWatcher sends). Targets that were never
  // scraped, or whose bodies had no TYPE/HELP/UNIT lines, contribute nothing.
  std::vector<MetricMetadata> ListMetadata() const;

 private:
  struct Pool;
  struct Task {
    std::chrono::steady_clock::time_point due;
    std::shared_ptr<ScrapeLoop> loop;
    uint64_t generation;
    bool stale = false;      // end-of-run staleness instead of a scrape
    int64_t stale_ts_ms = 0;
    bool operator>(const Task& o) const { return due > o.due; }
  };

  // A snapshot of every active target's loop, for readers that then work
  // outside mu_ (each loop guards its own state).
  std::vector<std::shared_ptr<ScrapeLoop>> ActiveLoops() const;
  void SyncPool(Pool& pool) FERRY_REQUIRES(mu_);
  void Schedule(Task task) FERRY_REQUIRES(mu_);
  void RetireLoop(const std::shared_ptr<ScrapeLoop>& loop, bool immediate) FERRY_REQUIRES(mu_);
  // Removes and returns a replaced or retiring loop of "pool"'s job whose
  // samples carry the same labels as "target"'s, or null.
  std::shared_ptr<ScrapeLoop> TakeSameSeriesLoop(Pool& pool, const Target& target)
      FERRY_REQUIRES(mu_);
  void SchedulerMain();
  void StartScrape(const std::shared_ptr<ScrapeLoop>& loop);
  void FinishScrape();

  wal::Wal& wal_;
  httpclient::Client& client_;
  const ScrapeManagerOptions options_;
  Clock& clock_;
  uint64_t offset_seed_;

  mutable Mutex mu_;
  CondVar cv_;
  std::map<std::string, std::unique_ptr<Pool>> pools_ FERRY_GUARDED_BY(mu_);
  // Target lists that arrived before their job's pool exists.
  std::map<std::string, std::vector<labels::Labels>> unclaimed_ FERRY_GUARDED_BY(mu_);
  std::priority_queue<Task, std::vector<Task>, std::greater<>> tasks_ FERRY_GUARDED_BY(mu_);
  // Loops retired by discovery, waiting for their staleness markers; a
  // target that comes back adopts its cache instead.
  std::map<uint64_t, std::shared_ptr<ScrapeLoop>> retiring_ FERRY_GUARDED_BY(mu_);
  bool stopping_ FERRY_GUARDED_BY(mu_) = false;
  int in_flight_ FERRY_GUARDED_BY(mu_) = 0;
  uint64_t next_generation_ FERRY_GUARDED_BY(mu_) = 1;

  std::unique_ptr<WorkerPool> workers_;
  std::thread scheduler_;
};

}  // namespace ferry::scrape
