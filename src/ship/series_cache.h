// SeriesCache: a sender's map from WAL series ref to the labels the series
// is sent with (validated and encoded once) or the reason its samples are
// dropped. Used by the shipper's shards and by replay's senders; both fill
// entries with ResolveSeries() below.
//
// An open-addressing table: linear probing over an array of 32-byte
// entries kept at most three quarters full (grown by half), indexed by
// Fibonacci hashing of the ref. A lookup reads one entry (rarely two), where std::unordered_map
// read the bucket, the node before the wanted one and the node: three
// dependent cache misses per series per request, 22 % of ferry's CPU in the
// steady side-by-side scenario at 100 k series (docs/perf-notes/ship.md,
// "Series cache"). A request's refs are known before it is built, so Build()
// prefetches entries a few series ahead.
//
// Labels are kept as ids of their pieces in a LabelPool (each label's wire
// bytes stored once per cache): up to 5 ids inside the entry, more in a side
// array. Labels() assembles them into the bytes a builder copies.
//
// There is no erase: a shard clears the whole cache when it reaches its
// bound, and hands its entries to the next shards when resharding (Drain).
//
// Thread-safety: not thread-safe; owned by one sender thread (or by the
// shipper's reader while no shard runs).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/status.h"
#include "src/labels/labels.h"
#include "src/remote/encoded_labels.h"
#include "src/ship/endpoint.h"
#include "src/ship/label_pool.h"
#include "wal/record.h"
#include "wal/wal.h"

namespace ferry::ship {

class SeriesCache {
 public:
  enum class Drop : uint8_t { kNone, kUnknownSeries, kDroppedSeries, kInvalidSeries };

  SeriesCache() = default;
  SeriesCache(SeriesCache&&) noexcept = default;
  SeriesCache& operator=(SeriesCache&&) noexcept = default;

  // What a sender decided for a series (ResolveSeries): "labels" is set iff
  // drop == kNone.
  struct Resolved {
    remote::EncodedLabels labels;
    Drop drop = Drop::kNone;
  };

  // One cached series. Read its labels with Labels().
  struct Entry {
    wal::SeriesRef ref = wal::kNoSeriesRef;
    Drop drop = Drop::kNone;
    uint16_t count = 0;  // labels; kOverflow: ids[0] indexes overflow_, ids[1] is the count
    uint32_t ids[5] = {};
  };

  // The entry of "ref", or null.
  const Entry* Find(wal::SeriesRef ref) const {
    if (slots_.empty()) return nullptr;
    for (size_t i = Index(ref);; i = Next(i)) {
      const Entry& s = slots_[i];
      if (s.ref == ref) return &s;
      if (s.ref == wal::kNoSeriesRef) return nullptr;
    }
  }

  // Adds "ref" with drop reason "drop" and, for kNone, labels "labels"
  // (bytes as EncodedLabels::FromLabels wrote them); returns its entry.
  // Pointers returned earlier are invalidated. REQUIRES: "ref" absent and
  // not kNoSeriesRef.
  const Entry* Insert(wal::SeriesRef ref, Drop drop, remote::EncodedLabelsView labels);

  // The labels of "e" (drop kNone), assembled in "*scratch" (overwritten).
  remote::EncodedLabelsView Labels(const Entry& e, std::string* scratch) const;

  // The labels of "e" (drop kNone) as pieces, one per label, for a builder
  // that copies them straight into a request; "*pieces" is overwritten.
  // Valid until the next Insert() or Clear().
  std::span<const std::string_view> Pieces(const Entry& e,
                                           std::vector<std::string_view>* pieces) const;

  // Hints that Find(ref) comes soon: the entry's cache line and the next
  // (at 3/4 load a hit takes 2.5 probes on average, 80 bytes).
  void Prefetch(wal::SeriesRef ref) const {
    if (slots_.empty()) return;
    const Entry* e = &slots_[Index(ref)];
    __builtin_prefetch(e);
    __builtin_prefetch(reinterpret_cast<const char*>(e) + 64);
  }

