#include "src/ship/series_cache.h"

#include <algorithm>
#include <utility>

#include "src/base/check.h"

namespace ferry::ship {

namespace {
constexpr size_t kInitialSlots = 1024;
}  // namespace

const SeriesCache::Entry* SeriesCache::Insert(wal::SeriesRef ref, Drop drop,
                                              remote::EncodedLabelsView labels) {
  FERRY_DCHECK(ref != wal::kNoSeriesRef);
  if (slots_.empty() || (size_ + 1) * 4 > slots_.size() * 3) {
    Rehash(slots_.empty() ? kInitialSlots : slots_.size() + slots_.size() / 2);
  }
  size_t i = Index(ref);
  while (slots_[i].ref != wal::kNoSeriesRef) {
    FERRY_DCHECK(slots_[i].ref != ref);
    i = Next(i);
  }
  Entry& e = slots_[i];
  e.ref = ref;
  e.drop = drop;
  e.count = 0;
  if (drop == Drop::kNone) {
    LabelPool::Id ids[kInline];
    size_t n = 0;
    const size_t start = overflow_.size();
    for (std::string_view rest = labels.bytes(); !rest.empty();) {
      const size_t len = LabelPool::PieceSize(rest);
      const LabelPool::Id id = pool_.Intern(rest.substr(0, len));
      if (n < kInline) ids[n] = id;
      overflow_.push_back(id);  // kept only if there are more than kInline
      ++n;
      rest.remove_prefix(len);
    }
    if (n <= kInline) {
      overflow_.resize(start);
      e.count = static_cast<uint16_t>(n);
      std::copy_n(ids, n, e.ids);
    } else {
      e.count = kOverflow;
      e.ids[0] = static_cast<uint32_t>(start);
      e.ids[1] = static_cast<uint32_t>(n);
    }
  }
  ++size_;
  return &e;
}

std::span<const LabelPool::Id> SeriesCache::Ids(const Entry& e) const {
  if (e.count == kOverflow) return {overflow_.data() + e.ids[0], e.ids[1]};
  return {e.ids, e.count};
}

remote::EncodedLabelsView SeriesCache::Labels(const Entry& e, std::string* scratch) const {
  scratch->clear();
  for (LabelPool::Id id : Ids(e)) scratch->append(pool_.Get(id));
  return remote::EncodedLabelsView(*scratch);
}

std::span<const std::string_view> SeriesCache::Pieces(
    const Entry& e, std::vector<std::string_view>* pieces) const {
  pieces->clear();
  for (LabelPool::Id id : Ids(e)) pieces->push_back(pool_.Get(id));
  return *pieces;
}

void SeriesCache::Reserve(size_t n) {
  const size_t capacity = std::max(kInitialSlots, n / 3 * 4 + 4);  // the load Insert keeps: 3/4
  if (capacity > slots_.size()) Rehash(capacity);
}

void SeriesCache::Clear() {
  std::vector<Entry>().swap(slots_);
  pool_.Clear();
  std::vector<LabelPool::Id>().swap(overflow_);
  size_ = 0;
}

void SeriesCache::Rehash(size_t capacity) {
  std::vector<Entry> old;
  old.swap(slots_);
  slots_.resize(capacity);
  for (Entry& s : old) {
    if (s.ref == wal::kNoSeriesRef) continue;
    size_t i = Index(s.ref);
    while (slots_[i].ref != wal::kNoSeriesRef) i = Next(i);
    slots_[i] = std::move(s);
  }
}

Status ResolveSeries(wal::Wal& wal, const Endpoint& ep, wal::SeriesRef ref,
                     labels::LabelsBuilder* lb, SeriesCache::Resolved* e, std::string* refused) {
  Result<labels::Labels> ls = wal.GetSeries(ref);
  labels::Labels sent;
  if (!ls.ok()) {
    if (ls.status().IsNotFound()) {
      e->drop = SeriesCache::Drop::kUnknownSeries;
    } else if (ls.status().IsCorruption()) {
      e->drop = SeriesCache::Drop::kInvalidSeries;
      if (refused != nullptr) *refused = "series record corrupt in the WAL: " + ls.status().message();
    } else {
      return ls.status();
    }
  } else if (!ep.SendLabels(*ls, lb, &sent)) {
    e->drop = SeriesCache::Drop::kDroppedSeries;
  } else if (Result<remote::EncodedLabels> enc = remote::EncodedLabels::FromLabels(sent);
             !enc.ok()) {
    e->drop = SeriesCache::Drop::kInvalidSeries;
    if (refused != nullptr) *refused = "series refused by the encoder: " + enc.status().message();
  } else {
    e->drop = SeriesCache::Drop::kNone;
    e->labels = std::move(*enc);
  }
  return Status::Ok();
}

}  // namespace ferry::ship
