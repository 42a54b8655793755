#include "src/ship/backoff.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <ctime>
#include <memory>
#include <random>
#include <string>

#include "src/base/check.h"

namespace ferry::ship {

using std::chrono::milliseconds;

UniformRng DefaultRng() {
  std::random_device rd;
  auto engine = std::make_shared<std::mt19937_64>(rd());
  return [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

Backoff::Backoff(milliseconds min, milliseconds max, UniformRng rng)
    : min_(min), max_(max), base_(min), rng_(std::move(rng)) {
  FERRY_CHECK(min.count() > 0 && min <= max);
}

milliseconds Backoff::Next(std::optional<milliseconds> retry_after) {
  milliseconds wait;
  if (retry_after.has_value()) {
    wait = std::min(*retry_after, max_);
  } else {
    double r = std::clamp(rng_(), 0.0, 1.0);
    double half = static_cast<double>(base_.count()) / 2.0;
    wait = milliseconds(static_cast<int64_t>(half + r * half));
    wait = std::clamp(wait, min_, max_);
  }
  base_ = std::min(base_ * 2, max_);
  return wait;
}

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int MonthIndex(std::string_view m) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (m == kMonths[i]) return static_cast<int>(i);
  }
  return -1;
}

// Reads exactly "digits" decimal digits from the front of "*s".
bool Num(std::string_view* s, int digits, int* out) {
  if (s->size() < static_cast<size_t>(digits)) return false;
  int v = 0;
  for (int i = 0; i < digits; ++i) {
    char c = (*s)[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  s->remove_prefix(digits);
  return true;
}

bool Lit(std::string_view* s, std::string_view lit) {
  if (s->substr(0, lit.size()) != lit) return false;
  s->remove_prefix(lit.size());
  return true;
}

bool Clock(std::string_view* s, std::tm* tm) {
  return Num(s, 2, &tm->tm_hour) && Lit(s, ":") && Num(s, 2, &tm->tm_min) && Lit(s, ":") &&
         Num(s, 2, &tm->tm_sec);
}

bool Month(std::string_view* s, std::tm* tm) {
  if (s->size() < 3) return false;
  tm->tm_mon = MonthIndex(s->substr(0, 3));
  s->remove_prefix(3);
  return tm->tm_mon >= 0;
}

// Skips the day name up to and including "sep".
bool SkipDayName(std::string_view* s, char sep) {
  size_t p = s->find(sep);
  if (p == std::string_view::npos || p < 3) return false;
  for (size_t i = 0; i < p; ++i) {
    if (!std::isalpha(static_cast<unsigned char>((*s)[i]))) return false;
  }
  s->remove_prefix(p + 1);
  return true;
}

std::optional<std::time_t> ParseHttpDate(std::string_view s) {
  std::tm tm{};
  std::string_view in = s;
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
  if (SkipDayName(&in, ',') && Lit(&in, " ")) {
    std::string_view imf = in;
    if (Num(&imf, 2, &tm.tm_mday) && Lit(&imf, " ") && Month(&imf, &tm) && Lit(&imf, " ") &&
        Num(&imf, 4, &tm.tm_year) && Lit(&imf, " ") && Clock(&imf, &tm) && Lit(&imf, " GMT") &&
        imf.empty()) {
      tm.tm_year -= 1900;
      return timegm(&tm);
    }
    // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
    std::string_view rfc = in;
    tm = {};
    int yy = 0;
    if (Num(&rfc, 2, &tm.tm_mday) && Lit(&rfc, "-") && Month(&rfc, &tm) && Lit(&rfc, "-") &&
        Num(&rfc, 2, &yy) && Lit(&rfc, " ") && Clock(&rfc, &tm) && Lit(&rfc, " GMT") &&
        rfc.empty()) {
      tm.tm_year = yy < 70 ? yy + 100 : yy;  // RFC 9110: interpret 2-digit years near now
      return timegm(&tm);
    }
    return std::nullopt;
  }
  // asctime: "Sun Nov  6 08:49:37 1994"
  in = s;
  tm = {};
  if (SkipDayName(&in, ' ') && Month(&in, &tm) && Lit(&in, " ")) {
    if (!in.empty() && in.front() == ' ') {
      in.remove_prefix(1);
      if (!Num(&in, 1, &tm.tm_mday)) return std::nullopt;
    } else if (!Num(&in, 2, &tm.tm_mday)) {
      return std::nullopt;
    }
    if (Lit(&in, " ") && Clock(&in, &tm) && Lit(&in, " ") && Num(&in, 4, &tm.tm_year) &&
        in.empty()) {
      tm.tm_year -= 1900;
      return timegm(&tm);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<milliseconds> ParseRetryAfter(std::string_view value,
                                            std::chrono::system_clock::time_point now) {
  value = Trim(value);
  if (value.empty()) return std::nullopt;
  if (std::isdigit(static_cast<unsigned char>(value.front()))) {
    int64_t secs = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), secs);
    if (ec == std::errc::result_out_of_range && p == value.data() + value.size()) {
      return milliseconds::max();
    }
    if (ec != std::errc() || p != value.data() + value.size()) return std::nullopt;
    if (secs > INT64_MAX / 1000) return milliseconds::max();
    return milliseconds(secs * 1000);
  }
  std::optional<std::time_t> t = ParseHttpDate(value);
  if (!t.has_value()) return std::nullopt;
  // Compare in seconds: system_clock counts nanoseconds and overflows past
  // the year 2262, which an HTTP date can name (found by ship_parse_fuzzer).
  const int64_t now_ms =
      std::chrono::duration_cast<milliseconds>(now.time_since_epoch()).count();
  const int64_t at_s = static_cast<int64_t>(*t);
  if (at_s > INT64_MAX / 1000) return milliseconds::max();
  const int64_t at_ms = at_s * 1000;
  if (at_ms <= now_ms) return milliseconds(0);
  return milliseconds(at_ms - now_ms);
}

}  // namespace ferry::ship
