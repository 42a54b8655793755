// Cursors, the generic meta key/value API, series lookup and stats.
#include <rocksdb/write_batch.h>

#include <string>

#include "wal/internal/record_format.h"
#include "wal/internal/rocks_util.h"
#include "wal/internal/schema.h"
#include "wal/internal/series_codec.h"
#include "wal/internal/wal_impl.h"

namespace ferry::wal::internal {

Result<labels::Labels> WalImpl::GetSeries(SeriesRef ref) const {
  if (!series_.Contains(ref)) return Status::NotFound("series ref " + std::to_string(ref));
  return ReadSeries(ref);
}

Result<labels::Labels> WalImpl::ReadSeries(SeriesRef ref) const {
  // Uncached: each series is read about once (callers cache what they
  // need), so its blocks would only push hotter ones out of the cache.
  std::string bytes;
  rocksdb::Status rs = db_->Get(UncachedReads(), cf_series_, ToSlice(U64Key(ref)), &bytes);
  if (rs.IsNotFound()) return Status::NotFound("series ref " + std::to_string(ref));
  if (!rs.ok()) return FromRocks(rs, "reading series " + std::to_string(ref));
  labels::Labels ls;
  FERRY_RETURN_IF_ERROR(DecodeLabels(bytes, &ls, LabelCheck::kStructure)
                            .WithContext("series " + std::to_string(ref) + " in " + options_.dir));
  return ls;
}

Status WalImpl::CommitCursor(std::string_view name, uint64_t next_sequence) {
  if (read_only_) return ReadOnlyError("CommitCursor");
  FERRY_RETURN_IF_ERROR(ValidateName("cursor name", name));
  if (next_sequence > LastSequence() + 1) {
    return Status::InvalidArgument("CommitCursor " + std::string(name) + ": next sequence " +
                                   std::to_string(next_sequence) + " is past the last record " +
                                   std::to_string(LastSequence()));
  }
  // No sync: a cursor lost in a crash only makes a shipper resend.
  return FromRocks(db_->Put(rocksdb::WriteOptions(), cf_meta_, ToSlice(CursorKey(name)),
                            ToSlice(EncodeCursor(next_sequence, clock_.NowMillis()))),
                   "committing cursor " + std::string(name));
}

Result<Cursor> WalImpl::GetCursor(std::string_view name) const {
  FERRY_RETURN_IF_ERROR(ValidateName("cursor name", name));
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_meta_, ToSlice(CursorKey(name)), &v);
  if (s.IsNotFound()) return Status::NotFound("cursor " + std::string(name));
  FERRY_RETURN_IF_ERROR(FromRocks(s, "reading cursor " + std::string(name)));
  Cursor c{.name = std::string(name)};
  FERRY_RETURN_IF_ERROR(
      DecodeCursor(v, &c.next_sequence, &c.commit_ms).WithContext("cursor " + std::string(name)));
  return c;
}

Result<std::vector<Cursor>> WalImpl::ListCursors() const {
  std::vector<Cursor> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_meta_));
  for (it->Seek(ToSlice(kMetaCursorPrefix));
       it->Valid() && it->key().starts_with(ToSlice(kMetaCursorPrefix)); it->Next()) {
    Cursor c{.name = std::string(ToView(it->key()).substr(kMetaCursorPrefix.size()))};
    FERRY_RETURN_IF_ERROR(DecodeCursor(ToView(it->value()), &c.next_sequence, &c.commit_ms)
                              .WithContext("cursor " + c.name));
    out.push_back(std::move(c));
  }
  FERRY_RETURN_IF_ERROR(FromRocks(it->status(), "listing cursors"));
  return out;
}

Status WalImpl::DeleteCursor(std::string_view name) {
  if (read_only_) return ReadOnlyError("DeleteCursor");
  FERRY_RETURN_IF_ERROR(ValidateName("cursor name", name));
  return FromRocks(db_->Delete(rocksdb::WriteOptions(), cf_meta_, ToSlice(CursorKey(name))),
                   "deleting cursor " + std::string(name));
}

Status WalImpl::PutMeta(std::string_view prefix, std::string_view key, std::string_view value) {
  if (read_only_) return ReadOnlyError("PutMeta");
  FERRY_RETURN_IF_ERROR(ValidateName("meta prefix", prefix));
  return FromRocks(
      db_->Put(rocksdb::WriteOptions(), cf_meta_, ToSlice(KvKey(prefix, key)), ToSlice(value)),
      "writing meta " + std::string(prefix));
}

Result<std::string> WalImpl::GetMeta(std::string_view prefix, std::string_view key) const {
  FERRY_RETURN_IF_ERROR(ValidateName("meta prefix", prefix));
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_meta_, ToSlice(KvKey(prefix, key)), &v);
  if (s.IsNotFound()) {
    return Status::NotFound("meta " + std::string(prefix) + "/" + std::string(key));
  }
  FERRY_RETURN_IF_ERROR(FromRocks(s, "reading meta " + std::string(prefix)));
  return v;
}

Result<std::vector<std::pair<std::string, std::string>>> WalImpl::ListMeta(
    std::string_view prefix) const {
  FERRY_RETURN_IF_ERROR(ValidateName("meta prefix", prefix));
  const std::string p = KvPrefix(prefix);
  std::vector<std::pair<std::string, std::string>> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_meta_));
  for (it->Seek(p); it->Valid() && it->key().starts_with(p); it->Next()) {
    out.emplace_back(std::string(ToView(it->key()).substr(p.size())), it->value().ToString());
  }
  FERRY_RETURN_IF_ERROR(FromRocks(it->status(), "listing meta " + std::string(prefix)));
  return out;
}

Status WalImpl::DeleteMeta(std::string_view prefix, std::string_view key) {
  if (read_only_) return ReadOnlyError("DeleteMeta");
  FERRY_RETURN_IF_ERROR(ValidateName("meta prefix", prefix));
  return FromRocks(db_->Delete(rocksdb::WriteOptions(), cf_meta_, ToSlice(KvKey(prefix, key))),
                   "deleting meta " + std::string(prefix));
}

WalStats WalImpl::GetStats() const {
  WalStats s;
  {
    MutexLock l(stats_mu_);
    s = stats_;
  }
  s.corruption_events += open_events_ != nullptr ? open_events_->load() : 0;
  s.series = series_.size();
  s.first_sequence = LastSequence() == 0 ? 0 : FirstSequence();
  s.last_sequence = LastSequence();
  s.next_sample = next_sample_.load();
  s.bytes_on_disk = bytes_on_disk_.load();
  if (db_ != nullptr) {
    // Zero when RocksDB does not know a property (a read-only instance).
    db_->GetAggregatedIntProperty(rocksdb::DB::Properties::kCurSizeAllMemTables, &s.memtable_bytes);
    db_->GetAggregatedIntProperty(rocksdb::DB::Properties::kBlockCacheUsage, &s.block_cache_bytes);
    db_->GetAggregatedIntProperty(rocksdb::DB::Properties::kEstimateTableReadersMem,
                                  &s.table_reader_bytes);
  }
  return s;
}

void WalImpl::ReportCorruption(CorruptionEvent event, uint64_t dropped_samples) {
  {
    MutexLock l(stats_mu_);
    ++stats_.corruption_events;
    stats_.dropped_samples[static_cast<int>(DropReason::kCorruption)] += dropped_samples;
  }
  if (listener_ != nullptr) listener_->OnCorruption(event);
}

}  // namespace ferry::wal::internal
