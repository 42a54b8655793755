#include "src/cli/time_arg.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <string>

#include "src/base/time_format.h"
#include "src/config/duration.h"

namespace ferry::cli {
namespace {

Status Bad(std::string_view s) {
  return Status::InvalidArgument(
      "invalid time \"" + std::string(s) +
      "\": want RFC 3339 (2026-11-25T15:00:00Z), Unix seconds, \"now\" or a relative time like -6h");
}

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

Result<int64_t> ParseRfc3339(std::string_view s) {
  int Y, M, D, h, m, sec, n = 0;
  std::string str(s);
  if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &Y, &M, &D, &h, &m, &sec, &n) != 6 ||
      n != 19) {
    return Bad(s);
  }
  if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60) return Bad(s);
  std::string_view rest = s.substr(19);
  int64_t frac_ms = 0;
  if (!rest.empty() && rest[0] == '.') {
    size_t i = 1;
    int64_t scale = 100;
    while (i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i]))) {
      frac_ms += (rest[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == 1) return Bad(s);
    rest.remove_prefix(i);
  }
  int64_t offset_s = 0;
  if (rest == "Z" || rest == "z") {
    offset_s = 0;
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    int oh = (rest[1] - '0') * 10 + (rest[2] - '0');
    int om = (rest[4] - '0') * 10 + (rest[5] - '0');
    offset_s = (oh * 3600 + om * 60) * (rest[0] == '-' ? -1 : 1);
  } else {
    return Bad(s);
  }
  int64_t days = DaysFromCivil(Y, M, D);
  int64_t secs = days * 86400 + h * 3600 + m * 60 + sec - offset_s;
  return secs * 1000 + frac_ms;
}

}  // namespace

Result<int64_t> ParseTimeArg(std::string_view s, int64_t now_ms) {
  if (s.empty()) return Bad(s);
  if (s == "now") return now_ms;
  if (s[0] == '-' || s[0] == '+') {
    auto d = config::ParseDuration(s.substr(1));
    if (!d.ok()) return Bad(s);
    return s[0] == '-' ? now_ms - d->count() : now_ms + d->count();
  }
  if (s.find('T') != std::string_view::npos) return ParseRfc3339(s);
  std::string str(s);
  char* end = nullptr;
  double secs = std::strtod(str.c_str(), &end);
  if (end != str.c_str() + str.size() || !std::isfinite(secs)) return Bad(s);
  return static_cast<int64_t>(std::llround(secs * 1000));
}

std::string FormatTimeMs(int64_t ms) { return FormatRfc3339Millis(ms); }

}  // namespace ferry::cli
