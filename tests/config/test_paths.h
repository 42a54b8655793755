// Where the config tests find their fixtures.
#pragma once

#include <cstdlib>
#include <string>

namespace ferry::config::testing_paths {

// $FERRY_SOURCE_DIR when set, else the source root baked in at build time.
inline std::string SourceRoot() {
  const char* env = std::getenv("FERRY_SOURCE_DIR");
  return env != nullptr && *env != '\0' ? env : FERRY_CONFIG_TEST_SOURCE_DIR;
}

inline std::string TestData() { return SourceRoot() + "/tests/config/testdata"; }

}  // namespace ferry::config::testing_paths
