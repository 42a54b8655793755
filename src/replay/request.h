// Parsing of the admin API's job request (the body of
// POST /api/v1/admin/replay) and of its time values. Fuzzed by
// fuzz/replay_request_fuzzer.cc.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

#include "src/base/status.h"
#include "src/replay/job.h"

namespace ferry::replay {

// A time: RFC 3339 ("2026-11-25T15:00:00Z", "...+01:00", fractional seconds),
// Unix seconds ("1764082800.5"), "now", or relative to "now_ms" ("-6h",
// "-1h30m", Prometheus durations). Returns Unix ms. kInvalidArgument names
// the accepted forms.
Result<int64_t> ParseTime(std::string_view text, int64_t now_ms);

// Parses a JSON object into a JobSpec and validates it (ValidateSpec).
// "from"/"to" are strings (ParseTime) or numbers (Unix seconds, as in
// Prometheus' HTTP API); "skew" is a duration string. Unknown fields are
// refused (a typo must not silently change what is replayed). Errors are
// kInvalidArgument "<field>: <reason>".
Result<JobSpec> ParseJobRequest(std::string_view body, int64_t now_ms);

}  // namespace ferry::replay
