// Append and group commit (LevelDB's writer queue): appenders queue up; the
// one at the front becomes leader, takes every queued batch (up to
// max_group_bytes), encodes them into one RocksDB WriteBatch, writes it with
// one fdatasync (kAlways), then wakes the followers it committed.
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "wal/internal/codec.h"
#include "wal/internal/record_format.h"
#include "wal/internal/rocks_util.h"
#include "wal/internal/schema.h"
#include "wal/internal/series_codec.h"
#include "wal/internal/wal_impl.h"

namespace ferry::wal::internal {
namespace {
size_t BatchBytes(const Batch& b) { return 24 * b.size() + 64 * b.pending().size(); }
}  // namespace

Result<uint64_t> WalImpl::Append(Batch& batch) {
  if (read_only_) return ReadOnlyError("Append");
  if (batch.empty()) return Status::InvalidArgument("Append: empty batch");
  Writer w;
  w.batch = &batch;
  {
    MutexLock l(mu_);
    if (closed_) return Status::Cancelled("Append: WAL at " + options_.dir + " is closed");
    writers_.push_back(&w);
    writers_cv_.Wait(mu_, [&]() FERRY_REQUIRES(mu_) { return w.done || writers_.front() == &w; });
    if (w.done) {
      if (!w.status.ok()) return w.status;
      return w.sequence;
    }
    // Leader: take a group.
  }
  std::vector<Writer*> group;
  {
    MutexLock l(mu_);
    size_t bytes = 0;
    for (Writer* x : writers_) {
      if (x->batch == nullptr) break;  // a barrier runs alone, as its own leader
      size_t b = BatchBytes(*x->batch);
      if (!group.empty() && bytes + b > options_.max_group_bytes) break;
      bytes += b;
      group.push_back(x);
    }
  }
  Status s;
  {
    MutexLock l(mu_);
    s = write_error_;
  }
  if (s.ok()) s = WriteGroup(group);
  {
    MutexLock l(mu_);
    if (!s.ok() && write_error_.ok() && !s.IsInvalidArgument()) write_error_ = s;
    for (Writer* x : group) {
      x->done = true;
      if (x->status.ok() && !s.ok()) x->status = s;
      writers_.pop_front();
    }
  }
  writers_cv_.NotifyAll();
  newer_cv_.NotifyAll();
  if (!w.status.ok()) return w.status;
  return w.sequence;
}

Status WalImpl::RunExclusive(const std::function<Status()>& fn) {
  Writer w;
  w.exclusive = &fn;
  {
    MutexLock l(mu_);
    if (closed_) return Status::Cancelled("WAL at " + options_.dir + " is closed");
    writers_.push_back(&w);
    writers_cv_.Wait(mu_, [&]() FERRY_REQUIRES(mu_) { return writers_.front() == &w; });
  }
  Status s = fn();
  {
    MutexLock l(mu_);
    writers_.pop_front();
  }
  writers_cv_.NotifyAll();
  newer_cv_.NotifyAll();
  return s;
}

Status WalImpl::ResolveRefs(Batch& batch, uint64_t seq, rocksdb::WriteBatch& wb, bool* new_series) {
  std::vector<SeriesRef>& refs = batch.mutable_refs();
  for (Batch::Pending& p : batch.pending()) {
    if (p.labels.empty()) {
      return Status::InvalidArgument("Append: sample " + std::to_string(p.index) +
                                     " has an empty label set");
    }
    scratch_.clear();
    EncodeLabels(p.labels, &scratch_);
    const uint64_t hash = p.labels.Hash();
    FERRY_ASSIGN_OR_RETURN(SeriesRef ref, FindSeries(hash, scratch_));
    if (ref == kNoSeriesRef) {
      ref = ++series_hwm_;
      rocksdb::Status rs = wb.Put(cf_series_, ToSlice(U64Key(ref)), ToSlice(scratch_));
      if (!rs.ok()) return FromRocks(rs, "Append");
      series_.Insert(ref, hash, seq);
      unwritten_.emplace(ref, scratch_);
      *new_series = true;
      MutexLock l(stats_mu_);
      ++stats_.created_series;
    }
    refs[p.index] = ref;
  }
  batch.pending().clear();
  return Status::Ok();
}

Result<SeriesRef> WalImpl::FindSeries(uint64_t hash, std::string_view encoded) {
  candidates_.clear();
  series_.Candidates(hash, &candidates_);
  // The encoding is canonical: equal bytes, equal label sets.
  for (SeriesRef ref : candidates_) {
    if (auto it = unwritten_.find(ref); it != unwritten_.end()) {
      if (it->second == encoded) return ref;
      continue;
    }
    rocksdb::Status rs = db_->Get(UncachedReads(), cf_series_, ToSlice(U64Key(ref)), &stored_);
    if (rs.ok() && stored_ == encoded) return ref;
    // Gone since (retention) or another set: not this one. A failed read
    // fails the append rather than give a live series a second ref.
    if (!rs.ok() && !rs.IsNotFound()) return FromRocks(rs, "reading series " + std::to_string(ref));
  }
  return kNoSeriesRef;
}

Status WalImpl::WriteGroup(std::span<Writer* const> group) {
  // Series created by this group are in the series family after its write,
  // or the WAL is stuck on a write error: either way not needed after it.
  struct ForgetUnwritten {
    std::unordered_map<SeriesRef, std::string>& m;
    ~ForgetUnwritten() {
      if (m.bucket_count() > 1024) {
        std::unordered_map<SeriesRef, std::string>().swap(m);  // a first scrape's worth
      } else {
        m.clear();
      }
    }
  } forget{unwritten_};
  rocksdb::WriteBatch wb;
  bool new_series = false;
  uint64_t samples = 0, records = 0, keyframes = 0;
  const uint64_t start_seq = next_seq_;
  const uint64_t start_sample = next_sample_.load();
  uint64_t next_sample = start_sample;
  int64_t now = clock_.NowMillis();
  if (now < last_append_ms_) now = last_append_ms_;
  std::string value;
  for (Writer* w : group) {
    Batch& b = *w->batch;
    const uint64_t seq = next_seq_;
    Status s = ResolveRefs(b, seq, wb, &new_series);
    if (!s.ok()) {
      w->status = s;
      continue;
    }
    StreamState& st = streams_[b.stream()];
    const bool delta = st.keyframe_seq != 0 && st.deltas < kKeyframeInterval &&
                       seq - st.keyframe_seq <= kMaxKeyframeDistance && st.refs == b.refs();
    if (!delta) {
      // Keyframe: the refs must exist (a delta reuses refs checked here).
      for (size_t i = 0; i < b.size(); ++i) {
        if (b.ref(i) == kNoSeriesRef || !series_.Contains(b.ref(i))) {
          s = Status::InvalidArgument("Append: sample " + std::to_string(i) +
                                      " has unknown series ref " + std::to_string(b.ref(i)));
          break;
        }
      }
      if (!s.ok()) {
        w->status = s;
        continue;
      }
    }
    value.clear();
    EncodeInput in{.stream = b.stream(),
                   .append_ms = now,
                   .first_sample = next_sample,
                   .refs = b.refs(),
                   .timestamps = b.timestamps(),
                   .values = b.values(),
                   .key_dist = 0,
                   .prev_dist = 0,
                   .prev_values = {}};
    if (delta) {
      in.key_dist = seq - st.keyframe_seq;
      in.prev_dist = seq - st.prev_seq;
      in.prev_values = st.values;
    }
    EncodeRecord(in, &value);
    rocksdb::Status rs = wb.Put(cf_samples_, ToSlice(U64Key(seq)), ToSlice(value));
    if (!rs.ok()) return FromRocks(rs, "Append");
    st.last_append_ms = now;
    st.prev_seq = seq;
    st.values = b.values();
    if (delta) {
      ++st.deltas;
    } else {
      st.keyframe_seq = seq;
      st.deltas = 0;
      st.refs = b.refs();
      series_.MarkKeyframe(st.refs, seq);
      ++keyframes;
    }
    w->sequence = seq;
    ++next_seq_;
    next_sample += b.size();
    samples += b.size();
    ++records;
  }
  if (records == 0 && !new_series) return Status::Ok();
  if (new_series) {
    rocksdb::Status rs =
        wb.Put(cf_meta_, ToSlice(kMetaSeriesHwm), ToSlice(EncodeVarintValue(series_hwm_)));
    if (!rs.ok()) return FromRocks(rs, "Append");
  }
  rocksdb::WriteOptions wo;
  wo.sync = options_.durability == Durability::kAlways;
  auto t0 = std::chrono::steady_clock::now();
  rocksdb::Status rs = db_->Write(wo, &wb);
  if (!rs.ok()) {
    // The in-memory encoder state now disagrees with the disk; the sticky
    // write_error_ refuses further appends until the WAL is reopened.
    return FromRocks(rs, "writing to WAL at " + options_.dir);
  }
  if (wo.sync) {
    RecordSyncLatency(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  last_append_ms_ = now;
  next_sample_.store(next_sample, std::memory_order_release);
  if (records > 0) last_seq_.store(next_seq_ - 1, std::memory_order_release);
  (void)start_seq;
  MutexLock l(stats_mu_);
  stats_.appended_samples += samples;
  stats_.appended_records += records;
  stats_.keyframes += keyframes;
  ++stats_.group_commits;
  return Status::Ok();
}

void WalImpl::RecordSyncLatency(double seconds) {
  MutexLock l(stats_mu_);
  ++stats_.syncs;
  stats_.sync_latency_sum_seconds += seconds;
  size_t i = 0;
  while (i < kSyncLatencyBounds.size() && seconds > kSyncLatencyBounds[i]) ++i;
  ++stats_.sync_latency_buckets[i];
}

Status WalImpl::Sync() {
  if (read_only_) return ReadOnlyError("Sync");
  auto t0 = std::chrono::steady_clock::now();
  Status s = FromRocks(db_->SyncWAL(), "syncing WAL at " + options_.dir);
  if (s.ok()) {
    RecordSyncLatency(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return s;
}

bool WalImpl::WaitForNewer(uint64_t sequence, std::chrono::milliseconds timeout) {
  MutexLock l(mu_);
  return newer_cv_.WaitFor(mu_, timeout, [&]() FERRY_REQUIRES(mu_) {
    return closed_ || LastSequence() > sequence;
  }) && LastSequence() > sequence;
}

}  // namespace ferry::wal::internal
