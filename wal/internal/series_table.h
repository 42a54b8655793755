// SeriesTable: the in-memory index of live series (ref -> entry, label hash
// -> refs), rebuilt at open from the `series` column family. It also
// remembers, per series, the newest keyframe sequence that lists it, which
// is what garbage collection needs: a series is referenced by a retained
// record iff that keyframe is retained (a delta record only references its
// keyframe's series, and retention never deletes a keyframe a retained delta
// needs).
//
// It keeps no label bytes: the series family has them, and the WAL reads
// them back only for a new label set whose hash matches (Candidates) and for
// GetSeries, which shippers and replay call once per series and cache.
// Label bytes were ~120 of its ~190 bytes per series, for lookups that
// steady scraping never makes (the scrape cache holds the refs).
//
// Memory (it holds every live series for the life of the process): entries
// live in one dense vector (ref, keyframe sequence: 16 bytes), indexed by
// two open-addressing tables of 32-bit entry indices with linear probing,
// load <= 3/4:
//   by_ref_   slot = entry index + 1 (0: empty), home slot from the ref;
//   by_hash_  slot = (32 bits of the label hash << 32) | (entry index + 1),
//             home slot from those 32 bits.
// docs/perf-notes/wal.md has the bytes per series (bench/labels_mem_bench).
//
// Thread-safety: thread-safe (internal mutex). Mutations come from the
// group-commit leader or retention; lookups from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "src/base/mutex.h"
#include "src/base/status.h"
#include "src/labels/labels.h"
#include "wal/record.h"

namespace ferry::wal::internal {

class SeriesTable {
 public:
  // Appends to "out" the refs whose label hash (labels::Labels::Hash())
  // shares 32 bits with "labels_hash": every series with those labels, and
  // rarely another. The caller compares the labels.
  void Candidates(uint64_t labels_hash, std::vector<SeriesRef>* out) const;
  bool Contains(SeriesRef ref) const;
  // REQUIRES: "ref" is not present. At most 2^32 - 2
  // series (checked).
  void Insert(SeriesRef ref, uint64_t labels_hash, uint64_t keyframe_seq);
  // Records that keyframe "seq" lists every ref in "refs".
  void MarkKeyframe(const std::vector<SeriesRef>& refs, uint64_t seq);
  // Removes and returns every series whose newest keyframe is < "cut".
  std::vector<SeriesRef> CollectBelow(uint64_t cut);
  size_t size() const;
  void Clear();

 private:
  struct Entry {
    SeriesRef ref;
    uint64_t keyframe_seq;
  };
  // Index of the entry of "ref" in entries_, or kNone.
  static constexpr uint32_t kNone = UINT32_MAX;
  uint32_t IndexOf(SeriesRef ref) const FERRY_REQUIRES(mu_);
  // Adds entry "index" to the indexes (which have room).
  void IndexRef(uint32_t index) FERRY_REQUIRES(mu_);
  void IndexHash(uint32_t tag, uint32_t index) FERRY_REQUIRES(mu_);
  // Rebuilds both indexes for "capacity" slots (a power of two) from
  // entries_; "tags[i]" is the hash tag of entries_[i].
  void Rebuild(size_t capacity, const std::vector<uint32_t>& tags) FERRY_REQUIRES(mu_);
  // The hash tag of every entry, in entries_ order (read from by_hash_).
  std::vector<uint32_t> Tags() const FERRY_REQUIRES(mu_);

  mutable Mutex mu_;
  std::vector<Entry> entries_ FERRY_GUARDED_BY(mu_);
  std::vector<uint32_t> by_ref_ FERRY_GUARDED_BY(mu_);
  std::vector<uint64_t> by_hash_ FERRY_GUARDED_BY(mu_);
};

}  // namespace ferry::wal::internal
