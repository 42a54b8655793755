#include "src/agent/wal_metrics.h"

#include <limits>
#include <string>

#include "src/agent/metric_family.h"
#include "src/base/log.h"

namespace ferry::agent {
namespace {

constexpr std::string_view kComponent = "wal";

}  // namespace

std::vector<prometheus::MetricFamily> WalCollector::Collect() const {
  const wal::WalStats s = wal_.GetStats();
  std::vector<prometheus::MetricFamily> out;
  out.push_back(CounterFamily("ferry_wal_appended_samples_total",
                        "Samples appended to the WAL (committed).", s.appended_samples));
  out.push_back(CounterFamily("ferry_wal_appended_records_total",
                        "Records (one per scrape) appended to the WAL.", s.appended_records));
  out.push_back(CounterFamily("ferry_wal_series_created_total", "Series created in the WAL.",
                        s.created_series));
  out.push_back(CounterFamily("ferry_wal_group_commits_total",
                        "RocksDB writes, each holding one or more appends.", s.group_commits));
  out.push_back(CounterFamily("ferry_wal_syncs_total", "fdatasync calls on the WAL.", s.syncs));
  out.push_back(CounterFamily("ferry_wal_truncated_shipped_samples_total",
                        "Samples deleted by retention after every endpoint acknowledged them.",
                        s.truncated_shipped_samples));
  out.push_back(CounterFamily("ferry_wal_series_collected_total",
                        "Series garbage-collected because no retained record uses them.",
                        s.collected_series));
  out.push_back(CounterFamily("ferry_wal_corruption_events_total",
                        "Damaged stored bytes detected (and skipped) by the WAL.",
                        s.corruption_events));
  auto dropped = EmptyFamily("ferry_wal_dropped_samples_total",
                        "Unshipped samples the WAL deleted, by reason.",
                        prometheus::MetricType::Counter);
  for (int r = 0; r < wal::kDropReasonCount; ++r) {
    prometheus::ClientMetric m;
    m.label.push_back({"reason", std::string(wal::DropReasonName(static_cast<wal::DropReason>(r)))});
    m.counter.value = static_cast<double>(s.dropped_samples[r]);
    dropped.metric.push_back(m);
  }
  out.push_back(std::move(dropped));
  out.push_back(GaugeFamily("ferry_wal_series", "Live series in the WAL.", s.series));
  out.push_back(GaugeFamily("ferry_wal_bytes", "Bytes the WAL occupies on disk.", s.bytes_on_disk));
  auto memory = EmptyFamily("ferry_wal_rocksdb_memory_bytes",
                            "Memory RocksDB holds for the WAL, by kind (memtables, block_cache "
                            "with index and filter blocks, table_readers).",
                            prometheus::MetricType::Gauge);
  for (auto [kind, v] : {std::pair{"memtables", s.memtable_bytes},
                         std::pair{"block_cache", s.block_cache_bytes},
                         std::pair{"table_readers", s.table_reader_bytes}}) {
    prometheus::ClientMetric m;
    m.label.push_back({"kind", kind});
    m.gauge.value = static_cast<double>(v);
    memory.metric.push_back(m);
  }
  out.push_back(std::move(memory));
  out.push_back(GaugeFamily("ferry_wal_records",
                      "Records retained in the WAL.",
                      s.last_sequence >= s.first_sequence && s.last_sequence > 0
                          ? static_cast<double>(s.last_sequence - s.first_sequence + 1)
                          : 0));
  out.push_back(GaugeFamily("ferry_wal_last_sequence", "Sequence number of the newest record.",
                      s.last_sequence));
  auto sync = EmptyFamily("ferry_wal_sync_duration_seconds", "Latency of WAL fdatasync calls.",
                     prometheus::MetricType::Histogram);
  prometheus::ClientMetric h;
  uint64_t cumulative = 0;
  for (size_t i = 0; i < wal::kSyncLatencyBounds.size(); ++i) {
    cumulative += s.sync_latency_buckets[i];
    h.histogram.bucket.push_back({cumulative, wal::kSyncLatencyBounds[i]});
  }
  cumulative += s.sync_latency_buckets.back();
  h.histogram.bucket.push_back({cumulative, std::numeric_limits<double>::infinity()});
  h.histogram.sample_count = cumulative;
  h.histogram.sample_sum = s.sync_latency_sum_seconds;
  sync.metric.push_back(h);
  out.push_back(std::move(sync));
  return out;
}

void WalLogListener::OnCorruption(const wal::CorruptionEvent& e) {
  log::Error(kComponent, "corrupted data in the WAL skipped",
             {{"where", e.where}, {"key", e.key}, {"bytes", e.bytes}, {"err", e.status.message()}});
}

void WalLogListener::OnTruncation(const wal::TruncationEvent& e) {
  if (e.dropped_retention_samples > 0 || e.dropped_size_cap_samples > 0) {
    log::Warn(kComponent, "unshipped samples dropped by retention",
              {{"retention_samples", e.dropped_retention_samples},
               {"size_cap_samples", e.dropped_size_cap_samples},
               {"to_sequence", e.to_sequence}});
  } else {
    log::Debug(kComponent, "wal truncated", {{"from_sequence", e.from_sequence},
                                              {"to_sequence", e.to_sequence},
                                              {"shipped_samples", e.shipped_samples},
                                              {"series_collected", e.series_collected}});
  }
}

void WalLogListener::OnBackgroundError(const Status& status) {
  log::Error(kComponent, "wal background task failed; retrying", {{"err", status.message()}});
}

}  // namespace ferry::agent
