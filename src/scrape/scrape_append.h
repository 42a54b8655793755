// ScrapeAppender: turns one scrape body into one WAL batch, as Prometheus'
// scrapeLoop.append: parse, find each series in the scrape cache (or build
// its labels: target labels per honor_labels, metric_relabel_configs, label
// limits), pick timestamps per honor_timestamps, enforce sample_limit, and
// add staleness markers for series that vanished since the last scrape.
//
// A batch is all or nothing: on a parse error or a limit the scrape fails
// and the batch holds only the stale markers for the previous scrape's
// series (Prometheus appends an empty scrape in that case), so nothing
// half-parsed is ever appended.
//
// Warm fast path: a text-format body whose bytes before each value equal
// the last successful scrape's (the cache's line tape) has only its values
// and timestamps parsed; any difference falls back to the full parser for
// the whole body. Both paths give identical batches, outcomes, errors and
// metadata (tests/scrape/scrape_fast_path_test.cc). See
// docs/perf-notes/scrape.md.
//
// Thread-safety: not thread-safe; one per target, one scrape at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "src/base/status.h"
#include "src/labels/labels.h"
#include "src/labels/packed_labels.h"
#include "src/parse/content_type.h"
#include "src/parse/parser.h"
#include "src/relabel/relabel.h"
#include "src/scrape/scrape_cache.h"
#include "wal/record.h"

namespace ferry::scrape {

struct ScrapeSettings {
  bool honor_labels = false;
  bool honor_timestamps = true;
  // Also write staleness markers for series exposed with explicit
  // timestamps (Prometheus' track_timestamps_staleness). Default: false.
  bool track_timestamps_staleness = false;
  uint64_t sample_limit = 0;  // 0 = none
  uint64_t label_limit = 0;
  uint64_t label_name_length_limit = 0;
  uint64_t label_value_length_limit = 0;
  // metric_relabel_configs; not owned, must outlive the appender. May be null.
  const relabel::Relabeler* metric_relabeler = nullptr;
  std::optional<parse::ScrapeProtocol> fallback_protocol;
  // The warm fast path for text-format bodies: lines whose bytes up to the
  // value equal the previous successful scrape's are not re-parsed (see
  // ScrapeAppender). false forces the full parser for every line; the
  // results are the same either way (the differential tests compare them).
  // Default: true.
  bool fast_path = true;
};

// What one AddScrape counted. On a failed scrape the counts are those reached
// before the failure (all samples for sample_limit, which keeps parsing), as
// Prometheus reports them.
struct ScrapeOutcome {
  Status error;            // non-OK: the scrape failed (up = 0) for this reason
  uint64_t total = 0;      // scrape_samples_scraped
  uint64_t added = 0;      // scrape_samples_post_metric_relabeling (duplicates included)
  uint64_t series_added = 0;  // scrape_series_added
  uint64_t stale = 0;      // staleness markers added
  uint64_t duplicates = 0;  // repeated series in one body, skipped
};

// Values of the five report series Prometheus adds to every scrape.
struct ReportValues {
  bool up = false;
  double duration_seconds = 0;
  uint64_t samples_scraped = 0;
  uint64_t samples_post_relabeling = 0;
  uint64_t series_added = 0;
};

class ScrapeAppender {
 public:
  // "target_labels": the labels every sample gets (Target::SampleLabels()).
  ScrapeAppender(labels::Labels target_labels, ScrapeSettings settings);

  // Adds the samples of "body" (and stale markers) to "*batch", timestamped
  // "ts_ms" unless the body says otherwise and honor_timestamps is set.
  // REQUIRES: "*batch" is empty (one batch per scrape: AddScrape, then
  // AddReport, then Append, then Committed or Aborted).
  ScrapeOutcome AddScrape(std::string_view body, std::string_view content_type, int64_t ts_ms,
                          wal::Batch* batch);
  // A scrape that produced no body (HTTP error, timeout): stale markers for
  // every series of the previous scrape.
  ScrapeOutcome AddFailedScrape(int64_t ts_ms, wal::Batch* batch);
  // The report series (up, scrape_duration_seconds, ...), timestamped "ts_ms".
  void AddReport(int64_t ts_ms, const ReportValues& values, wal::Batch* batch);
  // End of a target: stale markers for its last series and its report series.
  void AddStaleAll(int64_t ts_ms, wal::Batch* batch);

