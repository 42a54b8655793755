#include "src/cli/cli.h"

#include <CLI/CLI.hpp>

namespace ferry::cli {
int Main(int argc, char** argv) {
  CLI::App app{"ferry: durable store-and-forward metrics agent"};
  CLI11_PARSE(app, argc, argv);
  return 0;
}
}  // namespace ferry::cli
