// RFC 3339 rendering of Unix milliseconds, the one format ferry prints
// timestamps in (logs, API answers, CLI output): "2026-11-25T15:30:00.123Z".
#pragma once

#include <cstdint>
#include <string>

namespace ferry {

// UTC with milliseconds; negative inputs round toward the past.
std::string FormatRfc3339Millis(int64_t unix_ms);

}  // namespace ferry
