#include "src/cli/time_arg.h"

#include "src/base/time_format.h"
#include "src/replay/request.h"

namespace ferry::cli {

// One time grammar for the command line and the admin API: the admin API's
// parser (fuzzed with the request body).
Result<int64_t> ParseTimeArg(std::string_view s, int64_t now_ms) {
  return replay::ParseTime(s, now_ms);
}

std::string FormatTimeMs(int64_t ms) { return FormatRfc3339Millis(ms); }

}  // namespace ferry::cli
