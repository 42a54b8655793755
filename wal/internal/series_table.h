// SeriesTable: the in-memory index of live series (ref -> labels, labels ->
// ref), rebuilt at open from the `series` column family. It also remembers,
// per series, the newest keyframe sequence that lists it, which is what
// garbage collection needs: a series is referenced by a retained record iff
// that keyframe is retained (a delta record only references its keyframe's
// series, and retention never deletes a keyframe a retained delta needs).
//
// Thread-safety: thread-safe (internal mutex). Mutations come from the
// group-commit leader or retention; lookups from any thread.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "src/base/mutex.h"
#include "src/base/status.h"
#include "src/labels/labels.h"
#include "wal/record.h"

namespace ferry::wal::internal {

class SeriesTable {
 public:
  // Returns the ref of "labels", or kNoSeriesRef.
  SeriesRef Find(const labels::Labels& labels) const;
  bool Contains(SeriesRef ref) const;
  Result<labels::Labels> Get(SeriesRef ref) const;
  // REQUIRES: "ref" is not present.
  void Insert(SeriesRef ref, labels::Labels labels, uint64_t keyframe_seq);
  // Records that keyframe "seq" lists every ref in "refs".
  void MarkKeyframe(const std::vector<SeriesRef>& refs, uint64_t seq);
  // Removes and returns every series whose newest keyframe is < "cut".
  std::vector<SeriesRef> CollectBelow(uint64_t cut);
  size_t size() const;
  void Clear();

 private:
  struct Entry {
    labels::Labels labels;
    uint64_t keyframe_seq;
  };
  mutable Mutex mu_;
  std::unordered_map<SeriesRef, Entry> by_ref_ FERRY_GUARDED_BY(mu_);
  std::unordered_multimap<uint64_t, SeriesRef> by_hash_ FERRY_GUARDED_BY(mu_);
};

}  // namespace ferry::wal::internal
