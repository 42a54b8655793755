// Inspect (for `ferry wal inspect`) and Dump (for `ferry wal dump`).
#include <string>
#include <unordered_map>

#include "wal/internal/codec.h"
#include "wal/internal/rocks_util.h"
#include "wal/internal/schema.h"
#include "wal/internal/wal_impl.h"

namespace ferry::wal::internal {
namespace {

// Header of the first (or, with "reverse", last) decodable record at/after
// (at/before) "seq".
bool HeaderNear(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, uint64_t seq, bool reverse,
                uint64_t* found, RecordHeader* h) {
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(UncachedReads(), cf));
  const std::string key = U64Key(seq);
  if (reverse) {
    it->SeekForPrev(ToSlice(key));
  } else {
    it->Seek(ToSlice(key));
  }
  for (; it->Valid(); reverse ? it->Prev() : it->Next()) {
    std::string_view body;
    if (ParseU64Key(ToView(it->key()), found) && DecodeHeader(ToView(it->value()), h, &body).ok()) {
      return true;
    }
  }
  return false;
}

}  // namespace

Result<WalInfo> WalImpl::Inspect() {
  WalInfo info;
  info.dir = options_.dir;
  info.format_version = format_version_;
  info.bytes_on_disk = DirBytes();
  bytes_on_disk_ = info.bytes_on_disk;
  info.series = series_.size();
  const uint64_t first = FirstSequence(), last = LastSequence();
  const int64_t now = clock_.NowMillis();
  RecordHeader hf, hl;
  uint64_t sf = 0, sl = 0;
  if (last != 0 && HeaderNear(db_.get(), cf_samples_, first, false, &sf, &hf) &&
      HeaderNear(db_.get(), cf_samples_, last, true, &sl, &hl)) {
    info.first_sequence = sf;
    info.last_sequence = sl;
    info.records = sl - sf + 1;
    info.samples = hl.first_sample + hl.count - hf.first_sample;
    info.first_append_ms = hf.append_ms;
    info.last_append_ms = hl.append_ms;
    info.min_timestamp_ms = hf.min_ts;
    info.max_timestamp_ms = static_cast<int64_t>(static_cast<uint64_t>(hl.min_ts) + hl.ts_span);
  }
  FERRY_ASSIGN_OR_RETURN(std::vector<Cursor> cursors, ListCursors());
  const uint64_t end_sample = next_sample_.load();
  for (Cursor& c : cursors) {
    CursorInfo ci;
    uint64_t from = std::max(c.next_sequence, first);
    ci.lag_records = last + 1 > from ? last + 1 - from : 0;
    RecordHeader h;
    uint64_t at = 0;
    if (ci.lag_records > 0 && HeaderNear(db_.get(), cf_samples_, from, false, &at, &h)) {
      ci.lag_samples = end_sample - h.first_sample;
      ci.oldest_unshipped_ms = h.append_ms;
      ci.lag_seconds = static_cast<double>(now - h.append_ms) / 1000.0;
      if (info.oldest_unshipped_ms == 0 || h.append_ms < info.oldest_unshipped_ms) {
        info.oldest_unshipped_ms = h.append_ms;
      }
    }
    ci.cursor = std::move(c);
    info.cursors.push_back(std::move(ci));
  }
  return info;
}

Status WalImpl::Dump(int64_t min_ts, int64_t max_ts, const SeriesFilter& filter,
                     const SampleVisitor& visit) {
  // Sample timestamps are not ordered by sequence, so every record is
  // visited; records outside [min_ts, max_ts] are skipped on their header.
  struct Wanted {
    bool keep;
    labels::Labels labels;
  };
  std::unordered_map<SeriesRef, Wanted> wanted;
  FERRY_ASSIGN_OR_RETURN(std::unique_ptr<Reader> reader, NewReader(FirstSequence()));
  const uint64_t last = LastSequence();
  Record rec;
  for (;;) {
    FERRY_ASSIGN_OR_RETURN(bool got, reader->Next(rec));
    if (!got || rec.sequence > last) break;
    if (rec.max_timestamp < min_ts || rec.min_timestamp > max_ts) continue;
    for (size_t i = 0; i < rec.size(); ++i) {
      if (rec.timestamps[i] < min_ts || rec.timestamps[i] > max_ts) continue;
      auto it = wanted.find(rec.refs[i]);
      if (it == wanted.end()) {
        Result<labels::Labels> ls = GetSeries(rec.refs[i]);
        Wanted w{.keep = false, .labels = {}};
        if (ls.ok()) {
          w.labels = std::move(ls).value();
          w.keep = !filter || filter(rec.refs[i], w.labels);
        }
        it = wanted.emplace(rec.refs[i], std::move(w)).first;
      }
      if (!it->second.keep) continue;
      FERRY_RETURN_IF_ERROR(
          visit(rec.sequence, rec.refs[i], it->second.labels, rec.timestamps[i], rec.values[i]));
    }
  }
  return Status::Ok();
}

}  // namespace ferry::wal::internal
