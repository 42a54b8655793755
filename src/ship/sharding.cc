#include "src/ship/sharding.h"

#include <algorithm>
#include <cmath>

#include "src/base/check.h"

namespace ferry::ship {

int ShardOf(wal::SeriesRef ref, int shards) {
  FERRY_CHECK(shards > 0);
  uint64_t z = ref + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<int>(z % static_cast<uint64_t>(shards));
}

int DesiredShards(const ShardingInputs& in) {
  constexpr double kTolerance = 0.3;
  int clamp_current = std::clamp(in.current, in.min_shards, in.max_shards);
  if (in.samples_out_rate <= 0 || in.send_seconds_per_second <= 0) return clamp_current;
  double kept_ratio = 1.0;
  if (in.samples_out_rate + in.samples_dropped_rate > 0) {
    kept_ratio = in.samples_out_rate / (in.samples_out_rate + in.samples_dropped_rate);
  }
  double time_per_sample = in.send_seconds_per_second / in.samples_out_rate;
  double needed = in.samples_in_rate * kept_ratio + in.backlog_samples / std::max(in.backlog_catchup_seconds, 0.001);
  double desired = time_per_sample * needed;
  double lower = in.current * (1.0 - kTolerance);
  double upper = in.current * (1.0 + kTolerance);
  if (desired >= lower && desired <= upper) return clamp_current;
  int n = static_cast<int>(std::ceil(std::min(desired, 1e6)));
  return std::clamp(n, in.min_shards, in.max_shards);
}

}  // namespace ferry::ship
