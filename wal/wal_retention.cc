// Retention: one pass deletes [oldest, cut) with a single DeleteRange, where
// cut = max(what every cursor acknowledged beyond keep_shipped, max_age,
// max_size), lowered so no retained delta loses its keyframe; then collects
// series that no retained keyframe lists, and compacts the range away.
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "wal/internal/codec.h"
#include "wal/internal/record_format.h"
#include "wal/internal/rocks_util.h"
#include "wal/internal/schema.h"
#include "wal/internal/wal_impl.h"

namespace ferry::wal::internal {

// Append time of the first decodable record at or after "sequence"; its
// sequence in "*found_seq". NotFound when there is none.
Result<int64_t> WalImpl::AppendMsAt(uint64_t sequence, uint64_t* found_seq) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(UncachedReads(), cf_samples_));
  for (it->Seek(ToSlice(U64Key(sequence))); it->Valid(); it->Next()) {
    RecordHeader h;
    std::string_view body;
    if (!ParseU64Key(ToView(it->key()), found_seq)) continue;
    if (DecodeHeader(ToView(it->value()), &h, &body).ok()) return h.append_ms;
  }
  FERRY_RETURN_IF_ERROR(FromRocks(it->status(), "seeking WAL records"));
  return Status::NotFound("no record at or after seq " + std::to_string(sequence));
}

uint64_t WalImpl::FirstSampleAt(uint64_t sequence) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(UncachedReads(), cf_samples_));
  for (it->Seek(ToSlice(U64Key(sequence))); it->Valid(); it->Next()) {
    RecordHeader h;
    std::string_view body;
    if (DecodeHeader(ToView(it->value()), &h, &body).ok()) return h.first_sample;
  }
  return next_sample_.load();
}

Result<uint64_t> WalImpl::SeekTime(int64_t append_ms) {
  uint64_t lo = FirstSequence(), hi = LastSequence() + 1, ans = hi;
  while (lo < hi) {
    uint64_t mid = lo + (hi - lo) / 2;
    uint64_t found = 0;
    Result<int64_t> ms = AppendMsAt(mid, &found);
    if (!ms.ok()) {
      if (!ms.status().IsNotFound()) return ms.status();
      hi = mid;
      continue;
    }
    if (*ms >= append_ms) {
      ans = std::min(ans, found);
      hi = mid;
    } else {
      lo = found + 1;
    }
  }
  return ans;
}

// Lowers "cut" to the oldest keyframe below it that a retained record
// references: first over records in [from, to], then, because lowering the
// cut retains more records, over each newly retained range until nothing
// changes (a fixpoint; each step scans only the new range).
Result<uint64_t> WalImpl::LowerCutForKeyframes(uint64_t cut, uint64_t from, uint64_t to) const {
  auto scan_min = [&](uint64_t threshold, uint64_t lo, uint64_t hi) -> Result<uint64_t> {
    uint64_t result = threshold;
    if (lo > hi) return result;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(UncachedReads(), cf_samples_));
    for (it->Seek(ToSlice(U64Key(lo))); it->Valid(); it->Next()) {
      uint64_t seq;
      if (!ParseU64Key(ToView(it->key()), &seq)) continue;
      if (seq > hi) break;
      RecordHeader h;
      std::string_view body;
      if (!DecodeHeader(ToView(it->value()), &h, &body).ok() || !h.delta()) continue;
      if (h.key_dist <= seq && seq - h.key_dist < result) result = seq - h.key_dist;
    }
    FERRY_RETURN_IF_ERROR(FromRocks(it->status(), "scanning for keyframes"));
    return result;
  };
  FERRY_ASSIGN_OR_RETURN(uint64_t result, scan_min(cut, from, to));
  uint64_t covered = cut;
  while (result < covered) {
    FERRY_ASSIGN_OR_RETURN(uint64_t lower, scan_min(result, result, covered - 1));
    covered = result;
    result = lower;
  }
  return result;
}

