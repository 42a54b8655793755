// The OpenMetrics 1.0 text parser, after Prometheus'
// model/textparse/openmetricsparse.go and openmetricslex.l:
// - exactly one space separates tokens; no blank lines, no tabs, no blanks
//   inside braces; every line ends in '\n';
// - only "# HELP", "# TYPE", "# UNIT" and "# EOF" comments exist; the body
//   must end with "# EOF" (optionally followed by one '\n') and nothing after;
// - timestamps are seconds (Go floats) turned into milliseconds by
//   int64(ts * 1000), NaN and infinities refused;
// - a sample may carry an exemplar: ` # {labels} value [timestamp]`;
// - label values may not contain a raw newline; after each label comes ','
//   or '}', and a trailing comma is allowed;
// - names may be quoted UTF-8 strings, as in the text parser.
#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

#include "src/parse/internal/scan.h"
#include "src/parse/parser.h"

namespace ferry::parse {
namespace {

using internal::Is;
using internal::kLabelCont;
using internal::kLabelStart;
using internal::kMetricCont;
using internal::kMetricStart;

constexpr std::string_view kNoEof = "data does not end with # EOF";

class OpenMetricsParser final : public Parser {
 public:
  explicit OpenMetricsParser(std::string_view body) : Parser(body, Format::kOpenMetrics) {}
  Result<Entry> Next() override;
  std::optional<int64_t> CreatedTimestamp() override;

 private:
  bool At(size_t p, std::string_view s) const { return body_.substr(p, s.size()) == s; }
  // End of the token that starts at "p": the first ' ' or '\n' at or after it.
  size_t TokenEnd(size_t p) const {
    while (p < body_.size() && body_[p] != ' ' && body_[p] != '\n' && body_[p] != '\r') ++p;
    return p;
  }
  Result<Entry> ParseHashLine(size_t hash);
  Status ParseSeries(size_t start);
  Status ParseLabels(size_t* p, std::vector<LabelSpan>* out);
  Status ParseExemplar(size_t brace, size_t* end);
  Status ParseTimestamp(size_t begin, size_t end, std::string_view what, int64_t* ms) const;

  // Appends the identity used to pair a series with its _created line:
  // "name" then each label except le (histograms) and quantile (summaries),
  // raw as in the body, in body order.
  void AppendCreatedKey(std::string_view name, std::string* key) const;

