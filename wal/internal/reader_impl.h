// ReaderImpl: the wal::Reader over RocksDB. Reads through an explicit
// snapshot (renewed when the reader catches up) so that a delta record and
// the keyframe it is decoded against always come from the same state, even
// while retention deletes and rewrites concurrently.
//
// Thread-safety: as wal::Reader (one thread at a time).
#pragma once

#include <deque>
#include <memory>
#include <unordered_map>

#include <rocksdb/db.h>

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
  // Finds the keyframe at "seq" in the cache or the snapshot.
  Status Keyframe(uint64_t seq, const Record** out);
  void Cache(const Record& keyframe);

  // Decoded keyframes kept for the deltas that follow; bounded by samples.
  static constexpr size_t kCacheSamples = size_t{1} << 20;

  WalImpl& wal_;
  const rocksdb::Snapshot* snapshot_ = nullptr;
  std::unique_ptr<rocksdb::Iterator> it_;
  uint64_t position_;
  State state_ = State::kReading;
  Status failed_;
  uint64_t skipped_truncated_ = 0;
  uint64_t skipped_corrupt_ = 0;
  std::unordered_map<uint64_t, Record> cache_;
  std::deque<uint64_t> cache_order_;
  size_t cached_samples_ = 0;
  std::string value_;
};

}  // namespace ferry::wal::internal
