// Small text helpers shared by the discovery module. Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace ferry::discovery::internal {

// True if "s" is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Go's %q-style quoting: "a\"b".
std::string Quote(std::string_view s);

// "line:col" (both 1-based) of byte "offset" in "doc".
std::string LineCol(std::string_view doc, size_t offset);

// Seconds as Go's strconv.FormatFloat(d.Seconds(), 'f', -1, 64) prints them:
// 60000 ms -> "60", 1500 ms -> "1.5".
std::string FormatSeconds(int64_t millis);

}  // namespace ferry::discovery::internal
