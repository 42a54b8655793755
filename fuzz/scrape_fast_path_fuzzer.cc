// Fuzzes the warm fast path of src/scrape against the full parser: two
// ScrapeAppenders with the same settings, one with ScrapeSettings::fast_path
// and one without, scrape a sequence derived from the input (the body, the
// body with every digit of each line's last token changed, the body again,
// its first half, the body) and must produce the same batches (refs,
// labels, timestamps, value bits), outcomes, errors and metadata. The first
// input byte picks the settings; the rest is a text-format body.
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "src/scrape/scrape_append.h"

namespace {

using ferry::scrape::MetricMetadata;
using ferry::scrape::ScrapeAppender;
using ferry::scrape::ScrapeOutcome;
using ferry::scrape::ScrapeSettings;

void Require(bool cond) {
  if (!cond) std::abort();
}

struct Side {
  explicit Side(ScrapeSettings s)
      : app(ferry::labels::Labels::Of({{"instance", "h:1"}, {"job", "j"}}), s) {}
  ScrapeAppender app;
  ferry::wal::SeriesRef next_ref = 1;
};

// Scrapes "body" on both sides and aborts on any difference.
void Step(Side& fast, Side& full, std::string_view body, int64_t ts, bool commit) {
  ferry::wal::Batch ba, bb;
  ScrapeOutcome a = fast.app.AddScrape(body, "text/plain; version=0.0.4", ts, &ba);
  ScrapeOutcome b = full.app.AddScrape(body, "text/plain; version=0.0.4", ts, &bb);
  Require(a.error.ToString() == b.error.ToString());
  Require(a.total == b.total && a.added == b.added && a.series_added == b.series_added &&
          a.stale == b.stale && a.duplicates == b.duplicates);
  Require(ba.refs() == bb.refs() && ba.timestamps() == bb.timestamps());
  for (size_t i = 0; i < ba.size(); ++i) {
    Require(std::bit_cast<uint64_t>(ba.values()[i]) == std::bit_cast<uint64_t>(bb.values()[i]));
  }
  Require(ba.pending().size() == bb.pending().size());
  for (size_t i = 0; i < ba.pending().size(); ++i) {
    Require(ba.pending()[i].index == bb.pending()[i].index &&
            ba.pending()[i].labels == bb.pending()[i].labels);
  }
  std::vector<MetricMetadata> ma, mb;
  fast.app.cache().metadata().List(&ma);
  full.app.cache().metadata().List(&mb);
  Require(ma.size() == mb.size());
  for (const MetricMetadata& m : ma) {
    bool found = false;
    for (const MetricMetadata& o : mb) found |= m == o;
    Require(found);
  }
  for (auto* side : {&fast, &full}) {
    ferry::wal::Batch& batch = side == &fast ? ba : bb;
    if (!commit) {
      side->app.Aborted();
      side->app.mutable_cache().ForgetRefs();
      continue;
    }
    for (auto& p : batch.pending()) batch.mutable_refs()[p.index] = side->next_ref++;
    side->app.Committed(batch);
  }
}

// Every digit of each line's last blank-separated token, plus one.
std::string ShiftValues(std::string_view body) {
  std::string out(body);
  size_t line_end = out.size();
  for (size_t i = out.size(); i-- > 0;) {
    if (out[i] == '\n' || i == 0) {
      size_t begin = out[i] == '\n' ? i + 1 : 0;
      size_t blank = out.find_last_of(" \t", line_end == 0 ? 0 : line_end - 1);
      if (blank != std::string::npos && blank >= begin) {
        for (size_t k = blank + 1; k < line_end; ++k) {
          if (out[k] >= '0' && out[k] <= '9') out[k] = static_cast<char>('0' + (out[k] - '0' + 1) % 10);
        }
      }
      line_end = i;
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  ScrapeSettings s;
  s.honor_timestamps = (mode & 1) == 0;
  s.track_timestamps_staleness = (mode & 2) != 0;
  s.sample_limit = (mode & 4) ? 3 : 0;
  ScrapeSettings no_fast = s;
  no_fast.fast_path = false;
  Side fast(s), full(no_fast);
  const std::string shifted = ShiftValues(body);
  int64_t ts = 1'700'000'000'000;
  Step(fast, full, body, ts += 15000, true);
  Step(fast, full, shifted, ts += 15000, (mode & 8) == 0);
  Step(fast, full, body, ts += 15000, true);
  Step(fast, full, body.substr(0, body.size() / 2), ts += 15000, true);
  Step(fast, full, body, ts += 15000, true);
  Step(fast, full, shifted, ts += 15000, true);
  return 0;
}
