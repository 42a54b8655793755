#include "src/config/duration.h"

#include <array>
#include <cmath>
#include <limits>

#include "src/labels/labels.h"

namespace ferry::config {
namespace {

constexpr int64_t kMsPerSecond = 1000;
constexpr int64_t kMsPerMinute = 60 * kMsPerSecond;
constexpr int64_t kMsPerHour = 60 * kMsPerMinute;
constexpr int64_t kMsPerDay = 24 * kMsPerHour;
constexpr int64_t kMsPerWeek = 7 * kMsPerDay;
constexpr int64_t kMsPerYear = 365 * kMsPerDay;

struct Unit {
  std::string_view name;
  int64_t ms;
};
// Order matters: units must appear from biggest to smallest.
constexpr std::array<Unit, 7> kUnits = {{{"y", kMsPerYear},
                                         {"w", kMsPerWeek},
                                         {"d", kMsPerDay},
                                         {"h", kMsPerHour},
                                         {"m", kMsPerMinute},
                                         {"s", kMsPerSecond},
                                         {"ms", 1}}};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string Quote(std::string_view s) {
  std::string out;
  labels::AppendQuoted(&out, s);
  return out;
}

}  // namespace

Result<std::chrono::milliseconds> ParseDuration(std::string_view s) {
  if (s == "0") return std::chrono::milliseconds(0);
  if (s.empty()) return Status::InvalidArgument("empty duration string");
  const std::string_view orig = s;
  auto invalid = [&] {
    return Status::InvalidArgument("not a valid duration string: " + Quote(orig));
  };
  // Go's time.Duration is int64 nanoseconds; Prometheus refuses anything that
  // does not fit, so the same bound is kept here.
  constexpr uint64_t kMaxNanos = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  uint64_t total_ns = 0;
  int last_unit = -1;
  while (!s.empty()) {
    size_t i = 0;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == 0 || i > 19) return invalid();
    uint64_t v = 0;
    for (size_t k = 0; k < i; ++k) v = v * 10 + static_cast<uint64_t>(s[k] - '0');
    if (i == 19 && v > kMaxNanos) return invalid();
    s.remove_prefix(i);
    size_t j = 0;
    while (j < s.size() && !IsDigit(s[j])) ++j;
    if (j == 0) return invalid();
    const std::string_view unit_name = s.substr(0, j);
    s.remove_prefix(j);
    int unit = -1;
    for (size_t u = 0; u < kUnits.size(); ++u) {
      if (kUnits[u].name == unit_name) unit = static_cast<int>(u);
    }
    if (unit < 0) {
      return Status::InvalidArgument("unknown unit " + Quote(unit_name) + " in duration " +
                                     Quote(orig));
    }
    if (unit <= last_unit) return invalid();
    last_unit = unit;
    const uint64_t mult_ns = static_cast<uint64_t>(kUnits[unit].ms) * 1'000'000;
    if (v > kMaxNanos / mult_ns) return Status::InvalidArgument("duration out of range");
    total_ns += v * mult_ns;
    if (total_ns > kMaxNanos) return Status::InvalidArgument("duration out of range");
  }
  return std::chrono::milliseconds(static_cast<int64_t>(total_ns / 1'000'000));
}

std::string FormatDuration(std::chrono::milliseconds d) {
  int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  uint64_t rest;
  if (ms < 0) {
    out = "-";
    rest = static_cast<uint64_t>(-(ms + 1)) + 1;
  } else {
    rest = static_cast<uint64_t>(ms);
  }
  for (size_t u = 0; u < kUnits.size(); ++u) {
    const uint64_t mult = static_cast<uint64_t>(kUnits[u].ms);
    const bool exact_only = u < 2;  // y and w only when nothing is left over
    if (exact_only && rest % mult != 0) continue;
    const uint64_t v = rest / mult;
    if (v > 0) {
      out += std::to_string(v);
      out += kUnits[u].name;
      rest -= v * mult;
    }
  }
  return out;
}

namespace {

struct ByteUnit {
  std::string_view name;
  int shift;  // power of 1024 times 10
};
constexpr std::array<ByteUnit, 13> kByteUnits = {{{"B", 0},
                                                  {"KB", 10},
                                                  {"KiB", 10},
                                                  {"MB", 20},
                                                  {"MiB", 20},
                                                  {"GB", 30},
                                                  {"GiB", 30},
                                                  {"TB", 40},
                                                  {"TiB", 40},
                                                  {"PB", 50},
                                                  {"PiB", 50},
                                                  {"EB", 60},
                                                  {"EiB", 60}}};

}  // namespace

Result<int64_t> ParseBase2Bytes(std::string_view s) {
  if (s == "0") return int64_t{0};
  const std::string_view orig = s;
  auto invalid = [&](std::string_view why) {
    return Status::InvalidArgument("invalid byte size " + Quote(orig) + ": " + std::string(why));
  };
  if (s.empty()) return invalid("empty");
  long double total = 0;
  while (!s.empty()) {
    size_t i = 0;
    while (i < s.size() && (IsDigit(s[i]) || s[i] == '.')) ++i;
    if (i == 0) return invalid("expected a number");
    const std::string num(s.substr(0, i));
    if (num.find('.') != num.rfind('.') || num == ".") return invalid("bad number " + num);
    s.remove_prefix(i);
    size_t j = 0;
    while (j < s.size() && !IsDigit(s[j]) && s[j] != '.') ++j;
    if (j == 0) return invalid("missing unit (B, KB, MB, GB, TB, PB, EB; powers of 1024)");
    const std::string_view unit_name = s.substr(0, j);
    s.remove_prefix(j);
    int shift = -1;
    for (const ByteUnit& u : kByteUnits) {
      if (u.name == unit_name) shift = u.shift;
    }
    if (shift < 0) return invalid("unknown unit " + Quote(unit_name));
    total += std::stold(num) * std::ldexp(1.0L, shift);
    if (total >= std::ldexp(1.0L, 63)) return invalid("out of range");
  }
  return static_cast<int64_t>(total);
}

std::string FormatBase2Bytes(int64_t bytes) {
  if (bytes == 0) return "0B";
  std::string out;
  uint64_t rest = bytes < 0 ? 0 : static_cast<uint64_t>(bytes);
  static constexpr std::array<std::pair<std::string_view, int>, 7> kOut = {
      {{"EiB", 60}, {"PiB", 50}, {"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}, {"B", 0}}};
  for (const auto& [name, shift] : kOut) {
    const uint64_t v = rest >> shift;
    if (v > 0) {
      out += std::to_string(v);
      out += name;
      rest -= v << shift;
    }
  }
  return out;
}

}  // namespace ferry::config
