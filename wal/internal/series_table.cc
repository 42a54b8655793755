#include "wal/internal/series_table.h"

#include <string>
#include <utility>

#include "src/base/check.h"

namespace ferry::wal::internal {
namespace {

constexpr size_t kMinCapacity = 16;

// splitmix64's finaliser: every input bit moves every output bit.
uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

uint32_t RefHome(SeriesRef ref) { return static_cast<uint32_t>(Mix(ref) >> 32); }
uint32_t HashTag(uint64_t labels_hash) { return static_cast<uint32_t>(Mix(labels_hash) >> 32); }

// Slots for "n" entries at load <= 3/4: a power of two >= kMinCapacity.
size_t CapacityFor(size_t n) {
  size_t cap = kMinCapacity;
  while (n * 4 > cap * 3) cap *= 2;
  return cap;
}

uint64_t HashSlot(uint32_t tag, uint32_t index) {
  return (static_cast<uint64_t>(tag) << 32) | (static_cast<uint64_t>(index) + 1);
}
uint32_t SlotTag(uint64_t slot) { return static_cast<uint32_t>(slot >> 32); }
uint32_t SlotIndex(uint64_t slot) { return static_cast<uint32_t>(slot & 0xffffffffu) - 1; }

}  // namespace

uint32_t SeriesTable::IndexOf(SeriesRef ref) const {
  if (by_ref_.empty()) return kNone;
  const size_t mask = by_ref_.size() - 1;
  // Load < 1 guarantees an empty slot, so the probe ends.
  for (size_t i = RefHome(ref) & mask;; i = (i + 1) & mask) {
    const uint32_t s = by_ref_[i];
    if (s == 0) return kNone;
    if (entries_[s - 1].ref == ref) return s - 1;
  }
}

void SeriesTable::IndexRef(uint32_t index) {
  const size_t mask = by_ref_.size() - 1;
  size_t i = RefHome(entries_[index].ref) & mask;
  while (by_ref_[i] != 0) i = (i + 1) & mask;
  by_ref_[i] = index + 1;
}

void SeriesTable::IndexHash(uint32_t tag, uint32_t index) {
  const size_t mask = by_hash_.size() - 1;
  size_t i = tag & mask;
  while (by_hash_[i] != 0) i = (i + 1) & mask;
  by_hash_[i] = HashSlot(tag, index);
}

std::vector<uint32_t> SeriesTable::Tags() const {
  std::vector<uint32_t> tags(entries_.size());
  for (uint64_t s : by_hash_) {
    if (s != 0) tags[SlotIndex(s)] = SlotTag(s);
  }
  return tags;
}

void SeriesTable::Rebuild(size_t capacity, const std::vector<uint32_t>& tags) {
  FERRY_DCHECK(tags.size() == entries_.size());
  by_ref_.assign(capacity, 0);
  by_hash_.assign(capacity, 0);
  for (uint32_t i = 0; i < entries_.size(); ++i) {
    IndexRef(i);
    IndexHash(tags[i], i);
  }
}

void SeriesTable::Candidates(uint64_t labels_hash, std::vector<SeriesRef>* out) const {
  const uint32_t tag = HashTag(labels_hash);
  MutexLock l(mu_);
  if (by_hash_.empty()) return;
  const size_t mask = by_hash_.size() - 1;
  for (size_t i = tag & mask;; i = (i + 1) & mask) {
    const uint64_t s = by_hash_[i];
    if (s == 0) return;
    if (SlotTag(s) == tag) out->push_back(entries_[SlotIndex(s)].ref);
  }
}

bool SeriesTable::Contains(SeriesRef ref) const {
  MutexLock l(mu_);
  return IndexOf(ref) != kNone;
}

void SeriesTable::Insert(SeriesRef ref, uint64_t labels_hash, uint64_t keyframe_seq) {
  const uint32_t tag = HashTag(labels_hash);
  MutexLock l(mu_);
  FERRY_DCHECK(IndexOf(ref) == kNone);
  // Entry indices are stored + 1 in 32 bits, and kNone is reserved.
  FERRY_CHECK(entries_.size() < kNone - 1);
  const size_t n = entries_.size() + 1;
  if (n * 4 > by_ref_.size() * 3) Rebuild(CapacityFor(n), Tags());
  const auto index = static_cast<uint32_t>(entries_.size());
  entries_.push_back(Entry{ref, keyframe_seq});
  IndexRef(index);
  IndexHash(tag, index);
}

void SeriesTable::MarkKeyframe(const std::vector<SeriesRef>& refs, uint64_t seq) {
  MutexLock l(mu_);
  for (SeriesRef r : refs) {
    const uint32_t i = IndexOf(r);
    if (i != kNone && entries_[i].keyframe_seq < seq) entries_[i].keyframe_seq = seq;
  }
}

std::vector<SeriesRef> SeriesTable::CollectBelow(uint64_t cut) {
  std::vector<SeriesRef> out;
  MutexLock l(mu_);
  std::vector<uint32_t> tags;
  size_t kept = 0;
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].keyframe_seq < cut) {
      if (out.empty()) tags = Tags();  // before any entry moves
      out.push_back(entries_[i].ref);
      continue;
    }
    if (kept != i) {
      entries_[kept] = std::move(entries_[i]);
      if (!tags.empty()) tags[kept] = tags[i];
    }
    ++kept;
  }
  if (out.empty()) return out;
  entries_.resize(kept);
  tags.resize(kept);
  // Give memory back after a large collection (GC is rare; a copy is fine).
  if (entries_.capacity() > 2 * kept + kMinCapacity) entries_.shrink_to_fit();
  Rebuild(CapacityFor(kept), tags);
  return out;
}

void SeriesTable::Clear() {
  MutexLock l(mu_);
  std::vector<Entry>().swap(entries_);
  std::vector<uint32_t>().swap(by_ref_);
  std::vector<uint64_t>().swap(by_hash_);
}

size_t SeriesTable::size() const {
  MutexLock l(mu_);
  return entries_.size();
}

}  // namespace ferry::wal::internal
