// WalImpl: the RocksDB-backed implementation of wal::Wal. Split by concern:
// wal_open.cc (open, recovery, repair, version), wal_lifecycle.cc
// (background sync/retention thread, Close, CatchUp),
// wal_append.cc (group commit and encoding), wal_meta.cc (cursors, key/value,
// stats), wal_retention.cc (truncation, size cap, GC), wal_inspect.cc
// (Inspect, Dump), reader.cc (Reader).
//
// Thread-safety: as wal::Wal. The group-commit leader (the writer at the
// front of writers_) has exclusive use of the "leader state" members below
// without holding mu_; retention takes the same exclusivity by queueing a
// barrier writer (RunExclusive).
#pragma once

#include <rocksdb/db.h>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "src/base/mutex.h"
#include "wal/internal/series_table.h"
#include "wal/wal.h"

namespace ferry::wal::internal {

class WalImpl final : public Wal {
 public:
  static Result<std::unique_ptr<WalImpl>> OpenImpl(const Options& options);
  ~WalImpl() override;
  WalImpl(const WalImpl&) = delete;
  WalImpl& operator=(const WalImpl&) = delete;

  Result<uint64_t> Append(Batch& batch) override;
  Status Sync() override;
  uint64_t LastSequence() const override { return last_seq_.load(std::memory_order_acquire); }
  uint64_t FirstSequence() const override { return first_seq_.load(std::memory_order_acquire); }
  bool WaitForNewer(uint64_t sequence, std::chrono::milliseconds timeout) override;
  Result<std::unique_ptr<Reader>> NewReader(uint64_t sequence) override;
  Result<uint64_t> SeekTime(int64_t append_ms) override;
  Result<labels::Labels> GetSeries(SeriesRef ref) const override;
  Status CommitCursor(std::string_view name, uint64_t next_sequence) override;
  Result<Cursor> GetCursor(std::string_view name) const override;
  Result<std::vector<Cursor>> ListCursors() const override;
  Status DeleteCursor(std::string_view name) override;
  Status PutMeta(std::string_view prefix, std::string_view key, std::string_view value) override;
  Result<std::string> GetMeta(std::string_view prefix, std::string_view key) const override;
  Result<std::vector<std::pair<std::string, std::string>>> ListMeta(
      std::string_view prefix) const override;
  Status DeleteMeta(std::string_view prefix, std::string_view key) override;
  Result<TruncationEvent> Truncate() override;
  WalStats GetStats() const override;
  Result<WalInfo> Inspect() override;
  Status Dump(int64_t min_ts, int64_t max_ts, const SeriesFilter& filter,
              const SampleVisitor& visit) override;
  Status CatchUp() override;
  Status Close() override;

  // For ReaderImpl.
  rocksdb::DB* db() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* samples_cf() const { return cf_samples_; }
  void ReportCorruption(CorruptionEvent event, uint64_t dropped_samples);
  // RocksDB secondaries have no snapshots; their data changes only in CatchUp().
  bool snapshots() const { return options_.mode == OpenMode::kReadWrite; }

 private:
  explicit WalImpl(const Options& options);

  struct Writer {
    Batch* batch = nullptr;  // null: exclusive barrier
    const std::function<Status()>* exclusive = nullptr;
    Status status;
    uint64_t sequence = 0;
    bool done = false;
  };
  struct StreamState {
    uint64_t keyframe_seq = 0;  // 0: the next record must be a keyframe
    uint64_t prev_seq = 0;      // the stream's previous record; values are its values
    uint32_t deltas = 0;
    int64_t last_append_ms = 0;
    std::vector<SeriesRef> refs;
    std::vector<double> values;
  };

  // wal_open.cc
  rocksdb::DBOptions DbOptions() const;
  std::vector<rocksdb::ColumnFamilyDescriptor> Families() const;
  Status OpenDb();
  void CloseDb();
  Status Repair();
  Status CheckVersion();
  Status LoadSeries(uint64_t from_ref);
  Status LoadSequences();
  void BackgroundLoop(std::stop_token stop);
  uint64_t DirBytes() const;

  // wal_append.cc
  Status WriteGroup(std::span<Writer* const> group);  // leader only
  Status ResolveRefs(Batch& batch, uint64_t seq, rocksdb::WriteBatch& wb, bool* new_series);
  // The live ref of the label set with hash "hash" and series-family
  // encoding "encoded", or kNoSeriesRef (leader only: it also sees the
  // series created earlier in the group being written).
  Result<SeriesRef> FindSeries(uint64_t hash, std::string_view encoded);
  // The labels of "ref" as stored in the series family (NotFound if absent).
  Result<labels::Labels> ReadSeries(SeriesRef ref) const;
  Status RunExclusive(const std::function<Status()>& fn);
  void RecordSyncLatency(double seconds);

  // wal_retention.cc
  Result<TruncationEvent> TruncateOnce();  // REQUIRES: truncate_mu_ held
  Result<int64_t> AppendMsAt(uint64_t sequence, uint64_t* found_seq) const;
  uint64_t FirstSampleAt(uint64_t sequence) const;
  Result<uint64_t> LowerCutForKeyframes(uint64_t cut, uint64_t from, uint64_t to) const;
  Result<uint64_t> SizeCut(uint64_t first, uint64_t last, uint64_t excess) const;

  Status ReadOnlyError(std::string_view op) const;

  const Options options_;
  Clock& clock_;
  Listener* const listener_;
  bool read_only_ = false;

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::ColumnFamilyHandle* cf_series_ = nullptr;
  rocksdb::ColumnFamilyHandle* cf_samples_ = nullptr;
  rocksdb::ColumnFamilyHandle* cf_meta_ = nullptr;
  std::shared_ptr<rocksdb::Logger> info_log_;
  std::atomic<uint64_t>* open_events_ = nullptr;  // owned by info_log_

  SeriesTable series_;
  std::atomic<uint64_t> first_seq_{0};
  std::atomic<uint64_t> last_seq_{0};
  std::atomic<uint64_t> next_sample_{0};
  std::atomic<uint64_t> bytes_on_disk_{0};
  uint32_t format_version_ = 0;

  // Leader state: only the group-commit leader (or an exclusive barrier)
  // touches these.
  uint64_t next_seq_ = 1;
  uint64_t series_hwm_ = 0;
  int64_t last_append_ms_ = 0;
  std::unordered_map<uint64_t, StreamState> streams_;
  std::string scratch_;
  // Series created in the group being written, by ref, with their encoded
  // labels: not in the series family until the group's write, but found by
  // later samples of the same group.
  std::unordered_map<SeriesRef, std::string> unwritten_;
  std::vector<SeriesRef> candidates_;
  std::string stored_;

  Mutex mu_;
  CondVar writers_cv_;                                 // a writer finished or became leader
  CondVar newer_cv_;                                   // last_seq_ advanced, or closing
  std::deque<Writer*> writers_ FERRY_GUARDED_BY(mu_);  // FIFO, front is leader
  Status write_error_ FERRY_GUARDED_BY(mu_);           // sticky after a failed write
  bool closed_ FERRY_GUARDED_BY(mu_) = false;

  mutable Mutex stats_mu_;
  WalStats stats_ FERRY_GUARDED_BY(stats_mu_);

  Mutex truncate_mu_;  // one retention pass at a time (background or Truncate())

  Mutex bg_mu_;
  CondVar bg_cv_;
  std::jthread bg_thread_;
};

}  // namespace ferry::wal::internal
