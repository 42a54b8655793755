// Manager: runs the service discovery of every scrape job and hands the
// scrape layer the complete, current target groups of each job.
//
// For each scrape config it runs one provider per SD config entry:
//   static_configs  -> one group per entry, source "0", "1", ... (no thread)
//   file_sd_configs -> file_sd.h: JSON/YAML files, globbed, watched by inotify
//   http_sd_configs -> http_sd.h: JSON from a URL every refresh_interval
// kubernetes_sd_configs is refused by ApplyConfig (not implemented yet).
//
// Updates: whenever the groups of a job change, "on_update(job, groups)" is
// called with ALL groups of that job (all its SD configs, in config order).
// Updates are coalesced: at most one round per Options::update_interval
// (Prometheus' discovery manager uses 5 s), except that a job's first update
// is sent at once. A job removed by ApplyConfig gets a final update with an
// empty list. Stop() sends nothing more: it drops pending updates, so a
// shutdown does not look like every target disappearing.
//
// [Threading] Thread-safe. "on_update" runs on the manager's update thread,
// one call at a time, never while a Manager lock is held, so it may call
// Status() (but not ApplyConfig() or Stop(), which wait for that thread).
// [Lifetime] "client" (and "clock", "registry" when given) must outlive the
// Manager. Destruction calls Stop().
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "src/base/clock.h"
#include "src/base/mutex.h"
#include "src/base/status.h"
#include "src/config/config.h"
#include "src/discovery/provider.h"
#include "src/discovery/target_group.h"
#include "src/httpclient/client.h"

namespace prometheus {
class Registry;
}

namespace ferry::discovery {

using UpdateFn = std::function<void(const std::string& job_name, std::vector<TargetGroup> groups)>;

// State of one provider, for /api/v1/targets, status pages and /metrics.
struct ProviderStatus {
  std::string job;
  std::string mechanism;  // "static", "file" or "http"
  // Which entry: "static_configs", "file_sd_configs[0]", "http_sd_configs[1]".
  std::string config;
  // Zero time_point when it never refreshed (static providers: the apply time).
  std::chrono::system_clock::time_point last_refresh;
  // "" when the last refresh succeeded. Otherwise why it failed; the groups
  // are then the last good ones.
  std::string last_error;
  std::vector<TargetGroup> groups;
};

class DiscoveryMetrics;

struct ManagerOptions {
  // Shortest time between two update rounds. Default: 5s (Prometheus).
  std::chrono::milliseconds update_interval{std::chrono::seconds(5)};
  // A failing provider logs its error at warn at most this often (and
  // whenever the error text changes). Default: 1m
  std::chrono::milliseconds error_log_interval{std::chrono::minutes(1)};
};

class Manager {
 public:
  using Options = ManagerOptions;


  // "clock" null means RealClock(); it stamps last_refresh. "registry" may be
  // null (no metrics). See the file comment for the metrics.
  Manager(httpclient::Client& client, UpdateFn on_update, Clock* clock = nullptr,
          prometheus::Registry* registry = nullptr, Options options = Options());
  ~Manager();
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  // Starts and stops providers to match "cfg.scrape_configs". A provider whose
  // job and SD config entry are unchanged keeps running (no flapping, no
  // re-read on reload); static groups are delivered at once. Errors
  // (nothing is changed then): kInvalidArgument for an unsupported mechanism
  // ("job \"x\": kubernetes_sd_configs is not supported yet"), kFailedPrecondition
  // after Stop().
  ::ferry::Status ApplyConfig(const config::Config& cfg);

  // Stops every provider and the update thread; returns after the update
  // being delivered (if any) has returned. No update follows. Idempotent.
  void Stop();

  // One entry per provider, in job then config order.
  std::vector<ProviderStatus> Status() const;

 private:
  struct Slot;
  struct Job;
  void OnReport(uint64_t id, RefreshReport report);
  void UpdateLoop();
  std::vector<TargetGroup> JobGroups(const Job& job) const FERRY_REQUIRES(mu_);

  httpclient::Client& client_;
  const UpdateFn on_update_;
  Clock& clock_;
  const Options options_;
  std::unique_ptr<DiscoveryMetrics> metrics_;

  Mutex apply_mu_;  // serialises ApplyConfig and Stop; never held by callbacks
  mutable Mutex mu_;
  CondVar cv_;
  bool stopped_ FERRY_GUARDED_BY(mu_) = false;   // no more ApplyConfig
  bool stopping_ FERRY_GUARDED_BY(mu_) = false;  // update thread exits when idle
  uint64_t next_id_ FERRY_GUARDED_BY(mu_) = 1;
  std::map<uint64_t, std::unique_ptr<Slot>> slots_ FERRY_GUARDED_BY(mu_);
  std::map<std::string, Job> jobs_ FERRY_GUARDED_BY(mu_);
  // Jobs whose groups changed since the last round ("removed" ones get []).
  std::map<std::string, bool> dirty_ FERRY_GUARDED_BY(mu_);
  std::chrono::steady_clock::time_point last_round_ FERRY_GUARDED_BY(mu_);
  std::jthread updater_;
};

}  // namespace ferry::discovery
