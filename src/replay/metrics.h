// ReplayCollector: per-job replay metrics for the agent's /metrics, read
// from the jobs' live status at every scrape (no state of its own):
//   ferry_replay_samples_read_total{id}              handed to senders (or matched, dry run)
//   ferry_replay_samples_sent_total{id}              acknowledged by the receiver
//   ferry_replay_samples_rejected_total{id}          refused (4xx, RW 2.0 shortfall)
//   ferry_replay_samples_already_delivered_total{id} resend after a crash refused as duplicate
//   ferry_replay_samples_dropped_total{id}           dropped by write_relabel_configs
//   ferry_replay_samples_retried_total{id}           in attempts that were retried
//   ferry_replay_bytes_total{id}                     compressed request bytes
//   ferry_replay_progress_ratio{id}                  0..1 over the job's sequence range
//   ferry_replay_job_state{id,state}                 1 for the job's state, 0 for the others
//
// Thread-safety: Collect() and Detach() are thread-safe; after Detach()
// Collect() reports nothing.
#pragma once

#include <functional>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "src/base/mutex.h"
#include "src/replay/job.h"

namespace ferry::replay {

class ReplayCollector : public prometheus::Collectable {
 public:
  explicit ReplayCollector(std::function<std::vector<JobStatus>()> list);
  std::vector<prometheus::MetricFamily> Collect() const override;
  void Detach();

 private:
  mutable Mutex mu_;
  std::function<std::vector<JobStatus>()> list_ FERRY_GUARDED_BY(mu_);
};

}  // namespace ferry::replay
