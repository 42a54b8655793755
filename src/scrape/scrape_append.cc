#include "src/scrape/scrape_append.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <unordered_map>

#include "src/base/check.h"
#include "src/parse/parser.h"

namespace ferry::scrape {
namespace {

double StaleNaN() { return std::bit_cast<double>(wal::kStaleNaNBits); }

// Reserved cache keys for the report series: a NUL byte never starts a
// parsed series, so they cannot collide with scraped ones.
constexpr std::string_view kReportNames[] = {"up", "scrape_duration_seconds",
                                             "scrape_samples_scraped",
                                             "scrape_samples_post_metric_relabeling",
                                             "scrape_series_added"};

// The cache key of report series "i": NUL, then the name.
const std::string& ReportKey(size_t i) {
  static const auto* keys = [] {
    auto* k = new std::vector<std::string>();
    for (std::string_view name : kReportNames) k->push_back(std::string(1, '\0') + std::string(name));
    return k;
  }();
  return (*keys)[i];
}

std::string Truncated(std::string_view s, size_t n = 50) { return std::string(s.substr(0, n)); }

std::string GoQuote(std::string_view s) {
  std::string out;
  labels::AppendQuoted(&out, s);
  return out;
}

}  // namespace

ScrapeAppender::ScrapeAppender(labels::Labels target_labels, ScrapeSettings settings)
    : target_labels_(std::move(target_labels)), settings_(std::move(settings)) {}

bool ScrapeAppender::BuildLabels(labels::LabelsBuilder* lb, labels::Labels* out,
                                 Status* error) const {
  // Target labels, as Prometheus' mutateSampleLabels.
  if (settings_.honor_labels) {
    for (const labels::Label& l : target_labels_) {
      if (!lb->Has(l.name)) lb->Set(l.name, l.value);
    }
  } else {
    std::vector<labels::Label> conflicts;
    for (const labels::Label& l : target_labels_) {
      std::string_view exposed = lb->Get(l.name);
      if (!exposed.empty()) conflicts.push_back({l.name, std::string(exposed)});
      lb->Set(l.name, l.value);
    }
    // Shorter names first, then exported_exported_... until free.
    std::stable_sort(conflicts.begin(), conflicts.end(),
                     [](const labels::Label& a, const labels::Label& b) {
                       return a.name.size() < b.name.size();
                     });
    for (const labels::Label& c : conflicts) {
      std::string name = c.name;
      for (;;) {
        name = "exported_" + name;
        if (lb->Get(name).empty()) {
          lb->Set(name, c.value);
          break;
        }
      }
    }
  }
  if (settings_.metric_relabeler && !settings_.metric_relabeler->Process(lb)) return false;
  labels::Labels lset = lb->Build();
  if (lset.empty()) return false;  // relabeled to nothing: dropped
  std::string_view name = lset.Get(labels::kMetricName);
  if (name.empty()) {
    *error = Status::InvalidArgument("__name__ label is mandatory");
    return false;
  }
  if (settings_.label_limit > 0 && lset.size() > settings_.label_limit) {
    *error = Status::ResourceExhausted(
        "label_limit exceeded (metric: " + Truncated(name) + ", number of labels: " +
        std::to_string(lset.size()) + ", limit: " + std::to_string(settings_.label_limit) + ")");
    return false;
  }
  for (const labels::Label& l : lset) {
    if (settings_.label_name_length_limit > 0 && l.name.size() > settings_.label_name_length_limit) {
      *error = Status::ResourceExhausted(
          "label_name_length_limit exceeded (metric: " + Truncated(name) + ", label name: " +
          Truncated(l.name) + ", length: " + std::to_string(l.name.size()) +
          ", limit: " + std::to_string(settings_.label_name_length_limit) + ")");
      return false;
    }
    if (settings_.label_value_length_limit > 0 &&
        l.value.size() > settings_.label_value_length_limit) {
      *error = Status::ResourceExhausted(
          "label_value_length_limit exceeded (metric: " + Truncated(name) + ", label name: " +
          Truncated(l.name) + ", value: " + GoQuote(Truncated(l.value)) + ", length: " +
          std::to_string(l.value.size()) +
          ", limit: " + std::to_string(settings_.label_value_length_limit) + ")");
      return false;
    }
  }
  *out = std::move(lset);
  return true;
}

void ScrapeAppender::AddSample(ScrapeCache::Entry* e, int64_t ts, double v, wal::Batch* batch) {
  if (e->ref != wal::kNoSeriesRef) {
    batch->Add(e->ref, ts, v);
  } else {
    // Only a series without a ref yet (its first append, or after the WAL
    // collected it) needs its labels: unpacked for the batch.
    pending_.emplace_back(batch->size(), e);
    batch->Add(LabelsOf(*e), ts, v);
  }
}

void ScrapeAppender::AddStaleMarkers(int64_t ts, wal::Batch* batch, ScrapeOutcome* out) {
  const uint64_t iter = cache_.iteration();
  // The steady state: every series of the last scrape is back, which the
  // cache counted, so there is no need to visit them.
  if (!(success_ && cache_.AllPreviousTracked())) {
    for (ScrapeCache::Entry* e : cache_.previous()) {
      if (success_ && e->last_iter == iter) continue;  // still exposed
      AddSample(e, ts, StaleNaN(), batch);
      out->stale++;
    }
  }
  if (inherited_.empty()) return;
  // By label set: the WAL resolves them to the series the old appender used.
  std::unordered_multimap<uint64_t, const labels::PackedLabels*> exposed;
  std::vector<labels::PackedLabels> rebuilt;  // of derived() entries
  if (success_) {
    rebuilt.reserve(cache_.current().size());  // the pointers below stay valid
    for (const ScrapeCache::Entry* e : cache_.current()) {
      const labels::PackedLabels* l = &e->labels;
      if (e->derived()) l = &rebuilt.emplace_back(labels::PackedLabels::Pack(LabelsOf(*e)));
      exposed.emplace(l->Hash(), l);
    }
  }
  for (const labels::PackedLabels& l : inherited_) {
    auto [lo, hi] = exposed.equal_range(l.Hash());
    bool still = std::any_of(lo, hi, [&l](const auto& kv) { return *kv.second == l; });
    if (still) continue;
    batch->Add(l.Unpack(), ts, StaleNaN());
    out->stale++;
  }
}

bool ScrapeAppender::AcceptSample(ScrapeCache::Entry* e, bool is_new,
                                  std::optional<int64_t> explicit_ts, double v, int64_t ts_ms,
                                  uint64_t iter, SampleState* st, ScrapeOutcome* out,
                                  wal::Batch* batch) {
  if (!is_new && e->last_iter == iter && (!explicit_ts || e->ref == wal::kNoSeriesRef)) {
    // The same series twice in one body at the same (scrape) timestamp, or
    // a new series repeated before it has a ref: keep the first. Prometheus
    // still counts it as a sample after relabeling
    // (scrape_samples_post_metric_relabeling).
    out->duplicates++;
    out->added++;
    return false;
  }
  out->added++;
  // Past sample_limit Prometheus keeps parsing, so the report still
  // counts every sample, and fails the scrape at the end.
  if (st->limit_hit || (settings_.sample_limit > 0 && ++st->appended > settings_.sample_limit)) {
    st->limit_hit = true;
    return false;
  }
  if (is_new) out->series_added++;
  // Series with an explicit timestamp are not tracked for staleness
  // (unless track_timestamps_staleness), as Prometheus' scrape loop.
  if (e->last_iter != iter && (!explicit_ts || settings_.track_timestamps_staleness)) {
    cache_.Track(e);
  }
  cache_.Touch(e);
  AddSample(e, explicit_ts.value_or(ts_ms), v, batch);
  return true;
}

Status ScrapeAppender::FullScrape(parse::Parser& p, std::string_view body, int64_t ts_ms,
                                  uint64_t iter, SampleState* st, ScrapeOutcome* out,
                                  wal::Batch* batch) {
  using Kind = ScrapeCache::TapeKind;
  // Text-format bodies leave a tape for the next scrape's fast path.
  const bool tape = settings_.fast_path && p.format() == parse::Parser::Format::kText &&
                    body.size() <= UINT32_MAX;
  if (tape) {
    cache_.ReserveTape(body.size());
  } else {
    cache_.AbandonTape();
  }
  auto prefix = [&](size_t end) { return body.substr(p.EntryBegin(), end - p.EntryBegin()); };
  auto tape_meta = [&](MetadataStore::Entry* m) {
    if (tape) cache_.AddTape(Kind::kMetadata, prefix(p.EntryEnd()), m);
  };
  // A sample line's prefix without its series bytes (the entry's key).
  auto tape_sample = [&](std::string_view key, ScrapeCache::Entry* e, bool recorded) {
    const size_t begin = p.EntryBegin();
    const size_t key_begin = static_cast<size_t>(key.data() - body.data());
    const size_t key_end = key_begin + key.size();
    FERRY_DCHECK(begin <= key_begin && key_end <= p.ValueBegin());
    cache_.AddTapeSample(body.substr(begin, key_begin - begin), e,
                         body.substr(key_end, p.ValueBegin() - key_end), recorded);
  };
  labels::LabelsBuilder lb;
  size_t order_pos = 0;  // position in the last scrape's body order
  for (;;) {
    auto entry = p.Next();
    if (!entry.ok()) return entry.status();
    switch (*entry) {
      case parse::Entry::kSeries:
        break;
      case parse::Entry::kEof:
        if (tape) cache_.AddTape(Kind::kEnd, body.substr(p.EntryBegin()), nullptr);
        return Status::Ok();
      case parse::Entry::kType:
        tape_meta(cache_.metadata().SetType(p.FamilyName(), p.Type(), iter));
        continue;
      case parse::Entry::kHelp:
        tape_meta(cache_.metadata().SetHelp(p.FamilyName(), p.Help(), iter));
        continue;
      case parse::Entry::kUnit:
        tape_meta(cache_.metadata().SetUnit(p.FamilyName(), p.Unit(), iter));
        continue;
      case parse::Entry::kComment:
        if (tape) cache_.AddTape(Kind::kComment, prefix(p.EntryEnd()), nullptr);
        continue;
    }
    out->total++;
    std::string_view key = p.Series();
    if (key.size() > ScrapeCache::kMaxKeySize) {
      return Status::InvalidArgument("series of " + std::to_string(key.size()) +
                                     " bytes is longer than the scrape cache's limit of " +
                                     std::to_string(ScrapeCache::kMaxKeySize) + " (" +
                                     Truncated(key) + "...)");
    }
    std::optional<int64_t> explicit_ts;
    if (settings_.honor_timestamps) explicit_ts = p.Timestamp();
    ScrapeCache::Entry* e = nullptr;
    if (!cache_.MatchNext(&order_pos, key, &e) && (e = cache_.Find(key)) != nullptr) {
      cache_.Resync(&order_pos, e);
    }
    bool is_new = false;
    if (e == nullptr) {
      lb.Reset({});
      p.Labels(&lb);
      labels::Labels lset;
      Status error;
      if (BuildLabels(&lb, &lset, &error)) {
        e = cache_.Insert(key, std::move(lset));
        is_new = true;
      } else if (!error.ok()) {
        return error;
      } else {
        e = cache_.InsertDropped(key);
      }
    }
    if (e->dropped()) {
      // Dropped by relabeling: in the same place as last time, or known.
      cache_.Touch(e);
      cache_.RecordOrder(e);
      if (tape) tape_sample(key, e, true);
      continue;
    }
    const bool recorded = AcceptSample(e, is_new, explicit_ts, p.Value(), ts_ms, iter, st, out,
                                       batch);
    if (recorded) cache_.RecordOrder(e);
    if (tape) tape_sample(key, e, recorded);
  }
}

ScrapeOutcome ScrapeAppender::AddScrape(std::string_view body, std::string_view content_type,
                                        int64_t ts_ms, wal::Batch* batch) {
  FERRY_CHECK(batch->empty() && pending_.empty());
  ScrapeOutcome out;
  const uint64_t iter = cache_.NextIteration();
  path_ = Path::kFull;
  std::string warning;
  auto parser = parse::NewParserForContentType(content_type, body, settings_.fallback_protocol,
                                               &warning);
  Status error = parser.ok() ? Status::Ok() : parser.status();
  SampleState st;
  if (error.ok()) {
    const bool text = (*parser)->format() == parse::Parser::Format::kText;
    if (!(settings_.fast_path && text && TryFastScrape(body, ts_ms, iter, &st, &out, batch))) {
      error = FullScrape(**parser, body, ts_ms, iter, &st, &out, batch);
    }
  }
  if (error.ok() && st.limit_hit) error = Status::ResourceExhausted("sample limit exceeded");
  if (!error.ok()) {
    // All or nothing: drop what this body added, keep only stale markers.
    batch->Clear();
    ClearPending();
    cache_.current().clear();
    success_ = false;
    // The report keeps the counts reached before the failure, as
    // Prometheus reports what its failed append counted.
    out.error = error;
    AddStaleMarkers(ts_ms, batch, &out);
    return out;
  }
  success_ = true;
  AddStaleMarkers(ts_ms, batch, &out);
  return out;
}

ScrapeOutcome ScrapeAppender::AddFailedScrape(int64_t ts_ms, wal::Batch* batch) {
  ScrapeOutcome out;
  cache_.NextIteration();
  path_ = Path::kFull;
  cache_.current().clear();
  success_ = false;
  AddStaleMarkers(ts_ms, batch, &out);
  return out;
}

void ScrapeAppender::AddReport(int64_t ts_ms, const ReportValues& v, wal::Batch* batch) {
  const double values[] = {v.up ? 1.0 : 0.0, v.duration_seconds,
                           static_cast<double>(v.samples_scraped),
                           static_cast<double>(v.samples_post_relabeling),
                           static_cast<double>(v.series_added)};
  for (size_t i = 0; i < std::size(kReportNames); ++i) {
    const std::string& key = ReportKey(i);
    ScrapeCache::Entry* e = cache_.Find(key);
    if (e == nullptr) {
      // Prometheus' mutateReportSampleLabels: target labels win, the report
      // series' own value of a clashing name moves to exported_<name>.
      labels::LabelsBuilder lb;
      lb.Set(labels::kMetricName, kReportNames[i]);
      for (const labels::Label& l : target_labels_) {
        std::string existing(lb.Get(l.name));
        lb.Set("exported_" + l.name, existing);
        lb.Set(l.name, l.value);
      }
      e = cache_.Insert(key, lb.Build());
    }
    cache_.Touch(e);
    AddSample(e, ts_ms, values[i], batch);
  }
}

void ScrapeAppender::AddStaleAll(int64_t ts_ms, wal::Batch* batch) {
  AddFailedScrape(ts_ms, batch).error.IgnoreError();  // OK by construction
  for (size_t i = 0; i < std::size(kReportNames); ++i) {
    if (ScrapeCache::Entry* e = cache_.Find(ReportKey(i))) AddSample(e, ts_ms, StaleNaN(), batch);
  }
}

void ScrapeAppender::Committed(const wal::Batch& batch) {
  for (auto& [idx, e] : pending_) {
    e->ref = batch.ref(idx);
    MaybeReleaseLabels(e);
  }
  ClearPending();
  inherited_.clear();
  if (success_) {
    // A fast scrape saw the same lines as the tape's scrape: its order and
    // tape stay, unless a line's order decision differed (explicit
    // timestamps appearing on a repeated series), which the next scrape
    // then rebuilds.
    if (path_ == Path::kFull) {
      cache_.CommitOrder();
    } else if (path_ == Path::kFastOrderChanged) {
      cache_.ClearOrder();
    }
  }
  cache_.Rotate();
  cache_.CollectGarbage();
  cache_.metadata().CollectGarbage(cache_.iteration(), success_);
  // Only a successful scrape's tape vouches for the metadata as it is now; a
  // failed one may have changed metadata, which the version then shows.
  if (success_) cache_.set_tape_meta_version(cache_.metadata().version());
}

void ScrapeAppender::ClearPending() {
  if (pending_.capacity() > 256) {
    std::vector<std::pair<size_t, ScrapeCache::Entry*>>().swap(pending_);
  } else {
    pending_.clear();
  }
}

void ScrapeAppender::Aborted() {
  ClearPending();
  cache_.current().clear();
}

}  // namespace ferry::scrape
