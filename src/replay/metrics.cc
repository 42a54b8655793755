#include "src/replay/metrics.h"

#include <string>

namespace ferry::replay {
namespace {

prometheus::MetricFamily Family(const char* name, const char* help, prometheus::MetricType t) {
  prometheus::MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = t;
  return f;
}

void Add(prometheus::MetricFamily& f, const std::string& id, double v) {
  prometheus::ClientMetric m;
  m.label.push_back({"id", id});
  if (f.type == prometheus::MetricType::Counter) {
    m.counter.value = v;
  } else {
    m.gauge.value = v;
  }
  f.metric.push_back(std::move(m));
}

}  // namespace

ReplayCollector::ReplayCollector(std::function<std::vector<JobStatus>()> list)
    : list_(std::move(list)) {}

void ReplayCollector::Detach() {
  MutexLock l(mu_);
  list_ = nullptr;
}

std::vector<prometheus::MetricFamily> ReplayCollector::Collect() const {
  std::vector<JobStatus> jobs;
  {
    MutexLock l(mu_);
    if (!list_) return {};
    jobs = list_();
  }
  using prometheus::MetricType;
  auto read = Family("ferry_replay_samples_read_total",
                     "Samples of the range read and handed to the job's senders (dry run: matched).",
                     MetricType::Counter);
  auto sent = Family("ferry_replay_samples_sent_total",
                     "Replayed samples acknowledged by the receiver.", MetricType::Counter);
  auto rejected = Family("ferry_replay_samples_rejected_total",
                         "Replayed samples the receiver refused (non-retryable 4xx, or not "
                         "written per RW 2.0 headers).",
                         MetricType::Counter);
  auto already = Family("ferry_replay_samples_already_delivered_total",
                        "Samples of a request resent after a crash that the receiver already had.",
                        MetricType::Counter);
  auto dropped = Family("ferry_replay_samples_dropped_total",
                        "Samples of series dropped by write_relabel_configs or collected.",
                        MetricType::Counter);
  auto retried = Family("ferry_replay_samples_retried_total",
                        "Samples in replay requests that failed and were retried.",
                        MetricType::Counter);
  auto bytes = Family("ferry_replay_bytes_total",
                      "Compressed remote-write bytes sent by the job, per attempt.",
                      MetricType::Counter);
  auto progress = Family("ferry_replay_progress_ratio",
                         "Fraction of the job's WAL sequence range answered (1 when done).",
                         MetricType::Gauge);
  auto state = Family("ferry_replay_job_state",
                      "1 for the job's current state (pending, running, paused, done, cancelled, "
                      "failed), 0 for the others.",
                      MetricType::Gauge);
  for (const JobStatus& j : jobs) {
    const JobCounters& c = j.counters;
    Add(read, j.id, static_cast<double>(j.SamplesRead()));
    Add(sent, j.id, static_cast<double>(c.samples_sent));
    Add(rejected, j.id, static_cast<double>(c.samples_rejected));
    Add(already, j.id, static_cast<double>(c.samples_already_delivered));
    Add(dropped, j.id, static_cast<double>(c.samples_dropped));
    Add(retried, j.id, static_cast<double>(c.samples_retried));
    Add(bytes, j.id, static_cast<double>(c.bytes_sent));
    Add(progress, j.id, j.Progress());
    for (JobState s : {JobState::kPending, JobState::kRunning, JobState::kPaused, JobState::kDone,
                       JobState::kCancelled, JobState::kFailed}) {
      prometheus::ClientMetric m;
      m.label = {{"id", j.id}, {"state", std::string(StateName(s))}};
      m.gauge.value = s == j.state ? 1 : 0;
      state.metric.push_back(std::move(m));
    }
  }
  return {read, sent, rejected, already, dropped, retried, bytes, progress, state};
}

}  // namespace ferry::replay
