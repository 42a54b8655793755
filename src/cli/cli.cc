#include "src/cli/cli.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <map>
#include <string>

#include "src/agent/version.h"
#include "src/cli/check_command.h"
#include "src/cli/cli_flags.h"
#include "src/cli/replay_command.h"
#include "src/cli/run_command.h"
#include "src/cli/wal_command.h"

namespace ferry::cli {

int Main(int argc, char** argv) {
  CLI::App app{
      "ferry: a durable store-and-forward Prometheus agent.\n"
      "Without a subcommand it runs the agent, accepting the command line of\n"
      "`prometheus --enable-feature=agent`."};
  app.name("ferry");
  app.allow_extras();  // so Prometheus-only flags get a precise refusal below
  app.require_subcommand(0, 1);
  app.set_version_flag("--version", std::string("ferry, version ") + std::string(agent::kVersion) +
                                        " (revision: " + std::string(agent::kRevision) + ")");
  RunFlags run;
  AddRunFlags(app, run);

  auto* check = app.add_subcommand("check", "Check the resources for validity.");
  check->require_subcommand(1);
  std::vector<std::string> config_files;
  auto* check_config = check->add_subcommand("config", "Check if the config files are valid.");
  check_config->add_option("config-files", config_files, "The config files to check.")
      ->required();

  WalFlags wal_flags;
  WalCommands wal = AddWalCommands(app, wal_flags);

  // `ferry replay` (docs/replay.md).
  ReplayFlags rf;
  auto* rp = app.add_subcommand("replay", "Re-send a retained time range to a remote-write endpoint.");
  rp->require_subcommand(0, 1);
  auto where = [&rf](CLI::App* c) {
    c->add_option("--agent-url", rf.agent_url, "A running agent (its admin API), e.g. http://127.0.0.1:9090.");
    c->add_option("--storage.agent.path", rf.storage_path, "A stopped agent's data directory.");
    c->add_option("--config.file", rf.config_file, "Its configuration, to resolve --remote-write-name.");
  };
  where(rp);
  rp->add_option("--from", rf.from, "Start of the range (RFC 3339, Unix seconds, now, -6h).");
  rp->add_option("--to", rf.to, "End of the range, inclusive.");
  rp->add_option("--match", rf.match, "Series selector, e.g. '{job=\"node\"}'.");
  rp->add_option("--remote-write-name", rf.remote_write_name, "A configured remote_write name.");
  rp->add_option("--url", rf.url, "An ad-hoc remote-write URL.");
  rp->add_option("--bearer-token-file", rf.bearer_token_file, "With --url.");
  rp->add_option("--basic-auth-user", rf.basic_auth_user, "With --url.");
  rp->add_option("--basic-auth-password-file", rf.basic_auth_password_file, "With --url.");
  rp->add_option("--tls-ca-file", rf.tls_ca_file, "With --url.");
  rp->add_option("--tls-cert-file", rf.tls_cert_file, "With --url.");
  rp->add_option("--tls-key-file", rf.tls_key_file, "With --url.");
  rp->add_option("--tls-server-name", rf.tls_server_name, "With --url.");
  rp->add_flag("--tls-insecure-skip-verify", rf.tls_insecure_skip_verify, "With --url.");
  rp->add_option("--rate", rf.rate, "Samples per second (0: unlimited).");
  rp->add_option("--protocol", rf.protocol, "Remote write 1 or 2 (default: the endpoint's; 1 for --url).");
  rp->add_option("--skew", rf.skew, "How far sample times may lie from append times (default 5m).");
  rp->add_option("--shards", rf.shards, "Parallel senders (default 4).");
  rp->add_flag("--dry-run", rf.dry_run, "Count the series and samples that would be sent.");
  rp->add_flag("--detach", rf.detach, "With --agent-url: submit, print the ID and return.");
  std::map<std::string, CLI::App*> replay_actions;
  for (auto [a, help] : {std::pair{"list", "List replay jobs."},
                         std::pair{"status", "Show one replay job."},
                         std::pair{"pause", "Pause a replay job (resume continues it)."},
                         std::pair{"resume", "Resume a paused or interrupted job (offline: in the foreground)."},
                         std::pair{"cancel", "Cancel a replay job."}}) {
    auto* c = rp->add_subcommand(a, help);
    where(c);
    if (std::string(a) != "list") c->add_option("id", rf.id, "The job ID.")->required();
    if (std::string(a) == "resume") c->add_flag("--detach", rf.detach, "Do not follow progress.");
    replay_actions[a] = c;
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (*check_config) return CheckConfig(config_files);
  if (*wal.inspect) return RunWalInspect(wal_flags);
  if (*wal.dump) return RunWalDump(wal_flags);
  for (const auto& [action, c] : replay_actions) {
    if (*c) return RunReplayControl(rf, action);
  }
  if (*rp) return RunReplay(rf);
  if (int code = CheckUnsupportedArgs(app.remaining()); code != 0) return code;
  return RunAgent(run);
}

}  // namespace ferry::cli
