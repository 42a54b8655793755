// Shard assignment and the dynamic resharding decision.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>

#include "wal/record.h"

namespace ferry::ship {

// The shard of series "ref" among "shards": a fixed 64-bit mix of the ref
// (splitmix64 finaliser) modulo "shards", so consecutive refs spread evenly
// and the assignment is the same in every process (crash recovery rebuilds
// the same per-shard batches). REQUIRES: shards > 0.
int ShardOf(wal::SeriesRef ref, int shards);

// What DesiredShards looks at, measured over the last interval
// (Prometheus' calculateDesiredShards in storage/remote/queue_manager.go).
struct ShardingInputs {
  int current = 1;
  int min_shards = 1;
  int max_shards = 50;
  // Samples per second appended to the WAL (what must be kept up with).
  double samples_in_rate = 0;
  // Samples per second acknowledged by the receiver.
  double samples_out_rate = 0;
  // Samples per second dropped (relabeling, age limit, 4xx).
  double samples_dropped_rate = 0;
  // Seconds spent in requests per second of wall time, summed over shards.
  double send_seconds_per_second = 0;
  // Unshipped samples in the WAL behind the endpoint's cursor position.
  double backlog_samples = 0;
  // The backlog should be drained within about this many seconds.
  double backlog_catchup_seconds = 20;
};

// Number of shards that would keep up with the incoming rate and drain
// the backlog within backlog_catchup_seconds (20 s = 5 %/s, as Prometheus'
// backlog catch-up),
// given the time one sample costs a shard. Returns "current" when nothing
// was sent (no timing to go on) or the estimate is within 30 % of current
// (hysteresis), else the estimate rounded up and clamped to
// [min_shards, max_shards].
int DesiredShards(const ShardingInputs& in);

}  // namespace ferry::ship
