#include "src/parse/parser.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "src/parse/internal/scan.h"

namespace ferry::parse {
namespace {

constexpr size_t kSnippetMax = 64;

bool EndsWithAny(std::string_view suffix, std::initializer_list<std::string_view> allowed) {
  return std::find(allowed.begin(), allowed.end(), suffix) != allowed.end();
}

}  // namespace

std::string_view MetricTypeName(MetricType type) {
  switch (type) {
    case MetricType::kUnknown: return "unknown";
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
    case MetricType::kGaugeHistogram: return "gaugehistogram";
    case MetricType::kSummary: return "summary";
    case MetricType::kInfo: return "info";
    case MetricType::kStateset: return "stateset";
  }
  return "unknown";
}

Status Parser::ErrorAt(size_t pos, std::string_view what) const {
  pos = std::min(pos, body_.size());
  std::string_view before = body_.substr(0, pos);
  size_t line = 1 + static_cast<size_t>(std::count(before.begin(), before.end(), '\n'));
  size_t nl = before.rfind('\n');
  size_t line_start = nl == std::string_view::npos ? 0 : nl + 1;
  size_t line_end = body_.find('\n', line_start);
  if (line_end == std::string_view::npos) line_end = body_.size();
  std::string msg = "line " + std::to_string(line) + " col " +
                    std::to_string(pos - line_start + 1) + ": ";
  msg += what;
  msg += " (in line ";
  internal::AppendQuotedSnippet(body_.substr(line_start, line_end - line_start), kSnippetMax,
                                &msg);
  msg += ')';
  return Status::InvalidArgument(std::move(msg));
}

Status Parser::Expected(size_t pos, std::string_view expected) const {
  std::string what(expected);
  if (pos >= body_.size()) {
    what += ", got end of input";
  } else if (body_[pos] == '\r') {
    what += ", got carriage return (CRLF line endings are not allowed)";
  } else {
    what += ", got ";
    internal::AppendQuotedSnippet(body_.substr(pos, 1), 1, &what);
  }
  return ErrorAt(pos, what);
}

const Parser::LabelSpan* Parser::FindDuplicateLabel(const std::vector<LabelSpan>& spans,
                                                    bool include_metric_name) const {
  auto name = [this](const LabelSpan& l) {
    return body_.substr(l.name_begin, l.name_end - l.name_begin);
  };
  if (include_metric_name) {
    for (const LabelSpan& l : spans) {
      if (name(l) == labels::kMetricName) return &l;
    }
  }
  // Typical series have a handful of labels: compare pairwise. Hostile
  // bodies may carry thousands, so past a small bound sort instead, keeping
  // the check O(n log n).
  constexpr size_t kPairwiseMax = 16;
  if (spans.size() <= kPairwiseMax) {
    for (size_t i = 1; i < spans.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (name(spans[i]) == name(spans[j])) return &spans[i];
      }
    }
    return nullptr;
  }
  std::vector<const LabelSpan*> sorted;
  sorted.reserve(spans.size());
  for (const LabelSpan& l : spans) sorted.push_back(&l);
  std::stable_sort(sorted.begin(), sorted.end(), [&](const LabelSpan* a, const LabelSpan* b) {
    return name(*a) < name(*b);
  });
  const LabelSpan* first = nullptr;
  for (size_t i = 1; i < sorted.size(); ++i) {
    // Report the later occurrence in the body, as the pairwise path does.
    if (name(*sorted[i]) == name(*sorted[i - 1]) &&
        (first == nullptr || sorted[i]->name_begin < first->name_begin)) {
      first = sorted[i];
    }
  }
  return first;
}

Status Parser::ScanQuotedName(size_t open, size_t* close) const {
  bool non_ascii;
  if (!internal::ScanQuoted(body_, open, /*newline_ok=*/false, close, &non_ascii)) {
    if (*close < body_.size()) return ErrorAt(*close, "newline in quoted name");
    return ErrorAt(open, "unterminated quoted name");
  }
  if (*close == open + 1) return ErrorAt(open, "empty quoted name");
  if (non_ascii && !internal::ValidUtf8(body_.substr(open + 1, *close - open - 1))) {
    return ErrorAt(open + 1, "invalid UTF-8 in quoted name");
  }
  return Status::Ok();
}

