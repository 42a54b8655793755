#include "src/ship/metrics.h"

namespace ferry::ship {

namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

// Prometheus' sent_batch_duration_seconds buckets: DefBuckets + 25, 60, 120, 300.
prometheus::Histogram::BucketBoundaries BatchBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 60, 120, 300};
}

}  // namespace

ShipMetrics::ShipMetrics(prometheus::Registry& r)
    : samples_total(BuildCounter()
                        .Name("prometheus_remote_storage_samples_total")
                        .Help("Total number of samples sent to remote storage.")
                        .Register(r)),
      samples_failed_total(BuildCounter()
                               .Name("prometheus_remote_storage_samples_failed_total")
                               .Help("Total number of samples which failed on send to remote "
                                     "storage, non-recoverable errors.")
                               .Register(r)),
      samples_retried_total(BuildCounter()
                                .Name("prometheus_remote_storage_samples_retried_total")
                                .Help("Total number of samples which failed on send to remote "
                                      "storage but were retried because the send error was "
                                      "recoverable.")
                                .Register(r)),
      samples_dropped_total(BuildCounter()
                                .Name("prometheus_remote_storage_samples_dropped_total")
                                .Help("Total number of samples which were dropped instead of "
                                      "being sent to remote storage, by reason.")
                                .Register(r)),
      bytes_total(BuildCounter()
                      .Name("prometheus_remote_storage_bytes_total")
                      .Help("The total number of bytes of data (not metadata) sent by the queue "
                            "after compression.")
                      .Register(r)),
      enqueue_retries_total(BuildCounter()
                                .Name("prometheus_remote_storage_enqueue_retries_total")
                                .Help("Total number of times enqueue has failed because a "
                                      "shard's queue was full.")
                                .Register(r)),
      samples_pending(BuildGauge()
                          .Name("prometheus_remote_storage_samples_pending")
                          .Help("The number of samples pending in the queue's shards to be sent "
                                "to the remote storage.")
                          .Register(r)),
      shards(BuildGauge()
                 .Name("prometheus_remote_storage_shards")
                 .Help("The number of shards used for parallel sending to the remote storage.")
                 .Register(r)),
      shards_desired(BuildGauge()
                         .Name("prometheus_remote_storage_shards_desired")
                         .Help("The number of shards that the queues shard calculation wants to "
                               "run based on the rate of samples in vs. samples out.")
                         .Register(r)),
      shards_min(BuildGauge()
                     .Name("prometheus_remote_storage_shards_min")
                     .Help("The minimum number of shards that the queue is allowed to run.")
                     .Register(r)),
      shards_max(BuildGauge()
                     .Name("prometheus_remote_storage_shards_max")
                     .Help("The maximum number of shards that the queue is allowed to run.")
                     .Register(r)),
      highest_timestamp(BuildGauge()
                            .Name("prometheus_remote_storage_queue_highest_timestamp_seconds")
                            .Help("Highest timestamp that was enqueued, in seconds since epoch.")
                            .Register(r)),
      highest_sent_timestamp(
          BuildGauge()
              .Name("prometheus_remote_storage_queue_highest_sent_timestamp_seconds")
              .Help("Timestamp from a WAL sample, the highest timestamp successfully sent by "
                    "this queue, in seconds since epoch.")
              .Register(r)),
      sent_batch_duration(BuildHistogram()
                              .Name("prometheus_remote_storage_sent_batch_duration_seconds")
                              .Help("Duration of send calls to the remote storage.")
                              .Register(r)),
      backlog_samples(BuildGauge()
                          .Name("ferry_remote_storage_backlog_samples")
                          .Help("Samples in the WAL not yet acknowledged by this endpoint.")
                          .Register(r)),
      backlog_seconds(BuildGauge()
                          .Name("ferry_remote_storage_backlog_seconds")
                          .Help("Age of the oldest WAL record not yet acknowledged by this "
                                "endpoint (0 when caught up).")
                          .Register(r)),
      oldest_unshipped(BuildGauge()
                           .Name("ferry_remote_storage_oldest_unshipped_timestamp_seconds")
                           .Help("Append time of the oldest WAL record not yet acknowledged by "
                                 "this endpoint, seconds since epoch (0 when caught up).")
                           .Register(r)),
      metadata_total(BuildCounter()
                         .Name("prometheus_remote_storage_metadata_total")
                         .Help("Total number of metadata entries sent to remote storage.")
                         .Register(r)),
      metadata_failed_total(BuildCounter()
                                .Name("prometheus_remote_storage_metadata_failed_total")
                                .Help("Total number of metadata entries which failed on send to "
                                      "remote storage, non-recoverable errors.")
                                .Register(r)),
      metadata_retried_total(BuildCounter()
                                 .Name("prometheus_remote_storage_metadata_retried_total")
                                 .Help("Total number of metadata entries which failed on send to "
                                       "remote storage but were retried because the send error "
                                       "was recoverable.")
                                 .Register(r)),
      metadata_bytes_total(BuildCounter()
                               .Name("prometheus_remote_storage_metadata_bytes_total")
                               .Help("The total number of bytes of metadata sent by the queue "
                                     "after compression.")
                               .Register(r)) {}

