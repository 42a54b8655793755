// Prometheus duration strings ("1m30s", "1d", "100ms") and byte sizes
// ("512MB"), parsed and printed exactly like Prometheus' model.Duration and
// the alecthomas/units Base2Bytes used for body_size_limit.
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "src/base/status.h"

namespace ferry::config {

// Parses "[Ny][Nw][Nd][Nh][Nm][Ns][Nms]" with units in that order, each at
// most once, or the bare "0". y = 365d, w = 7d. Like Go, the total must fit in
// a signed 64-bit nanosecond count (about 292 years).
// Errors (kInvalidArgument), with Prometheus' wording:
//   empty duration string / not a valid duration string: "..." /
//   unknown unit "x" in duration "..." / duration out of range
Result<std::chrono::milliseconds> ParseDuration(std::string_view s);

// Inverse of ParseDuration in Prometheus' canonical form: "0s" for zero,
// years and weeks only when exact ("1y", "2w", but "90d" not "12w6d"),
// e.g. 90000ms -> "1m30s". Negative inputs are printed as "-" + |d|.
std::string FormatDuration(std::chrono::milliseconds d);

// Parses a byte size with base-2 units as alecthomas/units.ParseBase2Bytes:
// "0", or one or more <number><unit> with unit in B, KB/KiB, MB/MiB, GB/GiB,
// TB/TiB, PB/PiB, EB/EiB (all powers of 1024), e.g. "512MB", "1.5GiB".
Result<int64_t> ParseBase2Bytes(std::string_view s);

// Prints like Base2Bytes.String(): "0B", "512MiB", "1GiB512MiB".
std::string FormatBase2Bytes(int64_t bytes);

}  // namespace ferry::config
