// Parsing of time arguments on ferry's command line and admin API
// (--from, --to): RFC 3339 ("2026-11-25T15:00:00Z", "...+01:00", fractional
// seconds allowed), Unix seconds ("1764082800", "1764082800.5"), "now", and
// times relative to now ("-6h", "-1h30m", "-2d"; Prometheus durations).
// The grammar is replay::ParseTime's, so flags and the admin API's JSON
// accept exactly the same times.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "src/base/status.h"

namespace ferry::cli {

// Returns milliseconds since the epoch. "now_ms" anchors "now" and relative
// times. Errors name the argument and the accepted forms.
Result<int64_t> ParseTimeArg(std::string_view s, int64_t now_ms);

// "2026-11-25T15:00:00.123Z".
std::string FormatTimeMs(int64_t ms);

}  // namespace ferry::cli
