#include "src/cli/cli_flags.h"

namespace ferry::cli {

void AddRunFlags(CLI::App& app, RunFlags& f) {
  app.add_option("--config.file", f.config_file, "Prometheus configuration file path.")
      ->capture_default_str();
  app.add_option("--storage.agent.path", f.storage_path, "Base path for the WAL (RocksDB).")
      ->capture_default_str();
  app.add_option("--web.listen-address", f.listen_address,
                 "Address to listen on for the web interface and API.")
      ->capture_default_str();
  app.add_flag("--web.enable-lifecycle,!--no-web.enable-lifecycle", f.enable_lifecycle,
               "Enable shutdown and reload via HTTP request.");
  app.add_flag("--web.enable-admin-api,!--no-web.enable-admin-api", f.enable_admin_api,
               "Enable API endpoints for admin control actions (replay).");
  app.add_option("--log.level", f.log_level, "Only log messages with the given severity or above. "
                 "One of: [debug, info, warn, error]")->capture_default_str();
  app.add_option("--log.format", f.log_format, "Output format of log messages. One of: [logfmt, json]")
      ->capture_default_str();
  app.add_option("--enable-feature", f.features,
                 "Comma-separated feature names. 'agent' is accepted (ferry is always an agent).")
      ->delimiter(',');
  app.add_option("--storage.agent.retention.max-time", f.retention_max_time,
                 "Maximum age of unshipped samples kept in the WAL. 0s: no limit (only --wal.max-size).")
      ->capture_default_str();
  app.add_option("--storage.agent.retention.keep-shipped", f.keep_shipped,
                 "How long already-shipped samples stay in the WAL for replay on demand.")
      ->capture_default_str();
  app.add_option("--wal.max-size", f.wal_max_size,
                 "Cap on the WAL's size on disk (e.g. 20GB). 0: half of the volume.")
      ->capture_default_str();
  app.add_option("--wal.fsync", f.wal_fsync, "WAL durability: always, interval or never.")
      ->capture_default_str();
  app.add_option("--wal.fsync-interval", f.wal_fsync_interval,
                 "With --wal.fsync=interval: the longest a committed append waits for fdatasync.")
      ->capture_default_str();
  app.add_option("--storage.remote.flush-deadline", f.flush_deadline,
                 "How long to wait flushing samples on shutdown or config reload.")
      ->capture_default_str();
  app.add_flag("--storage.agent.wal-compression,!--no-storage.agent.wal-compression",
               f.wal_compression,
               "Compress the WAL's samples on disk (Snappy, ZSTD once compacted): fewer bytes, "
               "more CPU. Off by default, as in Prometheus 2.42.");
  // Accepted for compatibility with Prometheus agent command lines.
  app.add_option("--storage.agent.wal-segment-size", f.compat_wal_segment_size,
                 "Accepted for compatibility; ferry's WAL has no segments.");
  app.add_option("--storage.agent.wal-truncate-frequency", f.compat_truncate_frequency,
                 "Accepted for compatibility; ferry truncates by cursor and retention.");
  app.add_option("--storage.agent.retention.min-time", f.compat_retention_min_time,
                 "Accepted for compatibility; ferry never drops unshipped samples by age unless "
                 "--storage.agent.retention.max-time says so.");
  app.add_flag("--storage.agent.no-lockfile", f.compat_no_lockfile,
               "Accepted for compatibility; ferry always locks its data directory.");
}

WalCommands AddWalCommands(CLI::App& app, WalFlags& f) {
  auto* wal = app.add_subcommand("wal", "Inspect the write-ahead log.");
  wal->require_subcommand(1);
  WalCommands c;
  c.inspect = wal->add_subcommand("inspect", "Show the WAL's size, series, records, time range and cursors.");
  c.inspect->add_option("--storage.agent.path", f.storage_path, "The agent's data directory.")
      ->capture_default_str();
  c.inspect->add_flag("--json", f.json, "Print JSON instead of text.");
  c.dump = wal->add_subcommand("dump", "Print series and samples.");
  c.dump->add_option("--storage.agent.path", f.storage_path, "The agent's data directory.")
      ->capture_default_str();
  c.dump->add_option("--from", f.from, "Start time (RFC 3339, Unix seconds, now, -6h). Default: oldest.");
  c.dump->add_option("--to", f.to, "End time, inclusive. Default: now.");
  c.dump->add_option("--match", f.match, "Series selector, e.g. '{job=\"node\"}'.");
  c.dump->add_option("--format", f.format, "text (exposition lines with timestamps) or json (JSON lines).")
      ->capture_default_str();
  return c;
}

}  // namespace ferry::cli
