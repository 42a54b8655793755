// Pull parsers for the two text exposition formats Prometheus scrapes:
// the Prometheus text format 0.0.4 and OpenMetrics 1.0 (text).
//
// A Parser walks a scrape body entry by entry, like Prometheus'
// model/textparse.Parser. It never copies the body: Series(), MetricName(),
// FamilyName(), Unit() and Comment() are views into it, valid until the body
// dies. Help() may point into a scratch buffer of the parser when the help
// text had escapes to undo, so it is valid only until the next Next().
// Labels are materialised only on demand, through Labels().
//
//   auto p = parse::NewTextParser(body);
//   for (;;) {
//     auto e = p->Next();
//     if (!e.ok()) return e.status();          // "line 3 col 12: ..."
//     if (*e == parse::Entry::kEof) break;
//     if (*e == parse::Entry::kSeries) Use(p->Series(), p->Value(), p->Timestamp());
//   }
//
// Errors: Next() returns kInvalidArgument with a message that starts with
// "line L col C: " (1-based; the column counts bytes) and then says what was
// expected and what was found. After an error the parser must not be used
// again except to be destroyed. No input, however malformed, makes a parser
// crash, read outside the body, or loop forever.
//
// Thread-safety: not thread-safe; one parser belongs to one scrape. Distinct
// parsers over the same body may run on different threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/status.h"
#include "src/labels/labels.h"

namespace ferry::parse {

// What Next() found. kEof ends a successful parse (for OpenMetrics it means
// the "# EOF" line was seen and nothing follows it).
enum class Entry : uint8_t { kSeries, kType, kHelp, kUnit, kComment, kEof };

// Metric family types. The text format knows counter, gauge, histogram,
// summary and untyped (reported as kUnknown); OpenMetrics adds
// gaugehistogram, info and stateset, and spells untyped "unknown".
enum class MetricType : uint8_t {
  kUnknown,
  kCounter,
  kGauge,
  kHistogram,
  kGaugeHistogram,
  kSummary,
  kInfo,
  kStateset,
};

// "counter", "gaugehistogram", ..., "unknown": the OpenMetrics spelling.
std::string_view MetricTypeName(MetricType type);

// The exemplar attached to an OpenMetrics sample: `# {trace_id="x"} 1 123.4`.
struct Exemplar {
  labels::Labels labels;                  // sorted, unescaped
  double value = 0;
  std::optional<int64_t> timestamp_ms;   // OpenMetrics seconds converted to ms
};

// The float bit pattern Prometheus uses for every scraped NaN
// (value.NormalNaN). It differs from the stale marker (0x7ff0000000000002),
// so a target exposing NaN never looks like a staleness marker.
inline constexpr uint64_t kNormalNaNBits = 0x7ff8000000000001ull;

class Parser {
 public:
  virtual ~Parser() = default;
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  // Advances to the next entry. Blank lines (text format) are skipped.
  // Returns kEof at the end of a valid body, or kInvalidArgument
  // "line L col C: ..." for the first malformed byte.
  virtual Result<Entry> Next() = 0;

  // --- Valid after Next() returned kSeries. ---

  // The raw series bytes exactly as in the body, from the first byte of the
  // metric name to the closing brace (or the end of the name when there are
  // no labels), e.g. `http_requests_total{code="200"}`. Identical lines give
  // identical views, so this is the scrape-cache key.
  std::string_view Series() const { return series_; }
  // The metric name as written: a legacy name, or for a quoted UTF-8 name
  // (`{"my.metric"}`) the bytes between the quotes, escapes not undone
  // (Labels() undoes them).
  std::string_view MetricName() const { return metric_name_; }
  // The sample value. NaN always has the bits kNormalNaNBits.
  double Value() const { return value_; }
  // The sample timestamp in milliseconds since the epoch, when the line has
  // one. OpenMetrics seconds are multiplied by 1000 and truncated toward
  // zero, as Prometheus does.
  std::optional<int64_t> Timestamp() const {
    return has_timestamp_ ? std::optional<int64_t>(timestamp_ms_) : std::nullopt;
  }
  // Adds "__name__" and every label of the current series to "*out", with
  // escapes undone. Labels with empty values are dropped by the builder, as
  // Prometheus drops them. As in Prometheus 3, the "le" label of a histogram
  // and the "quantile" label of a summary are rewritten to the OpenMetrics
  // float spelling ("1" -> "1.0") when the last TYPE line declared that type.
  // Call out->Reset({}) first for a fresh set. Duplicate label names never
  // reach this point: Next() rejects them.
  void Labels(labels::LabelsBuilder* out) const;
  // The type of the family the current series belongs to: the type of the
  // last TYPE line when the series name is that family's name plus one of
  // the suffixes the type allows (_total and _created for counters, _bucket,
  // _count, _sum, _created for histograms, _bucket, _gcount, _gsum for
  // gauge histograms, _count, _sum, _created for summaries, _info for info),
  // and kUnknown otherwise.
  MetricType SeriesType() const;
  // Fills "*out" with the exemplar of the current sample and returns true,
  // once per sample; returns false when there is none (always, for the text
  // format) or it was already returned.
  bool Exemplar(parse::Exemplar* out);

  // The created timestamp (ms) of the current sample, or nullopt. Only
  // OpenMetrics counters, histograms and summaries have one: it is the value
  // (seconds, times 1000) of the `<family>_created` series with the same
  // labels (le and quantile aside) further down in the same family, found by
  // peeking ahead as Prometheus' CreatedTimestamp() does. The result is cached
  // per label set, so a histogram's buckets cost one peek. The text format
  // always returns nullopt. Does not move the parser.
  virtual std::optional<int64_t> CreatedTimestamp() { return std::nullopt; }

