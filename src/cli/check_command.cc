#include "src/cli/check_command.h"

#include <cstdio>

#include "src/config/loader.h"

namespace ferry::cli {

int CheckConfig(const std::vector<std::string>& files) {
  int code = 0;
  for (const std::string& file : files) {
    std::fprintf(stderr, "Checking %s\n", file.c_str());
    auto cfg = config::LoadFile(file);
    if (!cfg.ok()) {
      std::fprintf(stderr, "  FAILED: %s\n\n", cfg.status().message().c_str());
      code = 1;
      continue;
    }
    std::fprintf(stderr, " SUCCESS: %s is valid prometheus config file syntax\n\n", file.c_str());
  }
  return code;
}

}  // namespace ferry::cli