Status Parser::ParseValue(size_t begin, size_t end, double* out) const {
  internal::FloatError e = internal::ParseGoFloat(body_.substr(begin, end - begin), out);
  if (e != internal::FloatError::kOk) {
    std::string what = "invalid value ";
    internal::AppendQuotedSnippet(body_.substr(begin, end - begin), kSnippetMax, &what);
    what += ": ";
    what += internal::FloatErrorText(e);
    return ErrorAt(begin, what);
  }
  if (std::isnan(*out)) *out = std::bit_cast<double>(kNormalNaNBits);
  return Status::Ok();
}

void Parser::Labels(labels::LabelsBuilder* out) const {
  std::string scratch;
  std::string name_scratch;
  if (metric_name_.find('\\') != std::string_view::npos) {
    internal::Unescape(metric_name_, /*quote_escape=*/true, &name_scratch);
    out->Set(labels::kMetricName, name_scratch);
  } else {
    out->Set(labels::kMetricName, metric_name_);
  }
  for (const LabelSpan& l : labels_) {
    std::string_view name = body_.substr(l.name_begin, l.name_end - l.name_begin);
    if (name.find('\\') != std::string_view::npos) {  // only in quoted names
      name_scratch.clear();
      internal::Unescape(name, /*quote_escape=*/true, &name_scratch);
      name = name_scratch;
    }
    std::string_view value = body_.substr(l.value_begin, l.value_end - l.value_begin);
    if (value.find('\\') != std::string_view::npos) {
      scratch.clear();
      internal::Unescape(value, /*quote_escape=*/true, &scratch);
      value = scratch;
    }
    if ((last_type_ == MetricType::kHistogram && name == "le") ||
        (last_type_ == MetricType::kSummary && name == "quantile")) {
      double f;
      if (internal::ParseGoFloat(value, &f) == internal::FloatError::kOk) {
        out->Set(name, internal::FormatOpenMetricsFloat(f));
        continue;
      }
    }
    out->Set(name, value);
  }
}

MetricType Parser::SeriesType() const {
  const std::string_view family = last_type_family_;
  if (family.empty() || metric_name_.size() < family.size() ||
      metric_name_.substr(0, family.size()) != family) {
    return MetricType::kUnknown;
  }
  std::string_view suffix = metric_name_.substr(family.size());
  bool member = false;
  switch (last_type_) {
    case MetricType::kCounter: member = EndsWithAny(suffix, {"", "_total", "_created"}); break;
    case MetricType::kHistogram:
      member = EndsWithAny(suffix, {"_bucket", "_count", "_sum", "_created"});
      break;
    case MetricType::kGaugeHistogram:
      member = EndsWithAny(suffix, {"_bucket", "_gcount", "_gsum"});
      break;
    case MetricType::kSummary:
      member = EndsWithAny(suffix, {"", "_count", "_sum", "_created"});
      break;
    case MetricType::kInfo: member = EndsWithAny(suffix, {"", "_info"}); break;
    case MetricType::kGauge:
    case MetricType::kStateset:
    case MetricType::kUnknown: member = suffix.empty(); break;
  }
  return member ? last_type_ : MetricType::kUnknown;
}

bool Parser::Exemplar(parse::Exemplar* out) {
  if (!has_exemplar_) return false;
  has_exemplar_ = false;
  std::vector<labels::Label> ls;
  ls.reserve(exemplar_labels_.size());
  for (const LabelSpan& l : exemplar_labels_) {
    labels::Label label;
    internal::Unescape(body_.substr(l.name_begin, l.name_end - l.name_begin),
                       /*quote_escape=*/true, &label.name);
    internal::Unescape(body_.substr(l.value_begin, l.value_end - l.value_begin),
                       /*quote_escape=*/true, &label.value);
    ls.push_back(std::move(label));
  }
  out->labels = labels::Labels::FromUnsorted(std::move(ls));
  out->value = exemplar_value_;
  out->timestamp_ms = exemplar_has_ts_ ? std::optional<int64_t>(exemplar_ts_ms_) : std::nullopt;
  return true;
}

}  // namespace ferry::parse
