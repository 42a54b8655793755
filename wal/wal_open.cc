// Wal::Open: options, RocksDB open (primary, read-only, secondary), recovery
// reporting, repair of damaged SSTs, format version check, loading state.
#include <rocksdb/cache.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <string>

#include "src/base/coding.h"
#include "wal/internal/codec.h"
#include "wal/internal/record_format.h"
#include "wal/internal/rocks_util.h"
#include "wal/internal/schema.h"
#include "wal/internal/series_codec.h"
#include "wal/internal/wal_impl.h"

namespace ferry::wal {

Result<std::unique_ptr<Wal>> Wal::Open(const Options& options) {
  FERRY_ASSIGN_OR_RETURN(std::unique_ptr<internal::WalImpl> impl,
                         internal::WalImpl::OpenImpl(options));
  return std::unique_ptr<Wal>(std::move(impl));
}

std::string_view DropReasonName(DropReason reason) {
  switch (reason) {
    case DropReason::kRetention:
      return "retention";
    case DropReason::kSizeCap:
      return "size_cap";
    case DropReason::kCorruption:
      return "corruption";
  }
  return "unknown";
}

namespace internal {
namespace {

// RocksDB's info log, reduced to what matters to ferry: warnings and errors
// about damaged log records (RocksDB's LogReporter writes "dropping N bytes;
// Corruption: ..." at WARN) become Listener::OnCorruption events. Everything
// else is discarded: wal/ does not log.
class ReportingLogger final : public rocksdb::Logger {
 public:
  explicit ReportingLogger(Listener* listener)
      : rocksdb::Logger(rocksdb::InfoLogLevel::INFO_LEVEL), listener_(listener) {}

  // Damage reports seen so far.
  std::atomic<uint64_t> events{0};

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
  }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    char buf[1024];
    vsnprintf(buf, sizeof(buf), format, ap);
    std::string_view msg(buf);
    const bool damage = msg.find("dropping") != std::string_view::npos ||
                        (level >= rocksdb::InfoLogLevel::WARN_LEVEL &&
                         msg.find("Corruption") != std::string_view::npos);
    if (!damage) return;
    events.fetch_add(1, std::memory_order_relaxed);
    if (listener_ == nullptr) return;
    CorruptionEvent e;
    e.where = "rocksdb recovery";
    size_t p = msg.find("dropping ");
    if (p != std::string_view::npos) {
      e.bytes = std::strtoull(std::string(msg.substr(p + 9, 20)).c_str(), nullptr, 10);
    }
    e.status = Status::Corruption(std::string(msg));
    listener_->OnCorruption(e);
  }

 private:
  Listener* const listener_;
};

// Memtable of the small families. Meta (cursors, shard marks, replay jobs)
// is rewritten in place many times per second while shipping: its memtable
// fills with overwrites of the same few keys, so a large one would only let
// RSS grow with the amount shipped before a flush. Series is written once
// per new series and read back only at open.
constexpr size_t kSmallFamilyWriteBuffer = 1 << 20;

rocksdb::ColumnFamilyOptions FamilyOptions(const Options& o, Compression compression,
                                           const std::shared_ptr<rocksdb::Cache>& cache,
                                           bool small = false) {
  rocksdb::ColumnFamilyOptions cf;
  cf.write_buffer_size =
      small ? std::min(o.write_buffer_size, kSmallFamilyWriteBuffer) : o.write_buffer_size;
  // Arena blocks of 1 MiB for the samples memtable: at or above ferry's
  // malloc mmap threshold (src/cli/main.cc), so a flushed memtable's memory
  // goes back to the system instead of staying in the heap.
  if (!small) cf.arena_block_size = std::min<size_t>(1 << 20, cf.write_buffer_size);
  cf.compression = compression == Compression::kNone ? rocksdb::kNoCompression
                                                          : rocksdb::kSnappyCompression;
  if (compression == Compression::kSnappyZstdBottommost) {
    cf.bottommost_compression = rocksdb::kZSTD;
  }
  cf.level_compaction_dynamic_level_bytes = true;
  rocksdb::BlockBasedTableOptions t;
  t.block_size = 32 << 10;
  // Index and filter blocks live in the one bounded cache (with L0's
  // pinned) rather than in every open table reader, so read memory does not
  // grow with the number of SST files, i.e. with the backlog.
  t.block_cache = cache;
  t.cache_index_and_filter_blocks = true;
  t.pin_l0_filter_and_index_blocks_in_cache = true;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  return cf;
}

}  // namespace

