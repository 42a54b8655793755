// Typed values of the agent's flags, parsed and validated once.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/base/status.h"
#include "src/cli/run_command.h"

namespace ferry::cli {

enum class FsyncMode { kAlways, kInterval, kNever };

struct RunValues {
  std::chrono::milliseconds retention_max_time{0};
  std::chrono::milliseconds keep_shipped{0};
  uint64_t wal_max_size = 0;  // 0: derive from the volume
  FsyncMode fsync = FsyncMode::kInterval;
  std::chrono::milliseconds fsync_interval{1000};
  std::chrono::milliseconds flush_deadline{60000};
};

// Parses the duration, size and enum flags; errors name the flag.
Result<RunValues> ParseRunValues(const RunFlags& flags);

// Parses a byte size the way Prometheus' --storage.tsdb.retention.size does
// (alecthomas/units Base2Bytes): "512MB", "20GB", "1.5TB", "1024", "10KiB".
// Units are powers of 1024.
Result<uint64_t> ParseBytes(std::string_view s);

// Every flag with its effective value, keyed without the leading "--", as
// Prometheus' /api/v1/status/flags shows them.
std::vector<std::pair<std::string, std::string>> FlagsForStatus(const RunFlags& flags);

}  // namespace ferry::cli
