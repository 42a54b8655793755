// The only file besides cli.cc that includes CLI11 (a large header-only
// library): flag and subcommand definitions, bound to plain structs that the
// commands themselves take.
#pragma once

#include <CLI/CLI.hpp>

#include "src/cli/run_command.h"
#include "src/cli/wal_command.h"

namespace ferry::cli {

// Adds the agent's flags to the top-level "app".
void AddRunFlags(CLI::App& app, RunFlags& flags);

// Adds "wal inspect" and "wal dump" under "app"; returns the two commands.
struct WalCommands {
  CLI::App* inspect = nullptr;
  CLI::App* dump = nullptr;
};
WalCommands AddWalCommands(CLI::App& app, WalFlags& flags);

}  // namespace ferry::cli
