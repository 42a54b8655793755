// JobRunner: runs one replay job on its own thread: reads the job's
// sequence range from the WAL with its own Reader, keeps the samples whose
// timestamp is in [from, to] and whose series matches the selector, applies
// the rate limit, and hands them to the job's Senders (never to the live
// shipper's queues). Every second it checkpoints: the job's WAL cursor (the
// oldest record with an unanswered sample) and its JobStatus in the meta
// family. A dry run only counts series and samples.
//
// Selector fast path: whether a series matches is decided once per series
// ref, and the matching sample indices once per keyframe (a delta record
// lists the same series as its keyframe), so a record of a stream with no
// matching series costs one hash lookup after its decode (docs/replay.md).
//
// Thread-safety: Stop(), Snapshot() and the destructor may be called from
// any thread; "on_exit" runs on the runner's thread, last.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "src/base/clock.h"
#include "src/base/mutex.h"
#include "src/httpclient/client.h"
#include "src/replay/job.h"
#include "src/replay/sender.h"
#include "src/ship/backoff.h"
#include "src/ship/endpoint.h"
#include "wal/wal.h"

namespace ferry::replay {

struct RunnerDeps {
  wal::Wal& wal;
  httpclient::Client& client;
  const Clock& clock;
  std::function<ship::UniformRng()> rng_factory;
  // Default: 1 s.
  std::chrono::milliseconds checkpoint_interval{1000};
  // How long a pause waits for queued samples to be answered before it
  // abandons them (they are resent at resume). Default: 10 s.
  std::chrono::milliseconds pause_flush_deadline{10000};
};

class JobRunner {
 public:
  enum class StopMode {
    kPause,     // stop reading, send what is queued, keep progress: state paused
    kCancel,    // abandon in-flight requests, drop progress: state cancelled
    kShutdown,  // abandon in-flight requests, keep progress and state (resume later)
  };

  // "status" carries the spec, range and persisted cursor; "endpoint" is
  // null only for a dry run. "on_exit" receives the final status.
  JobRunner(RunnerDeps deps, JobStatus status, std::shared_ptr<const ship::Endpoint> endpoint,
            std::function<void(const JobStatus&)> on_exit);
  ~JobRunner();  // Stop(kShutdown) unless stopped, then joins.
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  void Start();
  void Stop(StopMode mode);
  void Join();
  // Current status with live counters.
  JobStatus Snapshot() const;

 private:
  void Run();
  Status ReadRange();
  // False when stopped while waiting.
  bool Sleep(std::chrono::milliseconds d);
  void Checkpoint(ship::Position horizon);
  void Finish(JobState state, std::string error);
  JobCounters SumCounters() const;
  bool stopping() const { return stop_requested_.load(); }

  RunnerDeps deps_;
  std::shared_ptr<const ship::Endpoint> endpoint_;
  std::function<void(const JobStatus&)> on_exit_;
  std::unique_ptr<httpclient::ClientOptionsSource> client_options_;
  std::unique_ptr<SenderContext> sender_ctx_;
  std::vector<std::unique_ptr<Sender>> senders_;
  std::chrono::steady_clock::time_point last_checkpoint_;
  // Runner thread only: every sample before this was handed to a sender.
  ship::Position handed_out_;

  mutable Mutex mu_;
  CondVar cv_;
  JobStatus status_ FERRY_GUARDED_BY(mu_);
  StopMode stop_mode_ FERRY_GUARDED_BY(mu_) = StopMode::kShutdown;
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> finished_{false};
  std::thread thread_;
};

}  // namespace ferry::replay
