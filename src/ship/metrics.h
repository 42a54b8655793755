// Self metrics of the shipper, with Prometheus' remote-storage names and
// labels (remote_name, url) so existing dashboards and alerts keep working,
// plus ferry's backlog gauges. docs/shipping.md lists their meaning.
//
// ShipMetrics registers the families once in a registry; EndpointMetrics
// holds one endpoint's children and removes them when destroyed.
//
// Thread-safety: prometheus-cpp metrics are thread-safe; EndpointMetrics'
// methods may be called from any thread.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <string>

#include "src/base/mutex.h"

namespace ferry::ship {

// Reasons of prometheus_remote_storage_samples_dropped_total.
inline constexpr std::string_view kReasonDroppedSeries = "dropped_series";  // write_relabel
inline constexpr std::string_view kReasonTooOld = "too_old";                // sample_age_limit
inline constexpr std::string_view kReasonUnknownSeries = "unknown_series";  // ref collected
inline constexpr std::string_view kReasonInvalidSeries = "invalid_series";  // encoder refused
inline constexpr std::string_view kReasonAlreadyDelivered = "already_delivered";
inline constexpr std::string_view kReasonPartialWrite = "partial_write";  // RW 2.0 stats
// Non-retryable HTTP answers: "http_<status>" (e.g. "http_400").

class ShipMetrics {
 public:
  // "registry" must outlive this object and every EndpointMetrics made from
  // it. Registering twice in one registry merges (same families).
  explicit ShipMetrics(prometheus::Registry& registry);

  prometheus::Family<prometheus::Counter>& samples_total;
  prometheus::Family<prometheus::Counter>& samples_failed_total;
  prometheus::Family<prometheus::Counter>& samples_retried_total;
  prometheus::Family<prometheus::Counter>& samples_dropped_total;
  prometheus::Family<prometheus::Counter>& bytes_total;
  prometheus::Family<prometheus::Counter>& enqueue_retries_total;
  prometheus::Family<prometheus::Gauge>& samples_pending;
  prometheus::Family<prometheus::Gauge>& shards;
  prometheus::Family<prometheus::Gauge>& shards_desired;
  prometheus::Family<prometheus::Gauge>& shards_min;
  prometheus::Family<prometheus::Gauge>& shards_max;
  prometheus::Family<prometheus::Gauge>& highest_timestamp;
  prometheus::Family<prometheus::Gauge>& highest_sent_timestamp;
  prometheus::Family<prometheus::Histogram>& sent_batch_duration;
  prometheus::Family<prometheus::Gauge>& backlog_samples;
  prometheus::Family<prometheus::Gauge>& backlog_seconds;
  prometheus::Family<prometheus::Gauge>& oldest_unshipped;
  // Metadata requests (metadata_sender.h).
  prometheus::Family<prometheus::Counter>& metadata_total;
  prometheus::Family<prometheus::Counter>& metadata_failed_total;
  prometheus::Family<prometheus::Counter>& metadata_retried_total;
  prometheus::Family<prometheus::Counter>& metadata_bytes_total;
};

class EndpointMetrics {
 public:
  EndpointMetrics(ShipMetrics& families, const std::string& remote_name, const std::string& url);
  ~EndpointMetrics();
  EndpointMetrics(const EndpointMetrics&) = delete;
  EndpointMetrics& operator=(const EndpointMetrics&) = delete;

  // samples_dropped_total{reason}, created on first use.
  void Dropped(std::string_view reason, double n);
  // Total of samples_dropped_total over every reason, and for one reason.
  double DroppedTotal() const;
  double DroppedFor(std::string_view reason) const;

  prometheus::Counter& samples_total;
  prometheus::Counter& samples_failed_total;
  prometheus::Counter& samples_retried_total;
  prometheus::Counter& bytes_total;
  prometheus::Counter& enqueue_retries_total;
  prometheus::Gauge& samples_pending;
  prometheus::Gauge& shards;
  prometheus::Gauge& shards_desired;
  prometheus::Gauge& shards_min;
  prometheus::Gauge& shards_max;
  prometheus::Gauge& highest_timestamp;
  prometheus::Gauge& highest_sent_timestamp;
  prometheus::Histogram& sent_batch_duration;
  prometheus::Gauge& backlog_samples;
  prometheus::Gauge& backlog_seconds;
  prometheus::Gauge& oldest_unshipped;

 private:
  ShipMetrics& f_;
  const prometheus::Labels labels_;
  mutable Mutex mu_;
  std::map<std::string, prometheus::Counter*, std::less<>> dropped_ FERRY_GUARDED_BY(mu_);
};

}  // namespace ferry::ship
