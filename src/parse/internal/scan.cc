#include "src/parse/internal/scan.h"

#include <charconv>
#include <cstdint>
#include <cmath>
#include <cstring>
#include <limits>

namespace ferry::parse::internal {
namespace {

char Lower(char c) { return static_cast<char>(c | 0x20); }

bool EqualFoldAscii(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (Lower(s[i]) != lower[i]) return false;
  }
  return true;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool HasUnsupportedChar(std::string_view s) {
  return s.find_first_of("pP_") != std::string_view::npos;
}

// For a syntactically valid decimal mantissa+exponent that from_chars found
// out of range: true when the magnitude is >= 1 (overflow), false when it is
// tiny (underflow).
bool IsOverflow(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  int64_t mag = 0;
  bool found = false;
  int64_t int_digits = 0;
  size_t j = i;
  while (j < s.size() && IsDigit(s[j])) ++j, ++int_digits;
  for (size_t k = i; k < j; ++k) {
    if (s[k] != '0') {
      mag = int_digits - static_cast<int64_t>(k - i) - 1;
      found = true;
      break;
    }
  }
  if (j < s.size() && s[j] == '.') {
    ++j;
    int64_t pos = 0;
    while (j < s.size() && IsDigit(s[j])) {
      if (!found && s[j] != '0') {
        mag = -(pos + 1);
        found = true;
      }
      ++pos;
      ++j;
    }
  }
  int64_t exp = 0;
  if (j < s.size() && (s[j] == 'e' || s[j] == 'E')) {
    ++j;
    bool neg = false;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) neg = s[j++] == '-';
    while (j < s.size() && IsDigit(s[j])) {
      if (exp < 1'000'000'000) exp = exp * 10 + (s[j] - '0');
      ++j;
    }
    if (neg) exp = -exp;
  }
  return mag + exp >= 0;
}

}  // namespace

FloatError ParseGoFloat(std::string_view s, double* out) {
  const size_t n = s.size();
  if (n == 0) return FloatError::kSyntax;
  size_t i = 0;
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    i = 1;
  }
  if (i < n && Lower(s[i]) == 'i') {
    std::string_view rest = s.substr(i);
    if (EqualFoldAscii(rest, "inf") || EqualFoldAscii(rest, "infinity")) {
      *out = neg ? -std::numeric_limits<double>::infinity()
                 : std::numeric_limits<double>::infinity();
      return FloatError::kOk;
    }
    return HasUnsupportedChar(s) ? FloatError::kUnsupportedChar : FloatError::kSyntax;
  }
  if (i == 0 && Lower(s[0]) == 'n') {
    if (EqualFoldAscii(s, "nan")) {
      *out = std::numeric_limits<double>::quiet_NaN();
      return FloatError::kOk;
    }
    return HasUnsupportedChar(s) ? FloatError::kUnsupportedChar : FloatError::kSyntax;
  }
  // Strict decimal grammar: digits [. digits] | . digits, then [eE][+-]digits.
  // On the way, collect the digits as an integer mantissa (while it fits)
  // and the decimal exponent, for the exact fast path below.
  size_t j = i;
  size_t digits = 0;
  uint64_t mant = 0;
  while (j < n && IsDigit(s[j])) mant = mant * 10 + static_cast<uint64_t>(s[j++] - '0'), ++digits;
  int64_t exp10 = 0;
  if (j < n && s[j] == '.') {
    ++j;
    const size_t frac_begin = j;
    while (j < n && IsDigit(s[j])) mant = mant * 10 + static_cast<uint64_t>(s[j++] - '0'), ++digits;
    exp10 = -static_cast<int64_t>(j - frac_begin);
  }
  bool ok = digits > 0;
  if (ok && j < n && (s[j] == 'e' || s[j] == 'E')) {
    ++j;
    bool exp_neg = false;
    if (j < n && (s[j] == '+' || s[j] == '-')) exp_neg = s[j++] == '-';
    size_t exp_digits = 0;
    int64_t e = 0;
    while (j < n && IsDigit(s[j])) {
      if (e < 100'000) e = e * 10 + (s[j] - '0');
      ++j, ++exp_digits;
    }
    ok = exp_digits > 0;
    exp10 += exp_neg ? -e : e;
  }
  if (!ok || j != n) {
    return HasUnsupportedChar(s) ? FloatError::kUnsupportedChar : FloatError::kSyntax;
  }
  // Clinger's exact case (also Go's atof64exact): a mantissa of at most 19
  // digits (so "mant" did not wrap) that is exactly representable (<= 2^53)
  // times or divided by an exactly representable power of ten (<= 1e22) is
  // one correctly rounded IEEE operation, so it equals from_chars' result.
  constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                               1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                               1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  if (digits <= 19 && mant <= (uint64_t{1} << 53) && exp10 >= -22 && exp10 <= 22) {
    double d = static_cast<double>(mant);
    d = exp10 < 0 ? d / kPow10[-exp10] : d * kPow10[exp10];
    *out = neg ? -d : d;
    return FloatError::kOk;
  }
  const char* begin = s.data() + (s[0] == '+' ? 1 : 0);
  double d = 0;
  auto [ptr, ec] = std::from_chars(begin, s.data() + n, d, std::chars_format::general);
  if (ec == std::errc::result_out_of_range) {
    if (IsOverflow(s)) return FloatError::kRange;
    d = neg ? -0.0 : 0.0;
  } else if (ec != std::errc() || ptr != s.data() + n) {
    return FloatError::kSyntax;
  }
  *out = d;
  return FloatError::kOk;
}

std::string_view FloatErrorText(FloatError e) {
  switch (e) {
    case FloatError::kOk: return "ok";
    case FloatError::kSyntax: return "invalid syntax";
    case FloatError::kUnsupportedChar: return "unsupported character in float";
    case FloatError::kRange: return "value out of range";
  }
  return "invalid syntax";
}

bool ParseDigitsInt64(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (!IsDigit(c)) return false;
    if (v > (static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) - (c - '0')) / 10) {
      return false;
    }
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = static_cast<int64_t>(v);
  return true;
}

