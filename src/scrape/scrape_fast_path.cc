// ScrapeAppender's fast path for a warm text-format scrape.
//
// A steady target sends the same lines every time with new values. The tape
// (ScrapeCache::TapeEntry) keeps, entry by entry, the exact bytes the last
// successful scrape's parser consumed before each value, and the cache entry
// each sample line resolved to. When the new body starts with those bytes,
// entry after entry, and each sample's line end is a valid "value[ ts]", the
// full parser would return the same entries (it decides a series from the
// bytes before its value alone, and the bytes were validated when the tape
// was built), so only the values and timestamps need parsing.
//
// Phase 1 matches the whole body and parses every value into a scratch
// vector without touching any state, so a difference anywhere (a changed
// line, a new or vanished series, a malformed value, bytes after the end)
// leaves nothing to undo: the caller runs the full parser over the whole
// body, which reports exactly today's results and errors. Phase 2 then
// applies the samples through AcceptSample, the same step the full path
// uses.
#include <algorithm>
#include <cstring>

#include "src/scrape/scrape_append.h"

namespace ferry::scrape {

bool ScrapeAppender::TryFastScrape(std::string_view body, int64_t ts_ms, uint64_t iter,
                                   SampleState* st, ScrapeOutcome* out, wal::Batch* batch) {
  using Kind = ScrapeCache::TapeKind;
  const std::vector<ScrapeCache::TapeEntry>& tape = cache_.tape();
  // No tape, or metadata changed since (a failed scrape's TYPE lines, or
  // collected entries the tape points to): the full parser re-states it.
  if (tape.empty() || tape.back().kind != Kind::kEnd ||
      cache_.tape_meta_version() != cache_.metadata().version()) {
    return false;
  }
  // Phase 1: match and parse, no side effects.
  const char* tb = cache_.tape_bytes().data();
  const char* b = body.data();
  const size_t n = body.size();
  fast_tails_.clear();
  size_t pos = 0;
  for (const ScrapeCache::TapeEntry& t : tape) {
    if (t.len > n - pos || std::memcmp(b + pos, tb + t.off, t.len) != 0) return false;
    pos += t.len;
    if (t.kind == Kind::kSample) {
      parse::SampleTail& tail = fast_tails_.emplace_back();
      if (!parse::ParseTextSampleTail(body, pos, &tail)) return false;
      pos = tail.end;
    }
  }
  if (pos != n) return false;  // more after what was the end

  // Phase 2: the samples, in body order, as FullScrape adds them.
  bool same_order = true;
  const parse::SampleTail* tail = fast_tails_.data();
  // Cache entries live in hash-table nodes all over the heap: fetch a few
  // lines ahead of use.
  constexpr size_t kPrefetch = 8;
  for (size_t i = 0; i < std::min(kPrefetch, tape.size()); ++i) __builtin_prefetch(tape[i].entry);
  for (size_t i = 0; i < tape.size(); ++i) {
    const ScrapeCache::TapeEntry& t = tape[i];
    if (i + kPrefetch < tape.size()) __builtin_prefetch(tape[i + kPrefetch].entry, 1);
    if (t.kind == Kind::kMetadata) {
      cache_.metadata().Touch(t.meta, iter);
      continue;
    }
    if (t.kind != Kind::kSample) continue;
    const parse::SampleTail& s = *tail++;
    out->total++;
    if (t.entry == nullptr) continue;  // dropped by relabeling, as last time
    std::optional<int64_t> explicit_ts;
    if (settings_.honor_timestamps && s.has_timestamp) explicit_ts = s.timestamp_ms;
    const bool recorded =
        AcceptSample(t.entry, /*is_new=*/false, explicit_ts, s.value, ts_ms, iter, st, out, batch);
    same_order &= recorded == t.recorded;
  }
  path_ = same_order ? Path::kFast : Path::kFastOrderChanged;
  fast_scrapes_++;
  return true;
}

}  // namespace ferry::scrape
