#include "wal/internal/series_table.h"

#include <string>

namespace ferry::wal::internal {

SeriesRef SeriesTable::Find(const labels::Labels& labels) const {
  const uint64_t h = labels.Hash();
  MutexLock l(mu_);
  auto [lo, hi] = by_hash_.equal_range(h);
  for (auto it = lo; it != hi; ++it) {
    auto e = by_ref_.find(it->second);
    if (e != by_ref_.end() && e->second.labels == labels) return it->second;
  }
  return kNoSeriesRef;
}

bool SeriesTable::Contains(SeriesRef ref) const {
  MutexLock l(mu_);
  return by_ref_.count(ref) != 0;
}

Result<labels::Labels> SeriesTable::Get(SeriesRef ref) const {
  MutexLock l(mu_);
  auto it = by_ref_.find(ref);
  if (it == by_ref_.end()) return Status::NotFound("series ref " + std::to_string(ref));
  return it->second.labels;
}

void SeriesTable::Insert(SeriesRef ref, labels::Labels labels, uint64_t keyframe_seq) {
  const uint64_t h = labels.Hash();
  MutexLock l(mu_);
  by_ref_.emplace(ref, Entry{std::move(labels), keyframe_seq});
  by_hash_.emplace(h, ref);
}

void SeriesTable::MarkKeyframe(const std::vector<SeriesRef>& refs, uint64_t seq) {
  MutexLock l(mu_);
  for (SeriesRef r : refs) {
    auto it = by_ref_.find(r);
    if (it != by_ref_.end() && it->second.keyframe_seq < seq) it->second.keyframe_seq = seq;
  }
}

std::vector<SeriesRef> SeriesTable::CollectBelow(uint64_t cut) {
  std::vector<SeriesRef> out;
  MutexLock l(mu_);
  for (auto it = by_ref_.begin(); it != by_ref_.end();) {
    if (it->second.keyframe_seq < cut) {
      const uint64_t h = it->second.labels.Hash();
      auto [lo, hi] = by_hash_.equal_range(h);
      for (auto j = lo; j != hi; ++j) {
        if (j->second == it->first) {
          by_hash_.erase(j);
          break;
        }
      }
      out.push_back(it->first);
      it = by_ref_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

void SeriesTable::Clear() {
  MutexLock l(mu_);
  by_ref_.clear();
  by_hash_.clear();
}

size_t SeriesTable::size() const {
  MutexLock l(mu_);
  return by_ref_.size();
}

}  // namespace ferry::wal::internal
