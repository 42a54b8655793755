#include "src/cli/flag_values.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "src/config/duration.h"

namespace ferry::cli {
namespace {

Result<std::chrono::milliseconds> FlagDuration(std::string_view flag, const std::string& v) {
  auto d = config::ParseDuration(v);
  if (!d.ok()) {
    return Status::InvalidArgument("invalid value \"" + v + "\" for flag --" + std::string(flag) +
                                   ": " + d.status().message());
  }
  return *d;
}

}  // namespace

Result<uint64_t> ParseBytes(std::string_view s) {
  std::string str(s);
  if (str.empty()) return Status::InvalidArgument("empty size");
  char* end = nullptr;
  double n = std::strtod(str.c_str(), &end);
  if (end == str.c_str() || n < 0 || !std::isfinite(n)) {
    return Status::InvalidArgument("invalid size \"" + str + "\"");
  }
  std::string unit(end);
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  double mult;
  if (unit.empty() || unit == "B") {
    mult = 1;
  } else {
    static constexpr std::string_view kUnits = "KMGTPE";
    auto pos = kUnits.find(unit[0]);
    bool ok = pos != std::string_view::npos && (unit.size() == 2 ? unit[1] == 'B'
                                                : unit.size() == 3 && unit[1] == 'I' && unit[2] == 'B');
    if (!ok) {
      return Status::InvalidArgument("invalid size \"" + str +
                                     "\": unit must be one of B, KB, MB, GB, TB, PB, EB (powers of 1024)");
    }
    mult = std::pow(1024.0, static_cast<double>(pos + 1));
  }
  double bytes = n * mult;
  if (bytes >= 1.8e19) return Status::InvalidArgument("size \"" + str + "\" is too large");
  return static_cast<uint64_t>(bytes);
}

Result<RunValues> ParseRunValues(const RunFlags& f) {
  RunValues v;
  FERRY_ASSIGN_OR_RETURN(v.retention_max_time,
                         FlagDuration("storage.agent.retention.max-time", f.retention_max_time));
  FERRY_ASSIGN_OR_RETURN(v.keep_shipped,
                         FlagDuration("storage.agent.retention.keep-shipped", f.keep_shipped));
  FERRY_ASSIGN_OR_RETURN(v.fsync_interval, FlagDuration("wal.fsync-interval", f.wal_fsync_interval));
  FERRY_ASSIGN_OR_RETURN(v.flush_deadline,
                         FlagDuration("storage.remote.flush-deadline", f.flush_deadline));
  auto size = ParseBytes(f.wal_max_size);
  if (!size.ok()) {
    return Status::InvalidArgument("invalid value \"" + f.wal_max_size +
                                   "\" for flag --wal.max-size: " + size.status().message());
  }
  v.wal_max_size = *size;
  if (f.wal_fsync == "always") {
    v.fsync = FsyncMode::kAlways;
  } else if (f.wal_fsync == "interval") {
    v.fsync = FsyncMode::kInterval;
  } else if (f.wal_fsync == "never") {
    v.fsync = FsyncMode::kNever;
  } else {
    return Status::InvalidArgument("invalid value \"" + f.wal_fsync +
                                   "\" for flag --wal.fsync: want always, interval or never");
  }
  if (v.fsync == FsyncMode::kInterval && v.fsync_interval.count() <= 0) {
    return Status::InvalidArgument("flag --wal.fsync-interval must be > 0 with --wal.fsync=interval");
  }
  return v;
}

std::vector<std::pair<std::string, std::string>> FlagsForStatus(const RunFlags& f) {
  std::string features;
  for (const auto& x : f.features) features += (features.empty() ? "" : ",") + x;
  return {
      {"config.file", f.config_file},
      {"enable-feature", features},
      {"log.format", f.log_format},
      {"log.level", f.log_level},
      {"storage.agent.path", f.storage_path},
      {"storage.agent.retention.keep-shipped", f.keep_shipped},
      {"storage.agent.retention.max-time", f.retention_max_time},
      {"storage.agent.wal-compression", f.wal_compression ? "true" : "false"},
      {"storage.remote.flush-deadline", f.flush_deadline},
      {"wal.fsync", f.wal_fsync},
      {"wal.fsync-interval", f.wal_fsync_interval},
      {"wal.max-size", f.wal_max_size},
      {"web.enable-admin-api", f.enable_admin_api ? "true" : "false"},
      {"web.enable-lifecycle", f.enable_lifecycle ? "true" : "false"},
      {"web.listen-address", f.listen_address},
  };
}

}  // namespace ferry::cli