WalImpl::WalImpl(const Options& options)
    : options_(options),
      clock_(options.clock != nullptr ? *options.clock : RealClock()),
      listener_(options.listener) {}

WalImpl::~WalImpl() { Close().IgnoreError(); }  // best effort; Close() reports to callers who ask

Status WalImpl::ReadOnlyError(std::string_view op) const {
  return Status::FailedPrecondition(std::string(op) + ": WAL at " + options_.dir +
                                    " is open read-only");
}

Result<std::unique_ptr<WalImpl>> WalImpl::OpenImpl(const Options& options) {
  if (options.dir.empty()) return Status::InvalidArgument("wal: Options::dir is empty");
  if (options.mode == OpenMode::kSecondary &&
      (options.secondary_dir.empty() || options.secondary_dir == options.dir)) {
    return Status::InvalidArgument("wal: kSecondary needs a secondary_dir distinct from " +
                                   options.dir);
  }
  if (options.durability == Durability::kInterval && options.sync_interval.count() <= 0) {
    return Status::InvalidArgument("wal: sync_interval must be positive for kInterval");
  }
  std::unique_ptr<WalImpl> w(new WalImpl(options));
  w->read_only_ = options.mode != OpenMode::kReadWrite;
  auto load = [&]() -> Status {
    FERRY_RETURN_IF_ERROR(w->OpenDb());
    FERRY_RETURN_IF_ERROR(w->CheckVersion());
    FERRY_RETURN_IF_ERROR(w->LoadSequences());
    return w->LoadSeries(1);
  };
  Status s = load();
  if (s.IsCorruption() && options.mode == OpenMode::kReadWrite && options.repair_on_corruption) {
    // Damaged SST or manifest: report, let RocksDB salvage what it can
    // (damaged files go to <dir>/lost/), and open the result once more.
    w->ReportCorruption({.where = "open", .key = 0, .bytes = 0, .status = s}, 0);
    w->CloseDb();
    FERRY_RETURN_IF_ERROR(w->Repair().WithContext("after " + s.message()));
    w->series_.Clear();
    s = load();
  }
  FERRY_RETURN_IF_ERROR(s);
  w->bytes_on_disk_ = w->DirBytes();
  if (!w->read_only_ &&
      (options.durability == Durability::kInterval || options.retention_interval.count() > 0)) {
    WalImpl* self = w.get();
    w->bg_thread_ = std::jthread([self](std::stop_token st) { self->BackgroundLoop(st); });
  }
  return w;
}

