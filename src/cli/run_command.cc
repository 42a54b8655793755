#include "src/cli/run_command.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "src/agent/agent.h"
#include "src/agent/signals.h"
#include "src/agent/version.h"
#include "src/base/log.h"
#include "src/cli/flag_values.h"

namespace ferry::cli {
namespace {
constexpr std::string_view kComponent = "main";

// Feature flags Prometheus knows; ferry accepts "agent" and warns about the rest.
bool IsKnownFeature(std::string_view f) { return f == "agent"; }

struct Unsupported {
  std::string_view prefix;  // flag name or prefix (ending in '.')
  std::string_view why;
};

// Prometheus flags that make no sense for, or are not implemented by, ferry.
// Refused rather than ignored: silently ignoring e.g. --web.config.file would
// serve without the TLS/auth the operator asked for.
constexpr Unsupported kUnsupported[] = {
    {"--storage.tsdb.", "ferry is an agent: it has no TSDB (use --storage.agent.* flags)"},
    {"--query.", "ferry is an agent: it does not evaluate queries"},
    {"--rules.", "ferry is an agent: it does not evaluate rules"},
    {"--alertmanager.", "ferry is an agent: it does not send alerts"},
    {"--storage.remote.read-", "ferry is an agent: it does not serve remote read"},
    {"--web.enable-remote-write-receiver", "ferry is an agent: it does not receive remote writes"},
    {"--web.config.file", "not supported yet: serve ferry behind a TLS/auth proxy for now"},
    {"--web.route-prefix", "not supported yet"},
    {"--web.external-url", "not supported yet"},
    {"--web.console.", "ferry has no console UI"},
    {"--web.user-assets", "ferry has no web UI"},
    {"--web.page-title", "ferry has no web UI"},
    {"--web.cors.origin", "not supported yet"},
    {"--web.max-connections", "not supported yet"},
    {"--web.read-timeout", "not supported yet"},
    {"--scrape.", "not supported yet"},
};

}  // namespace

int CheckUnsupportedArgs(const std::vector<std::string>& extras) {
  if (extras.empty()) return 0;
  for (const std::string& arg : extras) {
    std::string name = arg.substr(0, arg.find('='));
    for (const Unsupported& u : kUnsupported) {
      bool match = u.prefix.back() == '.' || u.prefix.back() == '-'
                       ? name.rfind(u.prefix, 0) == 0
                       : name == u.prefix;
      if (match) {
        std::fprintf(stderr, "ferry: flag %s is not supported: %s\n", name.c_str(),
                     std::string(u.why).c_str());
        return 2;
      }
    }
  }
  std::string joined;
  for (const auto& a : extras) joined += (joined.empty() ? "" : " ") + a;
  std::fprintf(stderr, "ferry: unknown argument(s): %s (see ferry --help)\n", joined.c_str());
  return 2;
}

int RunAgent(const RunFlags& f) {
  auto level = log::ParseLevel(f.log_level);
  auto format = log::ParseFormat(f.log_format);
  if (!level.ok() || !format.ok()) {
    std::fprintf(stderr, "ferry: %s\n",
                 (!level.ok() ? level.status() : format.status()).message().c_str());
    return 2;
  }
  log::Init(*level, *format);
  for (const std::string& feature : f.features) {
    if (!IsKnownFeature(feature)) {
      log::Warn(kComponent, "unknown option for --enable-feature", {{"option", feature}});
    }
  }
  if (!f.compat_wal_segment_size.empty() || !f.compat_truncate_frequency.empty() ||
      !f.compat_retention_min_time.empty() || f.compat_no_lockfile) {
    log::Info(kComponent,
              "prometheus agent WAL tuning flags were given; ferry accepts and ignores them "
              "(see docs/configuration.md)");
  }

  auto parsed = ParseRunValues(f);
  if (!parsed.ok()) {
    std::fprintf(stderr, "ferry: %s\n", parsed.status().message().c_str());
    return 2;
  }

  agent::BlockAgentSignals();
  agent::AgentOptions opts;
  opts.config_file = f.config_file;
  opts.storage_path = f.storage_path;
  opts.listen_address = f.listen_address;
  opts.enable_lifecycle = f.enable_lifecycle;
  opts.enable_admin_api = f.enable_admin_api;
  opts.flags = FlagsForStatus(f);
  const RunValues& v = *parsed;
  opts.durability = v.fsync == FsyncMode::kAlways   ? wal::Durability::kAlways
                    : v.fsync == FsyncMode::kNever ? wal::Durability::kNever
                                                   : wal::Durability::kInterval;
  opts.sync_interval = v.fsync_interval;
  opts.retention_max_time = v.retention_max_time;
  opts.keep_shipped = v.keep_shipped;
  opts.wal_max_size = v.wal_max_size;
  opts.wal_compression = f.wal_compression ? wal::Compression::kSnappyZstdBottommost
                                           : wal::Compression::kNone;
  opts.flush_deadline = v.flush_deadline;
  opts.on_quit = [] { kill(getpid(), SIGTERM); };

  log::Info(kComponent, "starting ferry", {{"version", std::string(agent::kVersion)},
                                            {"revision", std::string(agent::kRevision)}});
  auto started = agent::Agent::Start(std::move(opts));
  if (!started.ok()) {
    log::Error(kComponent, "error starting agent", {{"err", started.status().message()}});
    return 1;
  }
  std::unique_ptr<agent::Agent> agent = std::move(started).value();
  int sig = agent::WaitForTermination([&agent] { agent->Reload().IgnoreError();  // logged, counted
  });
  log::Warn(kComponent, "received termination signal, exiting gracefully",
            {{"signal", sig == SIGINT ? "interrupt" : "terminated"}});
  agent.reset();
  log::Info(kComponent, "see you next time!");
  return 0;
}

}  // namespace ferry::cli