  // Hints that the labels of "ref" are read soon: their pieces in the pool
  // (a series' own pieces, such as its instance or id, are read once per
  // request and miss the cache otherwise). Call after Prefetch(ref) had time.
  void PrefetchLabels(wal::SeriesRef ref) const {
    const Entry* e = Find(ref);
    if (e == nullptr || e->drop != Drop::kNone) return;
    for (LabelPool::Id id : Ids(*e)) __builtin_prefetch(pool_.Address(id));
  }

  size_t size() const { return size_; }
  // Sizes the table for "n" entries at once (no rehash while they are
  // inserted), e.g. before a reshard hands a shard its share of the series.
  void Reserve(size_t n);
  // Forgets every entry and frees the table and the pool.
  void Clear();

  // Calls fn(ref, drop, labels) for every entry in ref order (labels empty
  // unless drop is kNone; valid during the call), then clears. Ref order,
  // not table order: a cache filled from the calls then stores the labels
  // in the order Build reads them (sorted by ref), which keeps its reads of
  // the pool sequential (in table order they were a cache miss per series,
  // docs/perf-notes/ship.md "Series cache memory").
  template <typename Fn>
  void Drain(Fn&& fn) {
    std::vector<const Entry*> order;
    order.reserve(size_);
    for (const Entry& s : slots_) {
      if (s.ref != wal::kNoSeriesRef) order.push_back(&s);
    }
    std::sort(order.begin(), order.end(),
              [](const Entry* a, const Entry* b) { return a->ref < b->ref; });
    std::string scratch;
    for (const Entry* s : order) {
      fn(s->ref, s->drop,
         s->drop == Drop::kNone ? Labels(*s, &scratch) : remote::EncodedLabelsView());
    }
    Clear();
  }

 private:
  // The label piece ids of "e".
  std::span<const LabelPool::Id> Ids(const Entry& e) const;
  static constexpr uint16_t kOverflow = UINT16_MAX;
  static constexpr size_t kInline = 5;

  // Fibonacci hashing of the ref, mapped onto [0, capacity) by a multiply
  // (Lemire's range reduction): any capacity works, so the table is sized
  // to its entries rather than to the next power of two (at 50 k entries a
  // power of two wasted 2 MB).
  size_t Index(wal::SeriesRef ref) const {
    const uint64_t h = ref * 0x9E3779B97F4A7C15ull;
    return static_cast<size_t>((static_cast<unsigned __int128>(h) * slots_.size()) >> 64);
  }
  size_t Next(size_t i) const { return i + 1 == slots_.size() ? 0 : i + 1; }
  void Rehash(size_t capacity);

  std::vector<Entry> slots_;
  size_t size_ = 0;
  LabelPool pool_;
  std::vector<LabelPool::Id> overflow_;  // ids of entries with more than kInline labels
};

// Fills "r" for series "ref": the labels endpoint "ep" sends it with (read
// from "wal", then Endpoint::SendLabels, then encoded once), or why its
// samples are dropped: kUnknownSeries (not in the WAL), kDroppedSeries
// (relabeled away) or kInvalidSeries (refused by the encoder, or the WAL's
// record of the series is corrupt; a sentence saying which goes to
// "*refused" when that is not null). Shared by the shipper's shards and
// replay's senders. "lb" is scratch.
//
// Returns the error, with "r" left unfilled, when the record could not be
// read for a reason that may pass (an I/O error): the caller must not cache
// anything and should try again later rather than drop committed samples.
[[nodiscard]] Status ResolveSeries(wal::Wal& wal, const Endpoint& ep, wal::SeriesRef ref,
                                   labels::LabelsBuilder* lb, SeriesCache::Resolved* r,
                                   std::string* refused);

}  // namespace ferry::ship
