#include "src/scrape/scrape_cache.h"

#include <algorithm>
#include <functional>
#include <new>
#include <unordered_map>

#include "src/base/check.h"

namespace ferry::scrape {

namespace {
constexpr size_t kMaxBlock = 64 << 10;  // below malloc's mmap threshold
}  // namespace

ScrapeCache::~ScrapeCache() {
  for (Entry* e : slots_) {
    if (e != nullptr) e->~Entry();
  }
}

uint64_t ScrapeCache::Hash(std::string_view key) { return std::hash<std::string_view>{}(key); }

ScrapeCache::Entry* ScrapeCache::NewEntry(std::string_view key) {
  FERRY_DCHECK(key.size() <= kMaxKeySize);
  const size_t bytes = EntryBytes(key.size());
  if (bytes > bump_left_) {
    // Blocks grow with the cache, so a small target wastes little of its
    // last block and a large one allocates rarely.
    const size_t size = std::max(bytes, next_block_);
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(size));
    bump_ = blocks_.back().get();
    bump_left_ = size;
    next_block_ = std::min(next_block_ * 2, kMaxBlock);
  }
  Entry* e = new (bump_) Entry(static_cast<uint32_t>(key.size()));
  if (!key.empty()) std::memcpy(reinterpret_cast<char*>(e + 1), key.data(), key.size());
  bump_ += bytes;
  bump_left_ -= bytes;
  arena_bytes_ += bytes;
  return e;
}

void ScrapeCache::Compact() {
  std::vector<std::unique_ptr<char[]>> old;
  old.swap(blocks_);
  bump_ = nullptr;
  bump_left_ = 0;
  next_block_ = std::clamp<size_t>(arena_bytes_ - dead_bytes_, 1024, kMaxBlock);
  arena_bytes_ = 0;
  dead_bytes_ = 0;
  // Old address -> new; an entry is in previous() and the table.
  std::unordered_map<const Entry*, Entry*> moved;
  moved.reserve(size_);
  auto relocate = [&](Entry* e) {
    auto [it, inserted] = moved.try_emplace(e, nullptr);
    if (inserted) {
      Entry* n = NewEntry(e->key());
      n->labels = std::move(e->labels);
      n->ref = e->ref;
      n->last_iter = e->last_iter;
      n->tracked_iter = e->tracked_iter;
      n->order_pos = e->order_pos;
      n->derived_ = e->derived_;
      e->~Entry();
      it->second = n;
    }
    return it->second;
  };
  for (Entry*& e : prev_) e = relocate(e);
  for (Entry*& e : cur_) e = relocate(e);
  for (Entry*& e : slots_) {
    if (e != nullptr) e = relocate(e);
  }
}

ScrapeCache::Entry* ScrapeCache::Find(std::string_view series) const {
  if (size_ == 0) return nullptr;
  const uint64_t h = Hash(series);
  const uint16_t tag = Tag(h);
  const size_t mask = slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    Entry* e = slots_[i];
    if (e == nullptr) return nullptr;
    if (tags_[i] == tag && e->key_len_ == series.size() &&
        std::memcmp(e->key().data(), series.data(), series.size()) == 0) {
      return e;
    }
  }
}

void ScrapeCache::Place(Entry* e, uint64_t h) {
  const size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  while (slots_[i] != nullptr) i = (i + 1) & mask;
  slots_[i] = e;
  tags_[i] = Tag(h);
}

void ScrapeCache::Rehash(size_t capacity) {
  std::vector<Entry*> old;
  old.swap(slots_);
  slots_.assign(capacity, nullptr);
  std::vector<uint16_t>(capacity, 0).swap(tags_);
  for (Entry* e : old) {
    if (e != nullptr) Place(e, Hash(e->key()));
  }
}

void ScrapeCache::ReserveOne() {
  // At most 3/4 full: linear probing stays short, and with the tags most
  // probes never touch an entry.
  if ((size_ + 1) * 4 <= slots_.size() * 3) return;
  Rehash(std::max<size_t>(16, slots_.size() * 2));
}

ScrapeCache::Entry* ScrapeCache::Insert(std::string_view series, const labels::Labels& labels) {
  FERRY_DCHECK(Find(series) == nullptr && !labels.empty());
  ReserveOne();
  Entry* e = NewEntry(series);
  e->labels = labels::PackedLabels::Pack(labels);
  Place(e, Hash(series));
  ++size_;
  return e;
}