  // Takes over the series another appender of the same target (with older
  // settings, replaced on reload) had in its last scrape: the next scrape
  // marks stale those it does not produce any more (all of them if it
  // fails), once. Prometheus gets the same from the replaced loop's
  // end-of-run staleness; here the markers are in order with the new
  // samples.
  void InheritPrevious(std::vector<labels::PackedLabels> series) {
    inherited_ = std::move(series);
  }

  // Must follow every Add* sequence: Committed() after the batch was
  // appended (records refs, rotates staleness state, collects the cache),
  // or Aborted() when the append failed (the next scrape starts over).
  void Committed(const wal::Batch& batch);
  void Aborted();

  // Scrapes that took the fast path (TryFastScrape) since construction.
  uint64_t fast_scrapes() const { return fast_scrapes_; }

  // The final label sets of the previous scrape's series (what
  // InheritPrevious() of a replacing appender takes).
  std::vector<labels::PackedLabels> PreviousSeries() const;
  // The final labels of non-dropped cache entry "e": its packed labels, or
  // for a derived() entry the labels rebuilt from its key.
  labels::Labels LabelsOf(const ScrapeCache::Entry& e) const;

  const ScrapeCache& cache() const { return cache_; }
  ScrapeCache& mutable_cache() { return cache_; }

 private:
  // Builds the final labels of a cache miss. Returns false when relabeling
  // dropped the series; a non-OK "*error" fails the scrape.
  bool BuildLabels(labels::LabelsBuilder* lb, labels::Labels* out, Status* error) const;
  void AddSample(ScrapeCache::Entry* e, int64_t ts, double v, wal::Batch* batch);
  // Rebuilds final labels from "key" alone: the key parsed as a text-format
  // sample line with no TYPE line before it, then BuildLabels. Returns false
  // when that gives no kept series (an error, dropped, not one series).
  bool DeriveLabels(std::string_view key, labels::Labels* out) const;
  // After "e" got its first ref: frees its packed labels when DeriveLabels
  // rebuilds exactly them (which a WAL-collected ref or a reload may need
  // again). Most series qualify; those whose labels depend on more than
  // their bytes (a histogram's "le" after its TYPE line, the report series)
  // keep them.
  void MaybeReleaseLabels(ScrapeCache::Entry* e) const;

  struct SampleState {
    uint64_t appended = 0;  // samples counted against sample_limit
    bool limit_hit = false;
  };
  // The part of a sample line both paths share, once its cache entry "e"
  // (non-null) is known: duplicates, sample_limit, staleness tracking, the
  // batch. Returns true when the sample was added (and belongs in the body
  // order).
  bool AcceptSample(ScrapeCache::Entry* e, bool is_new, std::optional<int64_t> explicit_ts,
                    double v, int64_t ts_ms, uint64_t iter, SampleState* st, ScrapeOutcome* out,
                    wal::Batch* batch);
  // Parses "body" entry by entry with "p", and leaves a tape for the fast
  // path when "p" reads the text format. Returns the scrape's error.
  Status FullScrape(parse::Parser& p, std::string_view body, int64_t ts_ms, uint64_t iter,
                    SampleState* st, ScrapeOutcome* out, wal::Batch* batch);
  // The fast path (scrape_fast_path.cc): when "body" matches the committed
  // tape entry by entry, adds its samples exactly as FullScrape would and
  // returns true. Returns false, having changed nothing, at the first
  // difference; the caller then runs FullScrape over the whole body.
  bool TryFastScrape(std::string_view body, int64_t ts_ms, uint64_t iter, SampleState* st,
                     ScrapeOutcome* out, wal::Batch* batch);
  void AddStaleMarkers(int64_t ts, wal::Batch* batch, ScrapeOutcome* out);
  // Empties pending_, freeing a large buffer (new series come in bulk once,
  // on a target's first scrape; a warm scrape has none).
  void ClearPending();

  const labels::Labels target_labels_;
  const ScrapeSettings settings_;
  ScrapeCache cache_;
  // Samples of this batch whose series had no ref yet: (batch index, entry).
  std::vector<std::pair<size_t, ScrapeCache::Entry*>> pending_;
  // Report series: entries keyed by name in the cache under a reserved key.
  bool success_ = false;  // the scrape being built succeeded
  // How the scrape being built was parsed (decides what Committed() does
  // with the body order and the tape).
  enum class Path : uint8_t { kFull, kFast, kFastOrderChanged };
  Path path_ = Path::kFull;
  uint64_t fast_scrapes_ = 0;
  std::vector<labels::PackedLabels> inherited_;  // see InheritPrevious
};

}  // namespace ferry::scrape