bool ValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    // ASCII fast path, 8 bytes at a time.
    while (end - p >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      if (w & 0x8080808080808080ull) break;
      p += 8;
    }
    if (p >= end) break;
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      need = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      need = 2;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;  // no UTF-16 surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      need = 3;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
    } else {
      return false;
    }
    if (static_cast<size_t>(end - p) <= need) return false;
    if (p[1] < lo || p[1] > hi) return false;
    for (size_t k = 2; k <= need; ++k) {
      if (p[k] < 0x80 || p[k] > 0xBF) return false;
    }
    p += need + 1;
  }
  return true;
}

void Unescape(std::string_view s, bool quote_escape, std::string* out) {
  out->reserve(out->size() + s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\' && i + 1 < s.size()) {
      char e = s[i + 1];
      if (e == '\\' || e == 'n' || (quote_escape && e == '"')) {
        out->push_back(e == 'n' ? '\n' : e);
        ++i;
        continue;
      }
    }
    out->push_back(c);
  }
}

std::string FormatOpenMetricsFloat(double f) {
  if (f == 1) return "1.0";
  if (f == 0) return "0.0";  // also -0, as Go compares equal
  if (f == -1) return "-1.0";
  if (std::isnan(f)) return "NaN";
  if (std::isinf(f)) return f > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto sci = std::to_chars(buf, buf + sizeof(buf), f, std::chars_format::scientific);
  std::string_view s(buf, static_cast<size_t>(sci.ptr - buf));
  size_t e = s.find('e');
  int exp = 0;
  std::from_chars(s.data() + e + 1 + (s[e + 1] == '+' ? 1 : 0), s.data() + s.size(), exp);
  std::string out;
  if (exp < -4 || exp >= 6) {
    // Go's shortest %g switches to the exponent form here; to_chars uses the
    // same "d.ddde+XX" layout with at least two exponent digits.
    out.assign(s);
  } else {
    auto fix = std::to_chars(buf, buf + sizeof(buf), f, std::chars_format::fixed);
    out.assign(buf, static_cast<size_t>(fix.ptr - buf));
  }
  if (out.find_first_of(".e") == std::string::npos) out += ".0";
  return out;
}

void AppendQuotedSnippet(std::string_view s, size_t max, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  bool cut = s.size() > max;
  if (cut) s = s.substr(0, max);
  out->push_back('"');
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '\n': *out += "\\n"; break;
      case '\t': *out += "\\t"; break;
      case '\r': *out += "\\r"; break;
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out->push_back(ch);
        } else {
          *out += "\\x";
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 15]);
        }
    }
  }
  out->push_back('"');
  if (cut) *out += "...";
}

}  // namespace ferry::parse::internal
