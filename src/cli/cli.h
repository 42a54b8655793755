// ferry's command line: `ferry [flags]` runs the agent (a drop-in for
// `prometheus --enable-feature=agent`), plus subcommands.
#pragma once

namespace ferry::cli {

// Parses "argv", runs the chosen command, and returns the process exit code.
int Main(int argc, char** argv);

}  // namespace ferry::cli