// Smallest k in (first, last+1] such that records [first, k) take at least
// "excess" bytes (RocksDB's estimate), or last+1.
Result<uint64_t> WalImpl::SizeCut(uint64_t first, uint64_t last, uint64_t excess) const {
  uint64_t lo = first + 1, hi = last + 1;
  const std::string begin = U64Key(first);
  rocksdb::SizeApproximationOptions so;
  so.include_memtables = true;
  so.include_files = true;
  while (lo < hi) {
    uint64_t mid = lo + (hi - lo) / 2;
    std::string end = U64Key(mid);
    rocksdb::Range r(ToSlice(begin), ToSlice(end));
    uint64_t size = 0;
    FERRY_RETURN_IF_ERROR(
        FromRocks(db_->GetApproximateSizes(so, cf_samples_, &r, 1, &size), "estimating WAL size"));
    if (size >= excess) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

Result<TruncationEvent> WalImpl::Truncate() {
  if (read_only_) return ReadOnlyError("Truncate");
  Result<TruncationEvent> r = [&] {
    MutexLock serial(truncate_mu_);
    return TruncateOnce();
  }();
  if (r.ok() && r->to_sequence != 0 && listener_ != nullptr) listener_->OnTruncation(*r);
  return r;
}

Result<TruncationEvent> WalImpl::TruncateOnce() {
  TruncationEvent ev;
  const int64_t now = clock_.NowMillis();
  const uint64_t first = FirstSequence();
  const uint64_t last = LastSequence();
  const uint64_t bytes = DirBytes();
  bytes_on_disk_ = bytes;
  if (last == 0 || first > last) return ev;

  FERRY_ASSIGN_OR_RETURN(std::vector<Cursor> cursors, ListCursors());
  uint64_t min_cursor = UINT64_MAX;
  for (const Cursor& c : cursors) min_cursor = std::min(min_cursor, c.next_sequence);
  uint64_t cursor_cut = first;
  if (!cursors.empty()) {
    uint64_t keep_cut = last + 1;
    if (options_.keep_shipped.count() > 0) {
      FERRY_ASSIGN_OR_RETURN(keep_cut, SeekTime(now - options_.keep_shipped.count()));
    }
    cursor_cut = std::max(first, std::min(min_cursor, keep_cut));
  }
  uint64_t age_cut = first;
  if (options_.max_age.count() > 0) {
    FERRY_ASSIGN_OR_RETURN(age_cut, SeekTime(now - options_.max_age.count()));
  }
  uint64_t cap = options_.max_size;
  if (cap == 0) {
    std::error_code ec;
    auto space = std::filesystem::space(options_.dir, ec);
    cap = ec ? UINT64_MAX : static_cast<uint64_t>(space.capacity * options_.max_size_fraction);
  }
  uint64_t size_cut = first;
  if (bytes > cap) {
    FERRY_ASSIGN_OR_RETURN(size_cut, SizeCut(first, last, bytes - cap));
  }
  uint64_t cut = std::min(std::max({cursor_cut, age_cut, size_cut}), last + 1);
  if (cut <= first) return ev;
  const uint64_t scan_to = std::min(last, cut + kMaxKeyframeDistance);
  FERRY_ASSIGN_OR_RETURN(cut, LowerCutForKeyframes(cut, cut, scan_to));

  Status s = RunExclusive([&]() -> Status {
    // Records appended since the scan may reference keyframes below cut too.
    const uint64_t last2 = next_seq_ - 1;
    FERRY_ASSIGN_OR_RETURN(
        cut, LowerCutForKeyframes(cut, scan_to + 1, std::min(last2, cut + kMaxKeyframeDistance)));
    if (cut <= first) return Status::Ok();
    // Streams idle for longer than stream_idle_timeout are forgotten (their
    // series become collectable); the series of live streams are kept even if
    // every record listing them is deleted, so scrapers' cached refs stay
    // valid. A live stream whose keyframe is deleted starts a new one.
    const int64_t idle_before = now - options_.stream_idle_timeout.count();
    for (auto it = streams_.begin(); it != streams_.end();) {
      StreamState& st = it->second;
      if (st.last_append_ms < idle_before) {
        it = streams_.erase(it);
        continue;
      }
      if (st.keyframe_seq < cut) {
        st.keyframe_seq = 0;
        series_.MarkKeyframe(st.refs, cut);
      }
      ++it;
    }
    const uint64_t a = FirstSampleAt(first);
    const uint64_t c = FirstSampleAt(cut);
    const uint64_t shipped_end = cursors.empty() ? first : std::clamp(min_cursor, first, cut);
    const uint64_t age_end = std::clamp(age_cut, shipped_end, cut);
    const uint64_t s1 = FirstSampleAt(shipped_end);
    const uint64_t s2 = FirstSampleAt(age_end);
    ev.from_sequence = first;
    ev.to_sequence = cut;
    ev.shipped_samples = s1 - a;
    ev.dropped_retention_samples = s2 - s1;
    ev.dropped_size_cap_samples = c - s2;
    std::vector<SeriesRef> collected = series_.CollectBelow(cut);
    ev.series_collected = collected.size();
    rocksdb::WriteBatch wb;
    const std::string lo = U64Key(0), hi = U64Key(cut);
    FERRY_RETURN_IF_ERROR(FromRocks(wb.DeleteRange(cf_samples_, lo, hi), "Truncate"));
    FERRY_RETURN_IF_ERROR(FromRocks(
        wb.Put(cf_meta_, ToSlice(kMetaSeqFloor), ToSlice(EncodeVarintValue(cut))), "Truncate"));
    for (SeriesRef r : collected) {
      FERRY_RETURN_IF_ERROR(FromRocks(wb.Delete(cf_series_, ToSlice(U64Key(r))), "Truncate"));
    }
    rocksdb::WriteOptions wo;
    wo.sync = options_.durability == Durability::kAlways;
    FERRY_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &wb), "truncating WAL at " + options_.dir));
    first_seq_.store(cut, std::memory_order_release);
    return Status::Ok();
  });
  FERRY_RETURN_IF_ERROR(s);
  if (ev.to_sequence == 0) return ev;

  // Reclaim the space now rather than at some later compaction.
  const std::string lo = U64Key(0), hi = U64Key(ev.to_sequence);
  rocksdb::Slice lo_s(lo), hi_s(hi);
  rocksdb::CompactRangeOptions co;
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
  FERRY_RETURN_IF_ERROR(
      FromRocks(db_->CompactRange(co, cf_samples_, &lo_s, &hi_s), "compacting truncated range"));
  if (ev.series_collected > 0) {
    FERRY_RETURN_IF_ERROR(
        FromRocks(db_->CompactRange(co, cf_series_, nullptr, nullptr), "compacting series"));
  }
  bytes_on_disk_ = DirBytes();
  {
    MutexLock l(stats_mu_);
    stats_.truncated_shipped_samples += ev.shipped_samples;
    stats_.dropped_samples[static_cast<int>(DropReason::kRetention)] +=
        ev.dropped_retention_samples;
    stats_.dropped_samples[static_cast<int>(DropReason::kSizeCap)] += ev.dropped_size_cap_samples;
    stats_.collected_series += ev.series_collected;
  }
  return ev;
}

}  // namespace ferry::wal::internal