  bool eof_ = false;
  size_t family_len_ = 0;  // length of the name on the last HELP/TYPE/UNIT line
  // CreatedTimestamp() cache: the key it was computed for and the result.
  std::string ct_key_;
  std::string ct_scratch_;
  std::optional<int64_t> ct_ms_;
  bool ct_cached_ = false;
  // A peek that met no _created line at all before the family ended at this
  // body offset proves there is none for any series before it either; this
  // keeps a large family without _created lines linear instead of quadratic.
  size_t no_created_before_ = 0;
};

void OpenMetricsParser::AppendCreatedKey(std::string_view name, std::string* key) const {
  key->append(name);
  for (const LabelSpan& l : labels_) {
    std::string_view n = body_.substr(l.name_begin, l.name_end - l.name_begin);
    if ((last_type_ == MetricType::kHistogram && n == "le") ||
        (last_type_ == MetricType::kSummary && n == "quantile")) {
      continue;
    }
    key->push_back('\xff');
    key->append(n);
    key->push_back('\xfe');
    key->append(body_.substr(l.value_begin, l.value_end - l.value_begin));
  }
}

std::optional<int64_t> OpenMetricsParser::CreatedTimestamp() {
  if (last_type_ != MetricType::kCounter && last_type_ != MetricType::kHistogram &&
      last_type_ != MetricType::kSummary) {
    return std::nullopt;
  }
  if (pos_ < no_created_before_) return std::nullopt;
  ct_scratch_.clear();
  AppendCreatedKey(metric_name_.substr(0, std::min(family_len_, metric_name_.size())),
                   &ct_scratch_);
  if (ct_cached_ && ct_scratch_ == ct_key_) return ct_ms_;
  ct_key_.swap(ct_scratch_);
  ct_cached_ = true;
  ct_ms_ = std::nullopt;

  constexpr std::string_view kCreated = "_created";
  OpenMetricsParser peek(body_);
  peek.pos_ = pos_;
  peek.last_type_ = last_type_;
  peek.last_type_family_ = last_type_family_;
  peek.family_len_ = family_len_;
  std::string peeked;
  for (;;) {
    const size_t at = peek.pos_;
    Result<Entry> e = peek.Next();
    // An error or the end of the family: no created timestamp (Prometheus
    // leaves reporting the error to the real Next()).
    if (!e.ok() || *e != Entry::kSeries) {
      no_created_before_ = at;
      return ct_ms_;
    }
    std::string_view name = peek.metric_name_;
    if (name.size() < kCreated.size() || name.substr(name.size() - kCreated.size()) != kCreated) {
      continue;
    }
    peeked.clear();
    peek.AppendCreatedKey(name.substr(0, name.size() - kCreated.size()), &peeked);
    if (peeked != ct_key_) return ct_ms_;  // the _created line of another series
    const double ms = peek.value_ * 1000.0;
    if (ms > -9223372036854775808.0 && ms < 9223372036854775808.0) {
      ct_ms_ = static_cast<int64_t>(ms);
    }
    return ct_ms_;
  }
}

Result<Entry> OpenMetricsParser::Next() {
  has_exemplar_ = false;
  if (eof_) return Entry::kEof;
  const size_t p = pos_;
  if (p >= body_.size()) return ErrorAt(p, kNoEof);
  char c = body_[p];
  if (Is(c, kMetricStart) || c == '{') {
    FERRY_RETURN_IF_ERROR(ParseSeries(p));
    return Entry::kSeries;
  }
  if (c == '#') return ParseHashLine(p);
  if (c == '\n') return ErrorAt(p, "blank lines are not allowed in OpenMetrics");
  return Expected(p, "expected metric name or '# ' at start of line");
}

Result<Entry> OpenMetricsParser::ParseHashLine(size_t hash) {
  const size_t n = body_.size();
  if (!At(hash + 1, " ")) {
    return Expected(hash + 1, "expected ' ' after '#' (OpenMetrics allows only # HELP, # TYPE, "
                              "# UNIT and # EOF)");
  }
  const size_t r = hash + 2;
  if (At(r, "EOF")) {
    size_t q = r + 3;
    if (q < n && body_[q] == '\n') ++q;
    if (q != n) return ErrorAt(q, "unexpected data after # EOF");
    pos_ = n;
    eof_ = true;
    return Entry::kEof;
  }
  Entry entry;
  std::string_view kw;
  if (At(r, "HELP ")) {
    entry = Entry::kHelp;
    kw = "HELP";
  } else if (At(r, "TYPE ")) {
    entry = Entry::kType;
    kw = "TYPE";
  } else if (At(r, "UNIT ")) {
    entry = Entry::kUnit;
    kw = "UNIT";
  } else {
    return ErrorAt(r, "invalid comment: OpenMetrics allows only # HELP, # TYPE, # UNIT and "
                      "# EOF, each followed by one space");
  }
  const size_t s = r + 5;
  size_t e;
  if (s < n && body_[s] == '"') {
    size_t close;
    FERRY_RETURN_IF_ERROR(ScanQuotedName(s, &close));
    e = close + 1;
  } else if (s < n && Is(body_[s], kMetricStart)) {
    e = s;
    while (e < n && Is(body_[e], kMetricCont)) ++e;
  } else {
    return Expected(s, "expected metric name after " + std::string(kw));
  }
  if (e >= n || body_[e] != ' ') {
    return Expected(e, "expected ' ' and text after metric name in " + std::string(kw));
  }
  const void* nl = std::memchr(body_.data() + e + 1, '\n', n - e - 1);
  if (nl == nullptr) return ErrorAt(n, "expected end of line after " + std::string(kw) +
                                           " text; " + std::string(kNoEof));
  const size_t line_end = static_cast<size_t>(static_cast<const char*>(nl) - body_.data());
  pos_ = line_end + 1;
  family_name_ = body_[s] == '"' ? body_.substr(s + 1, e - s - 2) : body_.substr(s, e - s);
  family_len_ = family_name_.size();
  const std::string_view text = body_.substr(e + 1, line_end - e - 1);
  if (entry == Entry::kHelp) {
    if (!internal::ValidUtf8(text)) return ErrorAt(e + 1, "help text is not valid UTF-8");
    if (text.find('\\') != std::string_view::npos) {
      help_scratch_.clear();
      internal::Unescape(text, /*quote_escape=*/true, &help_scratch_);
      help_ = help_scratch_;
    } else {
      help_ = text;
    }
  } else if (entry == Entry::kUnit) {
    const std::string_view m = family_name_;
    if (!text.empty() && (m.size() < text.size() + 1 || m.substr(m.size() - text.size()) != text ||
                          m[m.size() - text.size() - 1] != '_')) {
      std::string what = "unit ";
      internal::AppendQuotedSnippet(text, 64, &what);
      what += " not a suffix of metric ";
      internal::AppendQuotedSnippet(m, 64, &what);
      return ErrorAt(e + 1, what);
    }
    unit_ = text;
  } else {
    static constexpr std::pair<std::string_view, MetricType> kTypes[] = {
        {"counter", MetricType::kCounter},     {"gauge", MetricType::kGauge},
        {"histogram", MetricType::kHistogram}, {"gaugehistogram", MetricType::kGaugeHistogram},
        {"summary", MetricType::kSummary},     {"info", MetricType::kInfo},
        {"stateset", MetricType::kStateset},   {"unknown", MetricType::kUnknown},
    };
    bool found = false;
    for (const auto& [name, t] : kTypes) {
      if (text == name) {
        type_ = last_type_ = t;
        found = true;
        break;
      }
    }
    if (!found) {
      std::string what = "invalid metric type ";
      internal::AppendQuotedSnippet(text, 64, &what);
      what += " (want counter, gauge, histogram, gaugehistogram, summary, info, stateset or "
              "unknown)";
      return ErrorAt(e + 1, what);
    }
    last_type_family_ = family_name_;
  }
  return entry;
}

Status OpenMetricsParser::ParseTimestamp(size_t begin, size_t end, std::string_view what,
                                         int64_t* ms) const {
  double ts;
  internal::FloatError fe = internal::ParseGoFloat(body_.substr(begin, end - begin), &ts);
  if (fe != internal::FloatError::kOk) {
    std::string msg = "invalid " + std::string(what) + " ";
    internal::AppendQuotedSnippet(body_.substr(begin, end - begin), 64, &msg);
    msg += ": ";
    msg += internal::FloatErrorText(fe);
    return ErrorAt(begin, msg);
  }
  const double scaled = ts * 1000;
  // NaN fails both comparisons; +-Inf and anything beyond int64 ms fail one.
  if (!(scaled > -9223372036854775808.0 && scaled < 9223372036854775808.0)) {
    std::string msg = "invalid " + std::string(what) + " ";
    internal::AppendQuotedSnippet(body_.substr(begin, end - begin), 64, &msg);
    msg += ": NaN, infinite or out of range";
    return ErrorAt(begin, msg);
  }
  *ms = static_cast<int64_t>(scaled);  // truncates toward zero, as Go's int64(ts*1000)
  return Status::Ok();
}

Status OpenMetricsParser::ParseSeries(size_t start) {
  const size_t n = body_.size();
  const char* b = body_.data();
  size_t p = start;
  metric_name_ = {};
  labels_.clear();
  if (b[start] != '{') {
    p = internal::SkipClass(b + start, b + n, kMetricCont) - b;
    metric_name_ = body_.substr(start, p - start);
  }
  if (p < n && b[p] == '{') FERRY_RETURN_IF_ERROR(ParseLabels(&p, &labels_));
  if (metric_name_.empty()) return ErrorAt(start, "metric name not set");
  series_ = body_.substr(start, p - start);

  if (p >= n || b[p] != ' ') return Expected(p, "expected ' ' and value after metric");
  size_t v = ++p;
  p = TokenEnd(p);
  if (p == v) return Expected(p, "expected value after metric");
  FERRY_RETURN_IF_ERROR(ParseValue(v, p, &value_));

  has_timestamp_ = false;
  if (p < n && b[p] == ' ' && !At(p, " # {")) {
    size_t t = ++p;
    p = TokenEnd(p);
    if (p == t) return Expected(p, "expected timestamp after value");
    FERRY_RETURN_IF_ERROR(ParseTimestamp(t, p, "timestamp", &timestamp_ms_));
    has_timestamp_ = true;
  }
  if (At(p, " # {")) {
    FERRY_RETURN_IF_ERROR(ParseExemplar(p + 3, &p));
  }
  if (p >= n) return ErrorAt(p, kNoEof);
  if (b[p] != '\n') {
    return Expected(p, has_exemplar_   ? "expected end of line after exemplar"
                       : has_timestamp_ ? "expected end of line or exemplar after timestamp"
                                        : "expected end of line, timestamp or exemplar");
  }
  pos_ = p + 1;

  if (const LabelSpan* dup = FindDuplicateLabel(labels_, /*include_metric_name=*/true)) {
    std::string what = "duplicate label name ";
    internal::AppendQuotedSnippet(
        body_.substr(dup->name_begin, dup->name_end - dup->name_begin), 64, &what);
    return ErrorAt(dup->name_begin, what);
  }
  return Status::Ok();
}

Status OpenMetricsParser::ParseExemplar(size_t brace, size_t* end) {
  const size_t n = body_.size();
  const char* b = body_.data();
  exemplar_labels_.clear();
  size_t p = brace;
  FERRY_RETURN_IF_ERROR(ParseLabels(&p, &exemplar_labels_));
  if (p >= n || b[p] != ' ') return Expected(p, "expected ' ' and value after exemplar labels");
  size_t v = ++p;
  p = TokenEnd(p);
  if (p == v) return Expected(p, "expected exemplar value");
  FERRY_RETURN_IF_ERROR(ParseValue(v, p, &exemplar_value_));
  exemplar_has_ts_ = false;
  if (p < n && b[p] == ' ') {
    size_t t = ++p;
    p = TokenEnd(p);
    if (p == t) return Expected(p, "expected exemplar timestamp");
    FERRY_RETURN_IF_ERROR(ParseTimestamp(t, p, "exemplar timestamp", &exemplar_ts_ms_));
    exemplar_has_ts_ = true;
  }
  if (const LabelSpan* dup = FindDuplicateLabel(exemplar_labels_, false)) {
    return ErrorAt(dup->name_begin, "duplicate label name in exemplar");
  }
  has_exemplar_ = true;
  *end = p;
  return Status::Ok();
}

Status OpenMetricsParser::ParseLabels(size_t* pp, std::vector<LabelSpan>* out) {
  const size_t n = body_.size();
  const char* b = body_.data();
  size_t p = *pp + 1;  // past '{'
  for (;;) {
    if (p >= n) return Expected(p, "expected label name or '}'");
    if (b[p] == '}') {
      *pp = p + 1;
      return Status::Ok();
    }
    LabelSpan l;
    if (b[p] == '"') {
      // A quoted UTF-8 name: the metric name when a ',' or '}' follows
      // (never in an exemplar), else a label name.
      size_t close;
      FERRY_RETURN_IF_ERROR(ScanQuotedName(p, &close));
      size_t q = close + 1;
      if (q < n && (b[q] == ',' || b[q] == '}')) {
        if (out != &labels_) return ErrorAt(p, "expected label name in exemplar, got a bare name");
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
    } else {
      return Expected(p, "expected label name");
    }
    if (p >= n || b[p] != '=') return Expected(p, "expected '=' after label name");
    ++p;
    if (p >= n || b[p] != '"') return Expected(p, "expected label value in double quotes");
    size_t close;
    bool non_ascii;
    if (!internal::ScanQuoted(body_, p, /*newline_ok=*/false, &close, &non_ascii)) {
      if (close < n) return ErrorAt(close, "newline in label value (escape it as \\n)");
      return ErrorAt(p, "unterminated label value");
    }
    l.value_begin = p + 1;
    l.value_end = close;
    if (non_ascii &&
        !internal::ValidUtf8(body_.substr(l.value_begin, l.value_end - l.value_begin))) {
      return ErrorAt(l.value_begin, "invalid UTF-8 in label value");
    }
    out->push_back(l);
    p = close + 1;
    if (p < n && b[p] == ',') {
      ++p;
    } else if (p >= n || b[p] != '}') {
      return Expected(p, "expected ',' or '}' after label value");
    }
  }
}

}  // namespace

std::unique_ptr<Parser> NewOpenMetricsParser(std::string_view body) {
  return std::make_unique<OpenMetricsParser>(body);
}

}  // namespace ferry::parse
