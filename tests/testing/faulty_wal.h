// FaultyWal: a wal::Wal that forwards every call to a real WAL, except that
// GetSeries answers with an injected error for chosen series: to test what
// readers of series labels (shippers, replay) do when a read fails.
// Header-only (tests that use it already link ferry_wal).
//
// Thread-safety: as the wrapped WAL; the fault table has its own lock.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "src/base/mutex.h"
#include "wal/wal.h"

namespace ferry::testing {

class FaultyWal : public wal::Wal {
 public:
  explicit FaultyWal(wal::Wal& inner) : inner_(inner) {}

  // The next "times" GetSeries(ref) calls return "error" (times < 0: all).
  void FailGetSeries(wal::SeriesRef ref, Status error, int times) {
    MutexLock l(mu_);
    faults_[ref] = {std::move(error), times};
  }
  // GetSeries calls answered with an injected error so far.
  int injected() const {
    MutexLock l(mu_);
    return injected_;
  }

  Result<labels::Labels> GetSeries(wal::SeriesRef ref) const override {
    {
      MutexLock l(mu_);
      auto it = faults_.find(ref);
      if (it != faults_.end() && it->second.times != 0) {
        if (it->second.times > 0) --it->second.times;
        ++injected_;
        return it->second.error;
      }
    }
    return inner_.GetSeries(ref);
  }

  Result<uint64_t> Append(wal::Batch& batch) override { return inner_.Append(batch); }
  Status Sync() override { return inner_.Sync(); }
  uint64_t LastSequence() const override { return inner_.LastSequence(); }
  uint64_t FirstSequence() const override { return inner_.FirstSequence(); }
  bool WaitForNewer(uint64_t sequence, std::chrono::milliseconds timeout) override {
    return inner_.WaitForNewer(sequence, timeout);
  }
  Result<std::unique_ptr<wal::Reader>> NewReader(uint64_t sequence) override {
    return inner_.NewReader(sequence);
  }
  Result<uint64_t> SeekTime(int64_t append_ms) override { return inner_.SeekTime(append_ms); }
  Status CommitCursor(std::string_view name, uint64_t next_sequence) override {
    return inner_.CommitCursor(name, next_sequence);
  }
  Result<wal::Cursor> GetCursor(std::string_view name) const override {
    return inner_.GetCursor(name);
  }
  Result<std::vector<wal::Cursor>> ListCursors() const override { return inner_.ListCursors(); }
  Status DeleteCursor(std::string_view name) override { return inner_.DeleteCursor(name); }
  Status PutMeta(std::string_view prefix, std::string_view key, std::string_view value) override {
    return inner_.PutMeta(prefix, key, value);
  }
  Result<std::string> GetMeta(std::string_view prefix, std::string_view key) const override {
    return inner_.GetMeta(prefix, key);
  }
  Result<std::vector<std::pair<std::string, std::string>>> ListMeta(
      std::string_view prefix) const override {
    return inner_.ListMeta(prefix);
  }
  Status DeleteMeta(std::string_view prefix, std::string_view key) override {
    return inner_.DeleteMeta(prefix, key);
  }
  Result<wal::TruncationEvent> Truncate() override { return inner_.Truncate(); }
  wal::WalStats GetStats() const override { return inner_.GetStats(); }
  Result<wal::WalInfo> Inspect() override { return inner_.Inspect(); }
  Status Dump(int64_t min_ts, int64_t max_ts, const SeriesFilter& filter,
              const SampleVisitor& visit) override {
    return inner_.Dump(min_ts, max_ts, filter, visit);
  }
  Status CatchUp() override { return inner_.CatchUp(); }
  Status Close() override { return inner_.Close(); }

 private:
  struct Fault {
    Status error;
    int times = 0;
  };
  wal::Wal& inner_;
  mutable Mutex mu_;
  mutable std::map<wal::SeriesRef, Fault> faults_ FERRY_GUARDED_BY(mu_);
  mutable int injected_ FERRY_GUARDED_BY(mu_) = 0;
};

}  // namespace ferry::testing