Status WalImpl::OpenDb() {
  if (info_log_ == nullptr) {
    auto logger = std::make_shared<ReportingLogger>(listener_);
    open_events_ = &logger->events;
    info_log_ = logger;
  }
  rocksdb::DBOptions db = DbOptions();
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs = Families();
  auto open = [&]() -> rocksdb::Status {
    rocksdb::DB* raw = nullptr;
    handles_.clear();
    rocksdb::Status s;
    switch (options_.mode) {
      case OpenMode::kReadWrite:
        s = rocksdb::DB::Open(db, options_.dir, cfs, &handles_, &raw);
        break;
      case OpenMode::kReadOnly:
        s = rocksdb::DB::OpenForReadOnly(db, options_.dir, cfs, &handles_, &raw);
        break;
      case OpenMode::kSecondary:
        s = rocksdb::DB::OpenAsSecondary(db, options_.dir, options_.secondary_dir, cfs, &handles_,
                                         &raw);
        break;
    }
    db_.reset(raw);
    return s;
  };
  rocksdb::Status s = open();
  if (!s.ok()) {
    std::string msg = s.ToString();
    if (s.IsIOError() &&
        (msg.find("LOCK") != std::string::npos || msg.find("lock") != std::string::npos)) {
      return Status::FailedPrecondition("WAL directory " + options_.dir +
                                        " is in use by another writer (RocksDB LOCK held): " + msg);
    }
    return FromRocks(s, "opening WAL at " + options_.dir);
  }
  cf_series_ = handles_[1];
  cf_samples_ = handles_[2];
  cf_meta_ = handles_[3];
  return Status::Ok();
}

rocksdb::DBOptions WalImpl::DbOptions() const {
  rocksdb::DBOptions db;
  db.create_if_missing = !read_only_;
  db.create_missing_column_families = !read_only_;
  db.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  db.paranoid_checks = true;
  db.max_background_jobs = 2;
  db.keep_log_file_num = 2;
  db.max_total_wal_size = 256 << 20;  // flush idle families so old log files can go
  db.info_log = info_log_;
  if (options_.mode == OpenMode::kSecondary) db.max_open_files = -1;
  return db;
}

std::vector<rocksdb::ColumnFamilyDescriptor> WalImpl::Families() const {
  // One block cache for all families.
  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(options_.block_cache_size);
  return {
      {rocksdb::kDefaultColumnFamilyName,
       FamilyOptions(options_, Compression::kSnappy, cache, /*small=*/true)},
      {std::string(kSeriesFamily),
       FamilyOptions(options_, Compression::kSnappyZstdBottommost, cache, /*small=*/true)},
      {std::string(kSamplesFamily), FamilyOptions(options_, options_.samples_compression, cache)},
      {std::string(kMetaFamily),
       FamilyOptions(options_, Compression::kSnappy, cache, /*small=*/true)},
  };
}

void WalImpl::CloseDb() {
  if (db_ == nullptr) return;
  for (rocksdb::ColumnFamilyHandle* h : handles_) {
    db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  }
  handles_.clear();
  db_->Close().PermitUncheckedError();
  db_.reset();
}

Status WalImpl::Repair() {
  return FromRocks(rocksdb::RepairDB(options_.dir, DbOptions(), Families()),
                   "repairing damaged WAL at " + options_.dir);
}

Status WalImpl::CheckVersion() {
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_meta_, ToSlice(kMetaVersion), &v);
  if (s.IsNotFound()) {
    // A new directory, unless it already holds data (then meta was lost).
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(UncachedReads(), cf_samples_));
    it->SeekToFirst();
    std::unique_ptr<rocksdb::Iterator> it2(db_->NewIterator(UncachedReads(), cf_series_));
    it2->SeekToFirst();
    if (it->Valid() || it2->Valid()) {
      return Status::Corruption("WAL at " + options_.dir + " has data but no format version");
    }
    format_version_ = kFormatVersion;
    if (read_only_) return Status::Ok();
    return FromRocks(db_->Put(rocksdb::WriteOptions(), cf_meta_, ToSlice(kMetaVersion),
                              EncodeVarintValue(kFormatVersion)),
                     "writing format version in " + options_.dir);
  }
  FERRY_RETURN_IF_ERROR(FromRocks(s, "reading format version in " + options_.dir));
  uint64_t version;
  FERRY_RETURN_IF_ERROR(DecodeVarintValue(v, kMetaVersion, &version).WithContext(options_.dir));
  if (version > kFormatVersion) {
    return Status::FailedPrecondition(
        "WAL at " + options_.dir + " has format version " + std::to_string(version) +
        ", newer than the newest this ferry supports (" + std::to_string(kFormatVersion) +
        "); run a newer ferry or use another directory");
  }
  if (version < kMinSupportedVersion) {
    return Status::FailedPrecondition("WAL at " + options_.dir + " has format version " +
                                      std::to_string(version) +
                                      ", older than the oldest this ferry can upgrade (" +
                                      std::to_string(kMinSupportedVersion) + ")");
  }
  // Upgrade steps from "version" to kFormatVersion go here, one per version,
  // each in one WriteBatch that also bumps meta/version. None exist yet.
  format_version_ = static_cast<uint32_t>(version);
  return Status::Ok();
}

