// Value types of the WAL's public API: a Batch to append (one scrape) and a
// decoded Record to read back.
//
// Thread-safety: plain values; not thread-safe for concurrent mutation.
#pragma once

#include <cstdint>
#include <vector>

#include "src/labels/labels.h"

namespace ferry::wal {

// Identifies a series for the life of the log, across restarts. Assigned by
// the log (never 0; never reused, even after garbage collection).
using SeriesRef = uint64_t;
inline constexpr SeriesRef kNoSeriesRef = 0;

// Prometheus' staleness marker: a NaN with this exact bit pattern. The WAL
// stores it like any value and returns the same bits.
inline constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;

// One scrape's samples, appended atomically by Wal::Append. Samples keep their
// order; a scraper that appends the same series in the same order every time
// gets the compact delta encoding (docs/wal-format.md).
//
// Samples name their series either by a ref the log returned earlier or by a
// label set; Append resolves label sets to refs (creating new series in the
// same atomic write) and stores the ref back, so after a successful Append
// ref(i) is valid for every i and can be cached by the caller.
class Batch {
 public:
  // "stream" groups records for delta encoding, e.g. one id per scrape target.
  explicit Batch(uint64_t stream = 0) : stream_(stream) {}

  // Adds a sample of a series identified by "ref" (from a previous Append).
  // REQUIRES: ref != kNoSeriesRef.
  void Add(SeriesRef ref, int64_t timestamp_ms, double value) {
    refs_.push_back(ref);
    timestamps_.push_back(timestamp_ms);
    values_.push_back(value);
  }
  // Adds a sample of the series "labels"; the log finds or creates its ref.
  void Add(labels::Labels labels, int64_t timestamp_ms, double value) {
    pending_.push_back({refs_.size(), std::move(labels)});
    Add(SeriesRef{kNoSeriesRef}, timestamp_ms, value);
  }

  void Clear() {
    refs_.clear();
    timestamps_.clear();
    values_.clear();
    pending_.clear();
  }
  void set_stream(uint64_t stream) { stream_ = stream; }

  uint64_t stream() const { return stream_; }
  size_t size() const { return refs_.size(); }
  bool empty() const { return refs_.empty(); }
  SeriesRef ref(size_t i) const { return refs_[i]; }
  const std::vector<SeriesRef>& refs() const { return refs_; }
  const std::vector<int64_t>& timestamps() const { return timestamps_; }
  const std::vector<double>& values() const { return values_; }

  // Samples given by label set, not yet resolved to refs. For Wal::Append,
  // which resolves them and clears the list; callers only read refs().
  struct Pending {
    size_t index;
    labels::Labels labels;
  };
  std::vector<Pending>& pending() { return pending_; }
  const std::vector<Pending>& pending() const { return pending_; }
  std::vector<SeriesRef>& mutable_refs() { return refs_; }

 private:
  uint64_t stream_;
  std::vector<SeriesRef> refs_;
  std::vector<int64_t> timestamps_;
  std::vector<double> values_;
  std::vector<Pending> pending_;
};

// One decoded record: the samples of one Append, as parallel arrays
// (refs[i], timestamps[i], values[i]). Readers reuse a Record's vectors, so
// keep one Record per reader to bound allocations.
struct Record {
  uint64_t sequence = 0;
  uint64_t stream = 0;
  // Wall-clock ms of the append (non-decreasing in sequence order).
  int64_t append_ms = 0;
  // Samples appended before this record since the log was created.
  uint64_t first_sample = 0;
  int64_t min_timestamp = 0;
  int64_t max_timestamp = 0;
  bool keyframe = true;
  // The keyframe whose series list this record uses (== sequence for a keyframe).
  uint64_t keyframe_sequence = 0;
  std::vector<SeriesRef> refs;
  std::vector<int64_t> timestamps;
  std::vector<double> values;

  size_t size() const { return refs.size(); }
};

}  // namespace ferry::wal
