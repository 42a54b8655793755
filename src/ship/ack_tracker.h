// AckTracker: which WAL records the shards of one endpoint still owe an
// answer for, and hence how far the endpoint's cursor may advance.
//
// The reader registers each record it hands out with the number of samples
// it gave to shards (AddRecord) before handing them out; shards report each
// answered request as runs of (sequence, samples) (Ack). A record is done
// when its count reaches zero; the cursor is the sequence of the oldest
// record not done, or the reader's next sequence when every record is done:
// the contiguous acknowledged prefix. Out-of-order acks (shard 2 answers
// before shard 1) are fine: a done record behind an open one waits.
//
// Memory: one small entry per record between the cursor and the reader,
// bounded because shards hold at most `capacity` samples each.
//
// Thread-safety: thread-safe (one internal mutex; every call is O(runs) or
// O(log records)).
#pragma once

#include <cstdint>
#include <deque>
#include <span>

#include "src/base/mutex.h"

namespace ferry::ship {

struct SeqRun {
  uint64_t sequence = 0;
  uint64_t samples = 0;
};

struct BacklogInfo {
  // Cursor value: every record before it is acknowledged by all shards.
  uint64_t next_sequence = 0;
  // first_sample / append time of the oldest unacknowledged record handed
  // out; has_outstanding false when every handed-out record is done.
  bool has_outstanding = false;
  uint64_t oldest_first_sample = 0;
  int64_t oldest_append_ms = 0;
  uint64_t outstanding_records = 0;
};

class AckTracker {
 public:
  // "next_sequence": where the reader starts (the persisted cursor).
  explicit AckTracker(uint64_t next_sequence);

  // Registers record "sequence" with "samples" handed to shards, and moves
  // the reader position past it. A record with 0 samples only moves the
  // position. REQUIRES: sequences strictly increasing.
  void AddRecord(uint64_t sequence, uint64_t first_sample, int64_t append_ms, uint64_t samples);

  // The reader skipped to "next_sequence" (records deleted by retention, or
  // caught up). REQUIRES: >= every added sequence + 1.
  void SetReaderPosition(uint64_t next_sequence);

  // Subtracts each run from its record. Acks for unknown records or beyond
  // a record's count are bugs (checked).
  void Ack(std::span<const SeqRun> runs);

  uint64_t CommittableSequence() const;
  BacklogInfo Backlog() const;

 private:
  struct Entry {
    uint64_t sequence;
    uint64_t first_sample;
    int64_t append_ms;
    uint64_t outstanding;
  };
  void PopDone() FERRY_REQUIRES(mu_);

  mutable Mutex mu_;
  std::deque<Entry> entries_ FERRY_GUARDED_BY(mu_);  // increasing sequence
  uint64_t reader_next_ FERRY_GUARDED_BY(mu_);
};

}  // namespace ferry::ship