Status WalImpl::LoadSeries(uint64_t from_ref) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(UncachedReads(), cf_series_));
  const uint64_t last = last_seq_.load();
  for (it->Seek(ToSlice(U64Key(from_ref))); it->Valid(); it->Next()) {
    uint64_t ref;
    labels::Labels ls;
    Status s;
    if (!ParseU64Key(ToView(it->key()), &ref) || ref == kNoSeriesRef) {
      s = Status::Corruption("series key of " + std::to_string(it->key().size()) + " bytes");
    } else {
      s = DecodeLabels(ToView(it->value()), &ls);
    }
    if (!s.ok()) {
      ReportCorruption({.where = "series", .key = ref, .bytes = it->value().size(), .status = s},
                       0);
      continue;
    }
    if (ref > series_hwm_) series_hwm_ = ref;
    // Until a keyframe lists it again, a loaded series is kept alive by the
    // newest record present now (conservative: GC'd once retention passes it).
    if (!series_.Contains(ref)) series_.Insert(ref, ls.Hash(), last);
  }
  FERRY_RETURN_IF_ERROR(FromRocks(it->status(), "loading series from " + options_.dir));
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_meta_, ToSlice(kMetaSeriesHwm), &v);
  if (s.ok()) {
    uint64_t hwm;
    FERRY_RETURN_IF_ERROR(DecodeVarintValue(v, kMetaSeriesHwm, &hwm).WithContext(options_.dir));
    if (hwm > series_hwm_) series_hwm_ = hwm;
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "reading series_hwm in " + options_.dir);
  }
  return Status::Ok();
}

Status WalImpl::LoadSequences() {
  uint64_t floor = 0;
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_meta_, ToSlice(kMetaSeqFloor), &v);
  if (s.ok()) {
    FERRY_RETURN_IF_ERROR(DecodeVarintValue(v, kMetaSeqFloor, &floor).WithContext(options_.dir));
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "reading seq_floor in " + options_.dir);
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(UncachedReads(), cf_samples_));
  it->SeekToFirst();
  uint64_t first = 0, last = 0;
  if (it->Valid() && ParseU64Key(ToView(it->key()), &first)) {
    // The newest record whose header decodes gives the sample count and time.
    for (it->SeekToLast(); it->Valid(); it->Prev()) {
      uint64_t seq;
      if (!ParseU64Key(ToView(it->key()), &seq)) continue;
      if (last == 0) last = seq;
      RecordHeader h;
      std::string_view body;
      Status hs = DecodeHeader(ToView(it->value()), &h, &body);
      if (!hs.ok()) {
        ReportCorruption({.where = "record", .key = seq, .bytes = it->value().size(), .status = hs},
                         0);
        continue;
      }
      next_sample_ = h.first_sample + h.count;
      last_append_ms_ = h.append_ms;
      break;
    }
  }
  FERRY_RETURN_IF_ERROR(FromRocks(it->status(), "reading sequences in " + options_.dir));
  next_seq_ = std::max<uint64_t>({last + 1, floor, 1});
  first_seq_ = first != 0 ? first : next_seq_;
  last_seq_ = next_seq_ - 1;
  return Status::Ok();
}

}  // namespace internal
}  // namespace ferry::wal
