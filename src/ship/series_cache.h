// SeriesCache: a sender's map from WAL series ref to the labels the series
// is sent with (validated and encoded once) or the reason its samples are
// dropped. Used by the shipper's shards and by replay's senders; both fill
// entries with ResolveSeries() below.
//
// An open-addressing table: linear probing over a power-of-two array of
// 24-byte slots kept at most half full, indexed by Fibonacci hashing of the
// ref. A lookup reads one slot (rarely two), where std::unordered_map read
// the bucket, the node before the wanted one and the node: three dependent
// cache misses per series per request, 22 % of ferry's CPU in the steady
// side-by-side scenario at 100 k series (docs/perf-notes/ship.md, "Series
// cache"). A request's refs are known before it is built, so Build()
// prefetches slots a few series ahead.
//
// There is no erase: a shard clears the whole cache when it reaches its
// bound, and hands its entries to the next shards when resharding (Drain).
//
// Thread-safety: not thread-safe; owned by one sender thread (or by the
// shipper's reader while no shard runs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "src/base/status.h"
#include "src/labels/labels.h"
#include "src/remote/encoded_labels.h"
#include "src/ship/endpoint.h"
#include "wal/record.h"
#include "wal/wal.h"

namespace ferry::ship {

class SeriesCache {
 public:
  enum class Drop : uint8_t { kNone, kUnknownSeries, kDroppedSeries, kInvalidSeries };

  SeriesCache() = default;
  SeriesCache(SeriesCache&&) noexcept = default;
  SeriesCache& operator=(SeriesCache&&) noexcept = default;

  // The entry of "ref", or null. "labels" is set iff drop == kNone.
  struct Entry {
    remote::EncodedLabels labels;
    Drop drop = Drop::kNone;
  };
  Entry* Find(wal::SeriesRef ref) {
    if (slots_.empty()) return nullptr;
    for (size_t i = Index(ref);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.ref == ref) return &s.entry;
      if (s.ref == wal::kNoSeriesRef) return nullptr;
    }
  }

  // Adds "ref" with a default Entry and returns it; pointers returned
  // earlier are invalidated. REQUIRES: "ref" absent and not kNoSeriesRef.
  Entry* Insert(wal::SeriesRef ref);

  // Hints that Find(ref) comes soon.
  void Prefetch(wal::SeriesRef ref) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[Index(ref)]);
  }

  size_t size() const { return size_; }
  // Sizes the table for "n" entries at once (no rehash while they are
  // inserted), e.g. before a reshard hands a shard its share of the series.
  void Reserve(size_t n);
  // Forgets every entry and frees the table.
  void Clear();

  // Calls fn(ref, Entry&&) for every entry, then clears.
  template <typename Fn>
  void Drain(Fn&& fn) {
    for (Slot& s : slots_) {
      if (s.ref != wal::kNoSeriesRef) fn(s.ref, std::move(s.entry));
    }
    Clear();
  }

 private:
  struct Slot {
    wal::SeriesRef ref = wal::kNoSeriesRef;
    Entry entry;
  };
  size_t Index(wal::SeriesRef ref) const {
    return static_cast<size_t>((ref * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  void Rehash(size_t capacity);

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  int shift_ = 64;
  size_t size_ = 0;
};

// Fills "e" (a fresh entry) for series "ref": the labels endpoint "ep"
// sends it with (read from "wal", then Endpoint::SendLabels, then encoded
// once), or why its samples are dropped: kUnknownSeries (not in the WAL),
// kDroppedSeries (relabeled away) or kInvalidSeries (refused by the
// encoder, or the WAL's record of the series is corrupt; a sentence saying
// which goes to "*refused" when that is not null). Shared by the shipper's shards and
// replay's senders. "lb" is scratch.
//
// Returns the error, with "e" left unfilled, when the record could not be
// read for a reason that may pass (an I/O error): the caller must not keep
// "e" and should try again later rather than drop committed samples.
[[nodiscard]] Status ResolveSeries(wal::Wal& wal, const Endpoint& ep, wal::SeriesRef ref,
                                   labels::LabelsBuilder* lb, SeriesCache::Entry* e,
                                   std::string* refused);

}  // namespace ferry::ship
