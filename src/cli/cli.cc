#include "src/cli/cli.h"

#include <CLI/CLI.hpp>

#include <cstdio>

#include "src/agent/version.h"
#include "src/cli/check_command.h"
#include "src/cli/cli_flags.h"
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

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (*check_config) return CheckConfig(config_files);
  if (*wal.inspect) return RunWalInspect(wal_flags);
  if (*wal.dump) return RunWalDump(wal_flags);
  if (int code = CheckUnsupportedArgs(app.remaining()); code != 0) return code;
  return RunAgent(run);
}

}  // namespace ferry::cli
