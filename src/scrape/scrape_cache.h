// ScrapeCache: what one target's scrape loop remembers between scrapes.
//
// The key is the raw series bytes of the exposition line (e.g.
// `http_requests_total{code="200"}`), so a series seen before is neither
// re-parsed into labels nor re-relabeled: one hash lookup finds its WAL ref.
// This is where the CPU of a steady scrape goes, as in Prometheus'
// scrapeCache. Series dropped by metric_relabel_configs are remembered too.
//
// The cache also carries the previous scrape's series for staleness markers.
//
// Thread-safety: not thread-safe; owned by one scrape loop and used by one
// scrape at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "src/labels/labels.h"
#include "wal/record.h"

namespace ferry::scrape {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class ScrapeCache {
 public:
  struct Entry {
    labels::Labels labels;            // final labels (after target labels and relabeling)
    wal::SeriesRef ref = wal::kNoSeriesRef;  // kNoSeriesRef until the first append commits
    uint64_t last_iter = 0;           // scrape iteration that last saw this series
  };

  // Returns the entry for "series", or null.
  Entry* Find(std::string_view series) {
    auto it = entries_.find(series);
    return it == entries_.end() ? nullptr : &it->second;
  }
  Entry* Insert(std::string_view series, labels::Labels labels) {
    auto [it, inserted] = entries_.try_emplace(std::string(series));
    it->second.labels = std::move(labels);
    it->second.ref = wal::kNoSeriesRef;
    return &it->second;
  }
  bool IsDropped(std::string_view series) const { return dropped_.find(series) != dropped_.end(); }
  void AddDropped(std::string_view series) { dropped_.emplace(series); }

  // Starts scrape iteration "iter" (increasing).
  uint64_t NextIteration() { return ++iter_; }
  uint64_t iteration() const { return iter_; }

  // Series of the previous successful scrape (for staleness markers).
  std::vector<Entry*>& previous() { return prev_; }
  const std::vector<Entry*>& previous() const { return prev_; }
  std::vector<Entry*>& current() { return cur_; }
  // After a scrape: current becomes previous.
  void Rotate() {
    prev_.swap(cur_);
    cur_.clear();
  }
  // Forgets series not seen for 2 iterations, and the dropped-series memory
  // (which is rebuilt cheaply), as Prometheus' iterDone does.
  void CollectGarbage();
  // Forgets every WAL ref (after the WAL collected refs this cache held).
  void ForgetRefs();

  size_t size() const { return entries_.size(); }

 private:
  std::unordered_map<std::string, Entry, StringHash, std::equal_to<>> entries_;
  std::unordered_set<std::string, StringHash, std::equal_to<>> dropped_;
  std::vector<Entry*> prev_, cur_;
  uint64_t iter_ = 0;
};

}  // namespace ferry::scrape
