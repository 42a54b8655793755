// Byte-level helpers shared by the text and OpenMetrics parsers: character
// classes, Go-compatible float parsing, UTF-8 validation and unescaping.
// Internal to src/parse. Thread-safe (pure functions, constant tables).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ferry::parse::internal {

// Character class bits, looked up in kCharClass.
inline constexpr uint8_t kMetricStart = 1;  // [a-zA-Z_:]
inline constexpr uint8_t kMetricCont = 2;   // [a-zA-Z0-9_:]
inline constexpr uint8_t kLabelStart = 4;   // [a-zA-Z_]
inline constexpr uint8_t kLabelCont = 8;    // [a-zA-Z0-9_]

struct CharClassTable {
  uint8_t v[256];
};
constexpr CharClassTable MakeCharClass() {
  CharClassTable t{};
  for (int c = 0; c < 256; ++c) {
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    bool digit = c >= '0' && c <= '9';
    uint8_t b = 0;
    if (alpha || c == ':') b |= kMetricStart | kMetricCont;
    if (digit) b |= kMetricCont | kLabelCont;
    if (alpha) b |= kLabelStart | kLabelCont;
    t.v[c] = b;
  }
  return t;
}
inline constexpr CharClassTable kCharClass = MakeCharClass();

inline bool Is(char c, uint8_t cls) { return (kCharClass.v[static_cast<uint8_t>(c)] & cls) != 0; }

// Returns the end of the run of "cls" bytes in [p, end).
inline const char* SkipClass(const char* p, const char* end, uint8_t cls) {
  while (p < end && Is(*p, cls)) ++p;
  return p;
}

// Result of ParseGoFloat.
enum class FloatError : uint8_t { kOk, kSyntax, kUnsupportedChar, kRange };

// Parses "s" exactly as Prometheus' parseFloat (Go strconv.ParseFloat with
// 'p', 'P' and '_' refused): decimal mantissa with optional sign, fraction and
// exponent; "inf"/"infinity" with optional sign and "nan", in any case.
// Overflow is kRange; underflow gives a signed zero. NaN is not normalised.
FloatError ParseGoFloat(std::string_view s, double* out);
// "invalid syntax", "unsupported character in float", "value out of range".
std::string_view FloatErrorText(FloatError e);

// Parses a non-negative decimal int64 made only of digits ([0-9]+).
// Returns false on overflow or a non-digit.
bool ParseDigitsInt64(std::string_view s, int64_t* out);

// True when "s" is valid UTF-8 (as Go's utf8.Valid: no surrogates, no
// overlong forms, nothing above U+10FFFF).
bool ValidUtf8(std::string_view s);

// Undoes \\, \" and \n in "s" into "*out" (appending); any other backslash
// sequence is kept as written, as Prometheus' replacer does. With
// "quote_escape" false only \\ and \n are undone (text-format HELP).
void Unescape(std::string_view s, bool quote_escape, std::string* out);

// Formats "f" as Prometheus' formatOpenMetricsFloat: "1.0", "0.0", "-1.0",
// "NaN", "+Inf", "-Inf", otherwise Go's shortest 'g' format with ".0"
// appended when it has neither '.' nor an exponent.
std::string FormatOpenMetricsFloat(double f);

// Appends "s" Go-%q style (printable ASCII kept, the rest escaped), cut to
// "max" input bytes with "..." appended when longer.
void AppendQuotedSnippet(std::string_view s, size_t max, std::string* out);

}  // namespace ferry::parse::internal

namespace ferry::parse::internal {

// Scans a quoted label value whose opening quote is at body[open]. On
// success returns true and sets "*close" to the offset of the closing quote.
// Backslash escapes are skipped (the escaped byte is never the closing
// quote). On failure returns false and sets "*close" to the offending offset:
// body.size() when the input ends first, or the offset of a raw '\n' when
// "newline_ok" is false (OpenMetrics) - the text format allows raw newlines
// inside label values, as Prometheus' lexer does.
// "*non_ascii" is set when a byte >= 0x80 was seen, so that callers run the
// UTF-8 check only on values that need it.
inline bool ScanQuoted(std::string_view body, size_t open, bool newline_ok, size_t* close,
                       bool* non_ascii) {
  const char* b = body.data();
  const size_t n = body.size();
  size_t p = open + 1;
  unsigned char seen = 0;
  while (p < n) {
    char c = b[p];
    seen |= static_cast<unsigned char>(c);
    if (c == '"') {
      *close = p;
      *non_ascii = (seen & 0x80) != 0;
      return true;
    }
    if (c == '\\') {
      if (p + 1 >= n) break;
      seen |= static_cast<unsigned char>(b[p + 1]);
      if (!newline_ok && b[p + 1] == '\n') {
        *close = p + 1;
        return false;
      }
      p += 2;
      continue;
    }
    if (c == '\n' && !newline_ok) {
      *close = p;
      return false;
    }
    ++p;
  }
  *close = n;
  return false;
}

}  // namespace ferry::parse::internal
