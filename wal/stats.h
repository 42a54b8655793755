// WalStats: a snapshot of the WAL's counters and gauges, which the agent turns
// into metrics (the WAL itself does not log or export anything).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace ferry::wal {

enum class DropReason : int {
  kRetention = 0,   // unacknowledged, older than Options::max_age
  kSizeCap = 1,     // unacknowledged, deleted to respect Options::max_size
  kCorruption = 2,  // unreadable on disk (found by a reader or recovery)
};
inline constexpr int kDropReasonCount = 3;
std::string_view DropReasonName(DropReason reason);  // "retention", "size_cap", "corruption"

// Upper bounds (seconds) of the sync latency histogram buckets; the last
// bucket of WalStats::sync_latency_buckets is +Inf.
inline constexpr std::array<double, 12> kSyncLatencyBounds = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0};

struct WalStats {
  // Counters since open.
  uint64_t appended_samples = 0;
  uint64_t appended_records = 0;
  uint64_t created_series = 0;
  uint64_t group_commits = 0;  // RocksDB writes (each holding >= 1 append)
  uint64_t keyframes = 0;      // records written as keyframes
  uint64_t syncs = 0;          // fdatasync calls (group commit or interval)
  // Non-cumulative counts per bucket of kSyncLatencyBounds, then +Inf.
  std::array<uint64_t, kSyncLatencyBounds.size() + 1> sync_latency_buckets{};
  double sync_latency_sum_seconds = 0;
  std::array<uint64_t, kDropReasonCount> dropped_samples{};
  uint64_t truncated_shipped_samples = 0;  // deleted after every cursor acked them
  uint64_t collected_series = 0;
  uint64_t corruption_events = 0;

  // Gauges.
  uint64_t series = 0;          // live series
  uint64_t first_sequence = 0;  // oldest retained record (0: empty)
  uint64_t last_sequence = 0;   // newest record (0: none yet)
  uint64_t next_sample = 0;     // samples ever appended (first_sample of the next record)
  uint64_t bytes_on_disk = 0;   // files in the directory, refreshed by retention passes
  // RocksDB memory, all column families: memtables (bounded by
  // Options::write_buffer_size), the block cache with index and filter
  // blocks (bounded by Options::block_cache_size), and table readers
  // outside the cache.
  uint64_t memtable_bytes = 0;
  uint64_t block_cache_bytes = 0;
  uint64_t table_reader_bytes = 0;
};

}  // namespace ferry::wal
