// `ferry [flags]`: runs the agent, a drop-in for `prometheus --enable-feature=agent`.
#pragma once

#include <string>
#include <vector>

namespace ferry::cli {

struct RunFlags {
  std::string config_file = "prometheus.yml";
  std::string storage_path = "data-agent/";
  std::string listen_address = "0.0.0.0:9090";
  bool enable_lifecycle = false;
  bool enable_admin_api = false;
  std::string log_level = "info";
  std::string log_format = "logfmt";
  std::vector<std::string> features;
  std::string retention_max_time = "0s";
  std::string keep_shipped = "2h";
  std::string wal_max_size = "0";
  std::string wal_fsync = "interval";
  std::string wal_fsync_interval = "1s";
  std::string flush_deadline = "1m";
  // As Prometheus 2.42 (default off): Snappy SSTs, ZSTD at the bottommost level.
  bool wal_compression = false;
  // Prometheus agent flags accepted for compatibility (see docs/configuration.md).
  std::string compat_wal_segment_size;
  std::string compat_truncate_frequency;
  std::string compat_retention_min_time;
  bool compat_no_lockfile = false;
};

// Refuses Prometheus flags that ferry does not implement, with a message that
// says so, and other unknown arguments. Returns an exit code (0 = fine).
int CheckUnsupportedArgs(const std::vector<std::string>& extras);

// Runs the agent until SIGINT/SIGTERM. Returns the process exit code.
int RunAgent(const RunFlags& flags);

}  // namespace ferry::cli