EndpointMetrics::EndpointMetrics(ShipMetrics& f, const std::string& remote_name,
                                 const std::string& url)
    : samples_total(f.samples_total.Add({{"remote_name", remote_name}, {"url", url}})),
      samples_failed_total(f.samples_failed_total.Add({{"remote_name", remote_name}, {"url", url}})),
      samples_retried_total(
          f.samples_retried_total.Add({{"remote_name", remote_name}, {"url", url}})),
      bytes_total(f.bytes_total.Add({{"remote_name", remote_name}, {"url", url}})),
      enqueue_retries_total(
          f.enqueue_retries_total.Add({{"remote_name", remote_name}, {"url", url}})),
      samples_pending(f.samples_pending.Add({{"remote_name", remote_name}, {"url", url}})),
      shards(f.shards.Add({{"remote_name", remote_name}, {"url", url}})),
      shards_desired(f.shards_desired.Add({{"remote_name", remote_name}, {"url", url}})),
      shards_min(f.shards_min.Add({{"remote_name", remote_name}, {"url", url}})),
      shards_max(f.shards_max.Add({{"remote_name", remote_name}, {"url", url}})),
      highest_timestamp(f.highest_timestamp.Add({{"remote_name", remote_name}, {"url", url}})),
      highest_sent_timestamp(
          f.highest_sent_timestamp.Add({{"remote_name", remote_name}, {"url", url}})),
      sent_batch_duration(f.sent_batch_duration.Add({{"remote_name", remote_name}, {"url", url}},
                                                    BatchBuckets())),
      backlog_samples(f.backlog_samples.Add({{"remote_name", remote_name}, {"url", url}})),
      backlog_seconds(f.backlog_seconds.Add({{"remote_name", remote_name}, {"url", url}})),
      oldest_unshipped(f.oldest_unshipped.Add({{"remote_name", remote_name}, {"url", url}})),
      f_(f),
      labels_{{"remote_name", remote_name}, {"url", url}} {}

EndpointMetrics::~EndpointMetrics() {
  f_.samples_total.Remove(&samples_total);
  f_.samples_failed_total.Remove(&samples_failed_total);
  f_.samples_retried_total.Remove(&samples_retried_total);
  f_.bytes_total.Remove(&bytes_total);
  f_.enqueue_retries_total.Remove(&enqueue_retries_total);
  f_.samples_pending.Remove(&samples_pending);
  f_.shards.Remove(&shards);
  f_.shards_desired.Remove(&shards_desired);
  f_.shards_min.Remove(&shards_min);
  f_.shards_max.Remove(&shards_max);
  f_.highest_timestamp.Remove(&highest_timestamp);
  f_.highest_sent_timestamp.Remove(&highest_sent_timestamp);
  f_.sent_batch_duration.Remove(&sent_batch_duration);
  f_.backlog_samples.Remove(&backlog_samples);
  f_.backlog_seconds.Remove(&backlog_seconds);
  f_.oldest_unshipped.Remove(&oldest_unshipped);
  MutexLock l(mu_);
  for (auto& [reason, c] : dropped_) f_.samples_dropped_total.Remove(c);
}

void EndpointMetrics::Dropped(std::string_view reason, double n) {
  prometheus::Counter* c = nullptr;
  {
    MutexLock l(mu_);
    auto it = dropped_.find(reason);
    if (it == dropped_.end()) {
      prometheus::Labels lbl = labels_;
      lbl.emplace("reason", std::string(reason));
      it = dropped_.emplace(std::string(reason), &f_.samples_dropped_total.Add(lbl)).first;
    }
    c = it->second;
  }
  c->Increment(n);
}

double EndpointMetrics::DroppedTotal() const {
  MutexLock l(mu_);
  double total = 0;
  for (const auto& [reason, c] : dropped_) total += c->Value();
  return total;
}

double EndpointMetrics::DroppedFor(std::string_view reason) const {
  MutexLock l(mu_);
  auto it = dropped_.find(reason);
  return it == dropped_.end() ? 0 : it->second->Value();
}

}  // namespace ferry::ship
