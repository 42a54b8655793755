// ReplayManager: the replay jobs of one WAL. Embedded in the agent (jobs
// come from the admin API) and in `ferry replay` for a stopped agent's data
// directory (jobs run in the foreground).
//
// Open() loads every job record from the WAL's meta (prefix "replay") and
// resumes the unfinished ones: a job that was running when the process
// stopped or crashed is started again from its cursor and shard marks
// (docs/replay.md, "Durable progress"). At most max_running jobs run at
// once; the others wait as pending, first submitted first.
//
// A job's destination is resolved when it starts (and again at each
// resume) from the configuration the "config" callback returns, so a
// remote_write section's current auth, TLS and relabel rules apply; a name
// no longer configured fails the job with a message saying so.
//
// Thread-safety: every method is thread-safe. Jobs run on their own
// threads; the manager's lock is never held while a job does I/O.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <prometheus/collectable.h>

#include "src/base/clock.h"
#include "src/base/mutex.h"
#include "src/base/status.h"
#include "src/config/config.h"
#include "src/httpclient/client.h"
#include "src/replay/job.h"
#include "src/replay/metrics.h"
#include "src/replay/runner.h"
#include "wal/wal.h"

namespace ferry::replay {

struct ManagerOptions {
  // REQUIRED; not owned; must outlive the manager. kReadWrite.
  wal::Wal* wal = nullptr;
  // Default: RealClock().
  const Clock* clock = nullptr;
  // The configuration remote_write names resolve against; may return null.
  // Default: none (only URL destinations).
  std::function<std::shared_ptr<const config::Config>()> config;
  // Jobs sending at the same time. Default: 2.
  int max_running = 2;
  // Terminal jobs kept (listed, with their final counters); older ones are
  // deleted at Open(). Default: 100.
  size_t keep_finished = 100;
  // Default: 1 s.
  std::chrono::milliseconds checkpoint_interval{1000};
  // RunnerDeps::pause_flush_deadline. Default: 10 s.
  std::chrono::milliseconds pause_flush_deadline{10000};
  // Start jobs (resume unfinished ones, run submitted ones). false gives a
  // read-and-control view (`ferry replay list|pause|cancel` on a stopped
  // agent's directory): nothing is sent. Default: true.
  bool start_jobs = true;
  // Default: ship::DefaultRng.
  std::function<ship::UniformRng()> rng_factory;
};

class ReplayManager {
 public:
  // Loads the stored jobs and resumes unfinished ones. Errors from the WAL;
  // a job record that does not decode is logged and skipped.
  static Result<std::unique_ptr<ReplayManager>> Open(ManagerOptions options);
  // Stop().
  ~ReplayManager();
  ReplayManager(const ReplayManager&) = delete;
  ReplayManager& operator=(const ReplayManager&) = delete;

  // Validates "spec", maps [from, to] to the job's sequence range, stores
  // the job (pending, holding a WAL cursor at its first sequence) and starts
  // it when a slot is free. kInvalidArgument naming the field; kNotFound for
  // an unknown remote_write name.
  Result<JobStatus> Submit(JobSpec spec);

  // kNotFound for an unknown id.
  Result<JobStatus> Get(const std::string& id) const;
  // Every known job, oldest first.
  std::vector<JobStatus> List() const;

  // pending/running -> paused (a running job first sends what it queued;
  // an interrupted one, not yet resumed, just changes state).
  // kFailedPrecondition from a terminal state. Returns the status right
  // after the request (a running job may still show running briefly).
  Result<JobStatus> Pause(const std::string& id);
  // paused -> pending (then running when a slot is free).
  Result<JobStatus> Resume(const std::string& id);
  // pending/running/paused -> cancelled: in-flight requests are abandoned,
  // the job's cursor is deleted (retention no longer keeps its range).
  Result<JobStatus> Cancel(const std::string& id);

  // Blocks until job "id" is no longer pending or running, or "timeout"
  // passes; returns its status then. Woken by every state change.
  Result<JobStatus> Wait(const std::string& id, std::chrono::milliseconds timeout);

  // Stops every running job, keeping its progress (it resumes at the next
  // Open). Idempotent.
  void Stop();

  // Per-job metrics (ferry_replay_*; docs/replay.md). Valid after the
  // manager is gone (then it reports nothing).
  std::shared_ptr<prometheus::Collectable> collector() const { return collector_; }

 private:
  struct Entry {
    JobStatus status;                   // last known (live ones: see runner)
    std::unique_ptr<JobRunner> runner;  // non-null while running or not yet reaped
    bool stopping = false;              // a pause/cancel was requested
  };
  explicit ReplayManager(ManagerOptions options);
  Status Load();
  // Starts pending jobs while slots are free. Call without mu_ held.
  void Schedule();
  // Joins runners that exited. Call without mu_ held.
  void Reap();
  void OnExit(const JobStatus& st);
  JobStatus CurrentLocked(const Entry& e) const FERRY_REQUIRES(mu_);
  // Ends a job that is not running: persists "state", releases its cursor
  // and shard state when terminal.
  Status SetIdleStateLocked(Entry& e, JobState state) FERRY_REQUIRES(mu_);
  Result<std::pair<uint64_t, uint64_t>> PlanRange(const JobSpec& spec);

  ManagerOptions options_;
  std::unique_ptr<httpclient::Client> client_;
  std::shared_ptr<ReplayCollector> collector_;

  mutable Mutex mu_;
  CondVar cv_;
  std::map<std::string, Entry> jobs_ FERRY_GUARDED_BY(mu_);
  bool stopped_ FERRY_GUARDED_BY(mu_) = false;
  uint64_t changes_ FERRY_GUARDED_BY(mu_) = 0;  // bumped with every cv_ notification
  std::vector<std::unique_ptr<JobRunner>> exited_ FERRY_GUARDED_BY(mu_);
};

// How [from, to] maps to a sequence range (docs/replay.md): records
// appended in [from - skew, to + skew], clamped to what the WAL holds now.
// Returns [start, end).
Result<std::pair<uint64_t, uint64_t>> PlanSequenceRange(wal::Wal& wal, const JobSpec& spec);

}  // namespace ferry::replay
