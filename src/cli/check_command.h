// `ferry check config FILE...`: validates configuration files like
// `promtool check config`, with the same exit codes (0 valid, 1 invalid).
#pragma once

#include <string>
#include <vector>

namespace ferry::cli {

// Checks each file; prints "Checking F" then " SUCCESS: ..." or
// "  FAILED: F:LINE:COL: message" on stderr. Returns 0 if all are valid, else 1.
int CheckConfig(const std::vector<std::string>& files);

}  // namespace ferry::cli
