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
namespace {

// Phase 1's parsed line ends. Per thread, not per appender: a scrape worker
// reuses one buffer, sized for the largest body it met, for every target,
// where a member would keep a body's worth of it alive per target.
std::vector<parse::SampleTail>& TailScratch() {
  thread_local std::vector<parse::SampleTail> tails;
  return tails;
}

// A sample's gap and separator are a byte or none: cheaper compared here
// than through a memcmp call.
inline bool SmallEqual(const char* a, const char* b, size_t n) {
  if (n > 8) return std::memcmp(a, b, n) == 0;
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

}  // namespace

bool ScrapeAppender::TryFastScrape(std::string_view body, int64_t ts_ms, uint64_t iter,
                                   SampleState* st, ScrapeOutcome* out, wal::Batch* batch) {
  using Kind = ScrapeCache::TapeKind;
  const std::vector<ScrapeCache::TapeEntry>& tape = cache_.tape();
  // No tape, or metadata changed since (a failed scrape's TYPE lines, or
  // collected entries the tape points to): the full parser re-states it.
  if (tape.empty() || tape.back().kind() != Kind::kEnd ||
      cache_.tape_meta_version() != cache_.metadata().version()) {
    return false;
  }
  // Phase 1: match and parse, no side effects. A sample entry stands for its
  // gap, its cache entry's key and its separator.
  const char* tb = cache_.tape_bytes().data();
  const char* b = body.data();
  const size_t n = body.size();
  const size_t count = tape.size();
  std::vector<parse::SampleTail>& tails = TailScratch();
  tails.clear();
  // The keys are read in arena order, which is mostly body order: the
  // hardware prefetcher follows them (a software prefetch here costs more
  // than it saves, measured).
  size_t pos = 0;
  for (size_t i = 0; i < count; ++i) {
    const ScrapeCache::TapeEntry& t = tape[i];
    const char* own = tb;  // this entry's own bytes
    tb += t.len();
    if (t.kind() != Kind::kSample) {
      if (t.len() > n - pos || std::memcmp(b + pos, own, t.len()) != 0) return false;
      pos += t.len();
      continue;
    }
    const size_t gap = t.len() - t.sep();
    if (t.len() + size_t{t.key_len()} > n - pos) return false;
    if (!SmallEqual(b + pos, own, gap)) return false;
    pos += gap;
    if (std::memcmp(b + pos, t.key_data(), t.key_len()) != 0) return false;
    pos += t.key_len();
    if (!SmallEqual(b + pos, own + gap, t.sep())) return false;
    pos += t.sep();
    parse::SampleTail& tail = tails.emplace_back();
    if (!parse::ParseTextSampleTail(body, pos, &tail)) return false;
    pos = tail.end;
  }
  if (pos != n) return false;  // more after what was the end

  // Phase 2: the samples, in body order, as FullScrape adds them.
  bool same_order = true;
  const parse::SampleTail* tail = tails.data();
  // A large body's entries left the cache during phase 1: fetch them again
  // (and the metadata entries, which sit elsewhere).
  constexpr size_t kPrefetch = 8;
  for (size_t i = 0; i < std::min(kPrefetch, count); ++i) __builtin_prefetch(tape[i].ptr(), 1);
  for (size_t i = 0; i < count; ++i) {
    const ScrapeCache::TapeEntry& t = tape[i];
    if (i + kPrefetch < count) __builtin_prefetch(tape[i + kPrefetch].ptr(), 1);
    if (t.kind() == Kind::kMetadata) {
      cache_.metadata().Touch(t.meta(), iter);
      continue;
    }
    if (t.kind() != Kind::kSample) continue;
    const parse::SampleTail& s = *tail++;
    out->total++;
    ScrapeCache::Entry* e = t.entry();
    if (t.dropped()) {  // dropped by relabeling, as last time
      cache_.Touch(e);
      continue;
    }
    std::optional<int64_t> explicit_ts;
    if (settings_.honor_timestamps && s.has_timestamp) explicit_ts = s.timestamp_ms;
    const bool recorded =
        AcceptSample(e, /*is_new=*/false, explicit_ts, s.value, ts_ms, iter, st, out, batch);
    same_order &= recorded == t.recorded();
  }
  path_ = same_order ? Path::kFast : Path::kFastOrderChanged;
  fast_scrapes_++;
  return true;
}

}  // namespace ferry::scrape
