// ReaderImpl: the wal::Reader over RocksDB. Reads through an explicit
// snapshot (renewed when the reader catches up) so that a delta record and
// the records it is decoded against always come from the same state, even
// while retention deletes concurrently.
//
// A delta is decoded against its stream's previous record. Reading in order,
// that is the record the reader returned last for the stream (kept in
// bases_); otherwise (first read of a stream, or evicted) the reader walks
// back the prev_dist chain to the keyframe, at most kKeyframeInterval point
// lookups, and decodes forward.
//
// Thread-safety: as wal::Reader (one thread at a time).
#pragma once

#include <rocksdb/db.h>

#include <memory>
#include <unordered_map>
#include <vector>

#include "wal/internal/codec.h"
#include "wal/internal/wal_impl.h"
#include "wal/reader.h"

namespace ferry::wal::internal {

class ReaderImpl final : public Reader {
 public:
  // "wal" must outlive the reader.
  ReaderImpl(WalImpl& wal, uint64_t sequence);
  ~ReaderImpl() override;
  ReaderImpl(const ReaderImpl&) = delete;
  ReaderImpl& operator=(const ReaderImpl&) = delete;

  Result<bool> Next(Record& out) override;
  void Seek(uint64_t sequence) override;
  State state() const override { return state_; }
  uint64_t position() const override { return position_; }
  uint64_t skipped_truncated() const override { return skipped_truncated_; }
  uint64_t skipped_corrupt() const override { return skipped_corrupt_; }

 private:
  void Reposition();
  void Release();
  Status Fail(Status s);
  struct StreamBase {
    uint64_t sequence = 0;
    uint64_t keyframe_sequence = 0;
    std::vector<SeriesRef> refs;
    std::vector<double> values;
  };
  // Sets "*base" to the record at "prev_seq" of "stream", from bases_ or by
  // walking the chain in the snapshot.
  Status Base(uint64_t stream, uint64_t prev_seq, DeltaBase* base);
  void Remember(const Record& r);
  // After an unreadable SST block at "bad": the smallest sequence > "bad"
  // from which a Seek succeeds (found by doubling then bisecting), or
  // LastSequence() + 1.
  uint64_t NextReadable(uint64_t bad);
  bool SeekWorks(uint64_t sequence);

  // Last decoded record per stream; bounded by samples.
  static constexpr size_t kBaseSamples = size_t{1} << 21;

  WalImpl& wal_;
  const rocksdb::Snapshot* snapshot_ = nullptr;
  std::unique_ptr<rocksdb::Iterator> it_;
  uint64_t position_;
  State state_ = State::kReading;
  Status failed_;
  uint64_t skipped_truncated_ = 0;
  uint64_t skipped_corrupt_ = 0;
  std::unordered_map<uint64_t, StreamBase> bases_;
  size_t base_samples_ = 0;
};

}  // namespace ferry::wal::internal
