// Internal to src/relabel: Go standard-library string functions whose exact
// output relabeling depends on.
//
// Thread-safety: free functions; safe to call concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ferry::relabel::internal {

// Go's strings.ToLower / strings.ToUpper: ASCII strings map byte by byte;
// otherwise every rune goes through Unicode simple case mapping (taken from
// glibc's C.UTF-8 tables) and every invalid UTF-8 byte becomes U+FFFD.
// Replaces "*out".
void GoToLower(std::string_view s, std::string* out);
void GoToUpper(std::string_view s, std::string* out);

// Width in bytes of the rune starting at s[0] as Go's utf8.DecodeRuneInString
// reports it: 0 for empty input, 1 for an invalid or truncated sequence.
int GoRuneWidth(std::string_view s);

// Prometheus' hashmod: the last 8 bytes of MD5("s") read big-endian.
// Returns false when MD5 is unavailable (an OpenSSL FIPS-only configuration).
bool HashModSum(std::string_view s, uint64_t* sum);
bool Md5Available();

}  // namespace ferry::relabel::internal
