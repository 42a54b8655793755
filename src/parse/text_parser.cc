// The Prometheus text format 0.0.4 parser, after Prometheus'
// model/textparse/promparse.go and promlex.l:
// - spaces and tabs may separate any two tokens and may lead a line;
//   blank lines are skipped;
// - "# HELP name text" and "# TYPE name type" (one or more blanks after '#'
//   and after the keyword) are metadata; every other '#' line is a comment;
// - the value is any run of bytes up to a blank, '{' or newline, parsed as a
//   Go float; the optional timestamp is decimal digits (milliseconds);
// - label values may contain any byte except an unescaped '"' (even a raw
//   newline), must be valid UTF-8, and a comma after each label is optional;
// - names are legacy identifiers or quoted UTF-8 strings (Prometheus 3); a
//   quoted string followed by ',' or '}' inside the braces is the metric name.
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "src/parse/internal/scan.h"
#include "src/parse/parser.h"

namespace ferry::parse {
namespace {

using internal::Is;
using internal::kLabelCont;
using internal::kLabelStart;
using internal::kMetricCont;
using internal::kMetricStart;

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

class TextParser final : public Parser {
 public:
  explicit TextParser(std::string_view body) : Parser(body, Format::kText) {}
  Result<Entry> Next() override;

 private:
  size_t SkipBlanks(size_t p) const {
    while (p < body_.size() && IsBlank(body_[p])) ++p;
    return p;
  }
  size_t LineEnd(size_t p) const {
    const void* nl = std::memchr(body_.data() + p, '\n', body_.size() - p);
    return nl ? static_cast<size_t>(static_cast<const char*>(nl) - body_.data()) : body_.size();
  }
  Result<Entry> ParseHashLine(size_t hash);
  Status ParseSeries(size_t start);
  Status ParseLabels(size_t* p);
};

Result<Entry> TextParser::Next() {
  const size_t n = body_.size();
  entry_begin_ = pos_;
  for (;;) {
    size_t p = SkipBlanks(pos_);
    if (p >= n) {
      pos_ = n;
      return Entry::kEof;
    }
    char c = body_[p];
    if (c == '\n') {
      pos_ = p + 1;
      continue;
    }
    if (Is(c, kMetricStart) || c == '{') {
      FERRY_RETURN_IF_ERROR(ParseSeries(p));
      return Entry::kSeries;
    }
    if (c == '#') return ParseHashLine(p);
    return Expected(p, "expected metric name, comment or blank line");
  }
}

Result<Entry> TextParser::ParseHashLine(size_t hash) {
  const size_t line_end = LineEnd(hash);
  pos_ = line_end < body_.size() ? line_end + 1 : line_end;
  size_t r = SkipBlanks(hash + 1);
  std::string_view kw = body_.substr(r, 4);
  bool help = kw == "HELP";
  if (r == hash + 1 || !(help || kw == "TYPE") || r + 4 >= line_end || !IsBlank(body_[r + 4])) {
    comment_ = body_.substr(hash, line_end - hash);
    return Entry::kComment;
  }
  size_t s = SkipBlanks(r + 4);
  size_t e;
  if (s < line_end && body_[s] == '"') {
    size_t close;
    FERRY_RETURN_IF_ERROR(ScanQuotedName(s, &close));
    family_name_ = body_.substr(s + 1, close - s - 1);
    e = close + 1;
  } else if (s < line_end && Is(body_[s], kMetricStart)) {
    e = s;
    while (e < line_end && Is(body_[e], kMetricCont)) ++e;
    family_name_ = body_.substr(s, e - s);
  } else {
    return Expected(s, help ? "expected metric name after HELP" : "expected metric name after TYPE");
  }
  std::string_view text;
  if (e < line_end) {
    if (!IsBlank(body_[e])) {
      return Expected(e, help ? "expected blank after metric name in HELP"
                              : "expected blank after metric name in TYPE");
    }
    text = body_.substr(e + 1, line_end - e - 1);
  }
  if (help) {
    if (!internal::ValidUtf8(text)) return ErrorAt(e + 1, "help text is not valid UTF-8");
    if (text.find('\\') != std::string_view::npos) {
      help_scratch_.clear();
      internal::Unescape(text, /*quote_escape=*/false, &help_scratch_);
      help_ = help_scratch_;
    } else {
      help_ = text;
    }
    return Entry::kHelp;
  }
  MetricType t;
  if (text == "counter") {
    t = MetricType::kCounter;
  } else if (text == "gauge") {
    t = MetricType::kGauge;
  } else if (text == "histogram") {
    t = MetricType::kHistogram;
  } else if (text == "summary") {
    t = MetricType::kSummary;
  } else if (text == "untyped") {
    t = MetricType::kUnknown;
  } else {
    std::string what = "invalid metric type ";
    internal::AppendQuotedSnippet(text, 64, &what);
    what += " (want counter, gauge, histogram, summary or untyped)";
    return ErrorAt(e < line_end ? e + 1 : e, what);
  }
  type_ = last_type_ = t;
  last_type_family_ = family_name_;
  return Entry::kType;
}

Status TextParser::ParseSeries(size_t start) {
  const size_t n = body_.size();
  const char* b = body_.data();
  size_t p = start;
  metric_name_ = {};
  labels_.clear();
  if (b[start] != '{') {
    p = internal::SkipClass(b + start, b + n, kMetricCont) - b;
    metric_name_ = body_.substr(start, p - start);
  }
  size_t series_end = p;
  p = SkipBlanks(p);
  if (p < n && b[p] == '{') {
    FERRY_RETURN_IF_ERROR(ParseLabels(&p));
    series_end = p;
    p = SkipBlanks(p);
  }
  if (metric_name_.empty()) return ErrorAt(start, "metric name not set");
  series_ = body_.substr(start, series_end - start);

  size_t v = p;
  value_begin_ = v;
  while (p < n && b[p] != ' ' && b[p] != '\t' && b[p] != '\n' && b[p] != '{' && b[p] != '\r') {
    ++p;
  }
  if (p == v) return Expected(p, "expected value after metric");
  FERRY_RETURN_IF_ERROR(ParseValue(v, p, &value_));

  has_timestamp_ = false;
  p = SkipBlanks(p);
  if (p < n && b[p] != '\n') {
    if (b[p] < '0' || b[p] > '9') return Expected(p, "expected timestamp or end of line after value");
    size_t t = p;
    while (p < n && b[p] >= '0' && b[p] <= '9') ++p;
    if (!internal::ParseDigitsInt64(body_.substr(t, p - t), &timestamp_ms_)) {
      return ErrorAt(t, "timestamp out of range for int64 milliseconds");
    }
    has_timestamp_ = true;
    p = SkipBlanks(p);
    if (p < n && b[p] != '\n') return Expected(p, "expected end of line after timestamp");
  }
  pos_ = p < n ? p + 1 : n;

  if (const LabelSpan* dup = FindDuplicateLabel(labels_, /*include_metric_name=*/true)) {
    std::string what = "duplicate label name ";
    internal::AppendQuotedSnippet(
        body_.substr(dup->name_begin, dup->name_end - dup->name_begin), 64, &what);
    return ErrorAt(dup->name_begin, what);
  }
  return Status::Ok();
}

Status TextParser::ParseLabels(size_t* pp) {
  const size_t n = body_.size();
  const char* b = body_.data();
  size_t p = *pp + 1;  // past '{'
  for (;;) {
    p = SkipBlanks(p);
    if (p >= n) return Expected(p, "expected label name or '}'");
    if (b[p] == '}') {
      *pp = p + 1;
      return Status::Ok();
    }
    LabelSpan l;
    if (b[p] == '"') {
      // A quoted UTF-8 name: the metric name when a ',' or '}' follows,
      // else a label name.
      size_t close;
      FERRY_RETURN_IF_ERROR(ScanQuotedName(p, &close));
      size_t q = SkipBlanks(close + 1);
      if (q < n && (b[q] == ',' || b[q] == '}')) {
        if (!metric_name_.empty()) return ErrorAt(p, "metric name already set");
        metric_name_ = body_.substr(p + 1, close - p - 1);
        p = b[q] == ',' ? q + 1 : q;
        continue;
      }
      l.name_begin = p + 1;
      l.name_end = close;
      p = q;
    } else if (Is(b[p], kLabelStart)) {
      l.name_begin = p;
      p = internal::SkipClass(b + p, b + n, kLabelCont) - b;
      l.name_end = p;
      p = SkipBlanks(p);
    } else {
      return Expected(p, "expected label name");
    }
    if (p >= n || b[p] != '=') return Expected(p, "expected '=' after label name");
    p = SkipBlanks(p + 1);
    if (p >= n || b[p] != '"') return Expected(p, "expected label value in double quotes");
    size_t close;
    bool non_ascii;
    if (!internal::ScanQuoted(body_, p, /*newline_ok=*/true, &close, &non_ascii)) {
      return ErrorAt(p, "unterminated label value");
    }
    l.value_begin = p + 1;
    l.value_end = close;
    if (non_ascii &&
        !internal::ValidUtf8(body_.substr(l.value_begin, l.value_end - l.value_begin))) {
      return ErrorAt(l.value_begin, "invalid UTF-8 in label value");
    }
    labels_.push_back(l);
    p = SkipBlanks(close + 1);
    if (p < n && b[p] == ',') ++p;
  }
}

}  // namespace

// Mirrors the tail of TextParser::ParseSeries; the differential tests in
// tests/scrape (fast vs full path) keep the two in step.
bool ParseTextSampleTail(std::string_view body, size_t pos, SampleTail* out) {
  const size_t n = body.size();
  const char* b = body.data();
  auto value_end = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '{' || c == '\r';
  };
  size_t p = pos;
  // The common value, [-]digits[.digits][e[+-]ddd] of at most 19 digits, fused with
  // finding its end: when the token is exactly that and fits ParseGoFloat's
  // exact case, the result is the one ParseGoFloat gives for the token.
  bool done = false;
  {
    size_t q = p;
    const bool neg = q < n && b[q] == '-';
    q += neg;
    uint64_t mant = 0;
    size_t digits = 0;
    while (q < n && static_cast<unsigned char>(b[q] - '0') < 10) {
      mant = mant * 10 + static_cast<uint64_t>(b[q++] - '0');
      ++digits;
    }
    int exp10 = 0;
    if (q < n && b[q] == '.') {
      ++q;
      while (q < n && static_cast<unsigned char>(b[q] - '0') < 10) {
        mant = mant * 10 + static_cast<uint64_t>(b[q++] - '0');
        ++digits, --exp10;
      }
    }
    bool ok = digits > 0 && digits <= 19;
    if (ok && q < n && (b[q] == 'e' || b[q] == 'E')) {
      // A short exponent ("1.5e+06", Go's %g): at most 3 digits.
      ++q;
      const bool exp_neg = q < n && b[q] == '-';
      if (q < n && (b[q] == '-' || b[q] == '+')) ++q;
      int e = 0;
      size_t exp_digits = 0;
      while (q < n && static_cast<unsigned char>(b[q] - '0') < 10 && exp_digits < 4) {
        e = e * 10 + (b[q++] - '0');
        ++exp_digits;
      }
      ok = exp_digits > 0 && exp_digits < 4;
      exp10 += exp_neg ? -e : e;
    }
    if (ok && mant <= (uint64_t{1} << 53) && exp10 >= -22 && exp10 <= 22 &&
        (q == n || value_end(b[q]))) {
      // Exactly ParseGoFloat's exact case, so the same bits.
      constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
      double d = static_cast<double>(mant);
      d = exp10 < 0 ? d / kPow10[-exp10] : d * kPow10[exp10];
      out->value = neg ? -d : d;
      p = q;
      done = true;
    }
  }
  if (!done) {
    while (p < n && !value_end(b[p])) ++p;
    if (p == pos) return false;
    double v;
    if (internal::ParseGoFloat(body.substr(pos, p - pos), &v) != internal::FloatError::kOk) {
      return false;
    }
    out->value = std::isnan(v) ? std::bit_cast<double>(kNormalNaNBits) : v;
  }
  out->has_timestamp = false;
  while (p < n && IsBlank(b[p])) ++p;
  if (p < n && b[p] != '\n') {
    size_t t = p;
    uint64_t ts = 0;
    while (p < n && static_cast<unsigned char>(b[p] - '0') < 10) {
      ts = ts * 10 + static_cast<uint64_t>(b[p++] - '0');
    }
    if (p == t) return false;
    if (p - t <= 18) {  // < 10^18: no overflow of int64
      out->timestamp_ms = static_cast<int64_t>(ts);
    } else if (!internal::ParseDigitsInt64(body.substr(t, p - t), &out->timestamp_ms)) {
      return false;
    }
    out->has_timestamp = true;
    while (p < n && IsBlank(b[p])) ++p;
    if (p < n && b[p] != '\n') return false;
  }
  out->end = p < n ? p + 1 : n;
  return true;
}

std::unique_ptr<Parser> NewTextParser(std::string_view body) {
  return std::make_unique<TextParser>(body);
}

}  // namespace ferry::parse
