// Helpers of the replay tests: a WAL whose append times follow a FakeClock,
// filled with scrapes whose sample timestamps equal their append times.
#pragma once

#include <memory>
#include <string>

#include "src/labels/labels.h"
#include "tests/testing/test_util.h"
#include "wal/wal.h"

namespace ferry::replay::testing {

inline std::unique_ptr<wal::Wal> OpenWal(const std::string& dir, Clock* clock) {
  wal::Options o;
  o.dir = dir;
  o.durability = wal::Durability::kNever;
  o.retention_interval = std::chrono::milliseconds(0);
  o.max_age = std::chrono::milliseconds(0);
  o.clock = clock;
  Result<std::unique_ptr<wal::Wal>> w = wal::Wal::Open(o);
  if (!w.ok()) return nullptr;
  return std::move(w).value();
}

// Appends "scrapes" scrapes, one record per (scrape, job): the scrape r of
// job j holds series replay_test_total{job="j<j>", series="<i>"} for i in
// [0, series), value r + i, timestamp start_ms + r * interval_ms (the clock
// is set to that time first, so append time = sample time).
inline bool AppendScrapes(wal::Wal& w, ::ferry::testing::FakeClock& clock, int jobs, int series,
                          int scrapes, int64_t start_ms, int64_t interval_ms = 1000) {
  for (int r = 0; r < scrapes; ++r) {
    const int64_t ts = start_ms + int64_t{r} * interval_ms;
    int64_t now = clock.NowMillis();
    if (ts > now) clock.Advance(std::chrono::milliseconds(ts - now));
    for (int j = 0; j < jobs; ++j) {
      wal::Batch b(static_cast<uint64_t>(j + 1));
      for (int i = 0; i < series; ++i) {
        b.Add(labels::Labels::Of({{"__name__", "replay_test_total"},
                                  {"job", "j" + std::to_string(j)},
                                  {"series", std::to_string(i)}}),
              ts, static_cast<double>(r + i));
      }
      if (!w.Append(b).ok()) return false;
    }
  }
  return true;
}

}  // namespace ferry::replay::testing
