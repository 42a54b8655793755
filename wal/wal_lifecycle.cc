// The running WAL's lifecycle: the background thread (interval sync and
// retention), Close, secondary CatchUp, and the directory size.
#include <chrono>
#include <filesystem>
#include <string>

#include "wal/internal/rocks_util.h"
#include "wal/internal/wal_impl.h"

namespace ferry::wal::internal {

uint64_t WalImpl::DirBytes() const {
  std::error_code ec;
  uint64_t total = 0;
  for (std::filesystem::recursive_directory_iterator it(options_.dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::error_code fec;
    if (it->is_regular_file(fec)) {
      uint64_t sz = it->file_size(fec);
      if (!fec) total += sz;
    }
  }
  return total;
}

void WalImpl::BackgroundLoop(std::stop_token stop) {
  // Deadlines come from the injected Clock's monotonic time; the wait itself
  // is a real condition-variable timeout (Close() wakes it at once).
  using Mono = std::chrono::steady_clock;
  const bool interval_sync = options_.durability == Durability::kInterval;
  const bool retention = options_.retention_interval.count() > 0;
  Mono::time_point next_sync = clock_.MonotonicNow() + options_.sync_interval;
  Mono::time_point next_retention = clock_.MonotonicNow() + options_.retention_interval;
  while (!stop.stop_requested()) {
    Mono::time_point wake = Mono::time_point::max();
    if (interval_sync) wake = std::min(wake, next_sync);
    if (retention) wake = std::min(wake, next_retention);
    const auto wait = std::max(Mono::duration::zero(), wake - clock_.MonotonicNow());
    {
      MutexLock l(bg_mu_);
      bg_cv_.WaitFor(bg_mu_, wait, [&] { return stop.stop_requested(); });
    }
    if (stop.stop_requested()) break;
    const Mono::time_point now = clock_.MonotonicNow();
    if (interval_sync && now >= next_sync) {
      Status s = Sync();
      if (!s.ok() && listener_ != nullptr) listener_->OnBackgroundError(s);
      next_sync = now + options_.sync_interval;
    }
    if (retention && now >= next_retention) {
      Result<TruncationEvent> r = Truncate();
      if (!r.ok() && listener_ != nullptr) listener_->OnBackgroundError(r.status());
      next_retention = now + options_.retention_interval;
    }
  }
}

Status WalImpl::Close() {
  {
    MutexLock l(mu_);
    if (closed_) return Status::Ok();
    closed_ = true;
  }
  newer_cv_.NotifyAll();
  if (bg_thread_.joinable()) {
    bg_thread_.request_stop();
    { MutexLock l(bg_mu_); }
    bg_cv_.NotifyAll();
    bg_thread_.join();
  }
  // Wait for in-flight appends to finish before closing RocksDB.
  {
    MutexLock l(mu_);
    writers_cv_.Wait(mu_, [&]() FERRY_REQUIRES(mu_) { return writers_.empty(); });
  }
  Status result;
  if (db_ != nullptr) {
    if (!read_only_) {
      // Flushing makes the next open fast (nothing to replay) and durable.
      result = FromRocks(db_->Flush(rocksdb::FlushOptions(), handles_),
                         "flushing WAL at " + options_.dir);
    }
    for (rocksdb::ColumnFamilyHandle* h : handles_) {
      db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    }
    handles_.clear();
    rocksdb::Status s = db_->Close();
    if (result.ok() && !s.ok() && !s.IsAborted()) {
      result = FromRocks(s, "closing WAL at " + options_.dir);
    }
    db_.reset();
  }
  return result;
}

Status WalImpl::CatchUp() {
  if (options_.mode != OpenMode::kSecondary) {
    return Status::FailedPrecondition("CatchUp: WAL at " + options_.dir + " is not a secondary");
  }
  FERRY_RETURN_IF_ERROR(
      FromRocks(db_->TryCatchUpWithPrimary(), "catching up with " + options_.dir));
  FERRY_RETURN_IF_ERROR(LoadSequences());
  FERRY_RETURN_IF_ERROR(LoadSeries(series_hwm_ + 1));
  bytes_on_disk_ = DirBytes();
  {
    MutexLock l(mu_);  // a waiter between its check and its wait sees the new value
  }
  newer_cv_.NotifyAll();
  return Status::Ok();
}

}  // namespace ferry::wal::internal