ScrapeCache::Entry* ScrapeCache::InsertDropped(std::string_view series) {
  FERRY_DCHECK(Find(series) == nullptr);
  ReserveOne();
  Entry* e = NewEntry(series);
  Place(e, Hash(series));
  ++size_;
  ++dropped_;
  return e;
}

void ScrapeCache::CommitOrder() {
  order_.swap(next_order_);
  tape_.swap(next_tape_);
  tape_bytes_.swap(next_tape_bytes_);
  if (tape_abandoned_) {
    std::vector<TapeEntry>().swap(tape_);
    std::string().swap(tape_bytes_);
  }
  // They live until the body changes shape: no slack from growing them.
  order_.shrink_to_fit();
  tape_.shrink_to_fit();
  tape_bytes_.shrink_to_fit();
  // The previous order and tape are not reused: the next scrape usually
  // takes the fast path and builds none, so keeping them would double
  // this cache's per-series bytes for nothing.
  ReleaseNext();
}

void ScrapeCache::ClearOrder() {
  std::vector<Entry*>().swap(order_);
  std::vector<TapeEntry>().swap(tape_);
  std::string().swap(tape_bytes_);
}

void ScrapeCache::AddTape(TapeKind kind, std::string_view bytes, MetadataStore::Entry* meta) {
  if (tape_abandoned_) return;
  if (bytes.size() > UINT16_MAX) {
    AbandonTape();  // a line longer than a TapeEntry counts: no fast path
    return;
  }
  TapeEntry t;
  t.len_ = static_cast<uint16_t>(bytes.size());
  t.kind_ = static_cast<uint8_t>(kind);
  t.ptr_ = meta;
  next_tape_.push_back(t);
  next_tape_bytes_.append(bytes);
}

void ScrapeCache::AddTapeSample(std::string_view gap, Entry* e, std::string_view sep,
                                bool recorded) {
  if (tape_abandoned_) return;
  if (gap.size() + sep.size() > UINT16_MAX || sep.size() > UINT8_MAX) {
    AbandonTape();
    return;
  }
  TapeEntry t;
  t.key_len_ = e->key_len_;
  t.len_ = static_cast<uint16_t>(gap.size() + sep.size());
  t.sep_ = static_cast<uint8_t>(sep.size());
  t.kind_ = static_cast<uint8_t>(TapeKind::kSample) | (recorded ? TapeEntry::kRecorded : 0) |
            (e->dropped() ? TapeEntry::kDropped : 0);
  t.ptr_ = e;
  next_tape_.push_back(t);
  next_tape_bytes_.append(gap);
  next_tape_bytes_.append(sep);
}

void ScrapeCache::ReserveTape(size_t body_size) {
  // A sample line keeps only its gap and separator (usually one byte);
  // comment and metadata lines keep their bytes.
  next_tape_bytes_.reserve(std::max(tape_bytes_.size(), body_size / 32));
  next_tape_.reserve(std::max(tape_.size(), body_size / 128));
}

void ScrapeCache::AbandonTape() {
  std::vector<TapeEntry>().swap(next_tape_);
  std::string().swap(next_tape_bytes_);
  tape_abandoned_ = true;
}

void ScrapeCache::CollectGarbage() {
  // The steady state: every entry was seen in this iteration.
  if (size_ <= touched_) return;
  // Entries in prev_ have last_iter == iter_ (they were seen in the scrape
  // that just finished), so erasing older ones never leaves prev_ dangling.
  size_t erased = 0;
  for (Entry*& e : slots_) {
    if (e != nullptr && iter_ - e->last_iter >= 2) {
      if (e->dropped()) --dropped_;
      dead_bytes_ += EntryBytes(e->key().size());
      e->~Entry();
      e = nullptr;
      ++erased;
    }
  }
  if (erased == 0) return;
  size_ -= erased;
  // Erased entries' bytes come back once they are a third of the arena
  // (amortised: each compaction copies at most twice what was erased).
  if (dead_bytes_ * 3 > arena_bytes_) Compact();
  // Holes break linear probing: place the survivors again, in a table sized
  // for them (a body that shrank a lot gives its memory back).
  size_t capacity = slots_.size();
  while (capacity > 16 && size_ * 4 <= capacity) capacity /= 2;
  Rehash(size_ == 0 ? 0 : capacity);
  // The committed order and tape may point at erased entries (after failed
  // scrapes).
  ClearOrder();
}

void ScrapeCache::ForgetRefs() {
  for (Entry* e : slots_) {
    if (e != nullptr) e->ref = wal::kNoSeriesRef;
  }
}

}  // namespace ferry::scrape