  // --- Byte offsets, for a scrape cache that remembers a body's shape. ---

  // Which format this parser reads.
  enum class Format : uint8_t { kText, kOpenMetrics };
  Format format() const { return format_; }
  // Text format only (format() == kText), after Next() returned an entry:
  // [EntryBegin(), EntryEnd()) is every byte that Next() consumed for it,
  // from the end of the previous entry (so blank lines and blanks before it
  // included) through its line end. For kSeries, ValueBegin() is the offset
  // of the value: the bytes [EntryBegin(), ValueBegin()) decide the series
  // completely, and the rest of the line is what ParseTextSampleTail reads.
  size_t EntryBegin() const { return entry_begin_; }
  size_t ValueBegin() const { return value_begin_; }
  size_t EntryEnd() const { return pos_; }

  // --- Valid after Next() returned kHelp, kType or kUnit. ---

  // The metric family name the line is about.
  std::string_view FamilyName() const { return family_name_; }
  // kHelp: the help text, escapes undone (text format: \\ and \n;
  // OpenMetrics: \\, \n and \"). Valid until the next Next().
  std::string_view Help() const { return help_; }
  // kType: the declared type. Also the type in force for later series.
  MetricType Type() const { return type_; }
  // kUnit: the unit, possibly empty (OpenMetrics only).
  std::string_view Unit() const { return unit_; }

  // --- Valid after Next() returned kComment (text format only). ---

  // The whole comment line from '#' to the end of the line.
  std::string_view Comment() const { return comment_; }

 protected:
  Parser(std::string_view body, Format format) : body_(body), format_(format) {}

  // Offsets into body_ of one label: name [name_begin, name_end) and the
  // value between the quotes [value_begin, value_end).
  struct LabelSpan {
    size_t name_begin, name_end, value_begin, value_end;
  };

  // "line L col C: what (in line "...")", kInvalidArgument, for body offset "pos".
  Status ErrorAt(size_t pos, std::string_view what) const;
  // Same, with `, got "<bytes at pos>"` appended to "expected".
  Status Expected(size_t pos, std::string_view expected) const;
  // Returns a label of "spans" whose name repeats an earlier one (or, with
  // "include_metric_name", is "__name__", which the metric name already
  // sets), or nullptr. O(n log n) in the number of labels.
  const LabelSpan* FindDuplicateLabel(const std::vector<LabelSpan>& spans,
                                      bool include_metric_name) const;
  // Scans the quoted (UTF-8) metric or label name whose opening quote is at
  // body_[open]: sets "*close" to the closing quote. Refuses an unterminated,
  // empty or non-UTF-8 name, and a raw newline inside it.
  Status ScanQuotedName(size_t open, size_t* close) const;
  // Parses a Go float into "*out" as Prometheus' parseFloat does; normalises NaN.
  Status ParseValue(size_t begin, size_t end, double* out) const;

  const std::string_view body_;
  const Format format_;
  size_t pos_ = 0;
  size_t entry_begin_ = 0;  // see EntryBegin()
  size_t value_begin_ = 0;  // see ValueBegin()

  // Current series.
  std::string_view series_;
  std::string_view metric_name_;
  double value_ = 0;
  int64_t timestamp_ms_ = 0;
  bool has_timestamp_ = false;
  std::vector<LabelSpan> labels_;

  // Current exemplar (OpenMetrics).
  bool has_exemplar_ = false;
  std::vector<LabelSpan> exemplar_labels_;
  double exemplar_value_ = 0;
  int64_t exemplar_ts_ms_ = 0;
  bool exemplar_has_ts_ = false;

  // Metadata.
  std::string_view family_name_;
  std::string_view help_;
  std::string help_scratch_;
  std::string_view unit_;
  std::string_view comment_;
  MetricType type_ = MetricType::kUnknown;       // of the current TYPE entry
  MetricType last_type_ = MetricType::kUnknown;  // of the last TYPE line
  std::string_view last_type_family_;            // name on the last TYPE line
};

// A parser for the Prometheus text format 0.0.4 and 1.0.0 (1.0.0 adds quoted
// UTF-8 names, which this parser reads in both). "body" must outlive the parser. The last line need not
// end in '\n'.
std::unique_ptr<Parser> NewTextParser(std::string_view body);

// The end of a text-format sample line whose series bytes are known: the
// value, an optional timestamp and the line end, from "body"[pos]. Accepts
// exactly what the text parser accepts after a series that ends at "pos"
// (same value grammar, NaN normalised to kNormalNaNBits, same timestamp
// rules) and returns true with "*out" filled; returns false for anything
// else, for which the text parser reports the error. REQUIRES: pos <=
// body.size(), and "pos" follows the blanks after the series (the byte at
// "pos", if any, is not a blank: this function refuses it).
struct SampleTail {
  double value = 0;
  int64_t timestamp_ms = 0;
  bool has_timestamp = false;
  size_t end = 0;  // offset after the line's '\n' (or body.size())
};
bool ParseTextSampleTail(std::string_view body, size_t pos, SampleTail* out);

// A parser for OpenMetrics 1.0 text ("application/openmetrics-text", versions
// 1.0.0 and 0.0.1). "body" must outlive the parser. The body must end with the
// "# EOF" line (optionally followed by one '\n') and nothing after it.
std::unique_ptr<Parser> NewOpenMetricsParser(std::string_view body);

}  // namespace ferry::parse
