// Options for opening a WAL, the durability modes, and the listener through
// which the WAL reports events (it never logs).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "src/base/clock.h"
#include "src/base/status.h"

namespace ferry::wal {

// When an acknowledged Append survives what. "Acknowledged" means Append
// returned OK. Every mode writes the record to RocksDB's log file with
// write(2) before Append returns, so every mode survives a crash of the
// process (kill -9): the bytes are in the kernel's page cache.
enum class Durability {
  // fdatasync(2) of the log before Append returns; concurrent appends share
  // one fdatasync (group commit). Survives power loss and kernel crash.
  kAlways,
  // A background thread calls fdatasync(2) every Options::sync_interval.
  // Power loss or a kernel crash loses at most the last sync_interval of
  // acknowledged appends (plus the sync's own duration).
  kInterval,
  // Never fdatasync explicitly; the kernel writes back when it likes
  // (typically within 30 s on Linux). Power loss loses an unbounded amount.
  kNever,
};

// How Open() attaches to the directory.
enum class OpenMode {
  // The one writer. Takes RocksDB's LOCK file; a second writer is refused.
  kReadWrite,
  // Read-only view of a stopped WAL's state at open time. Never modifies the
  // directory. RocksDB does not support read-only opens beside a running
  // writer: use kSecondary for that.
  kReadOnly,
  // RocksDB secondary instance: works beside a running writer and follows it
  // through Wal::CatchUp(). Needs Options::secondary_dir.
  kSecondary,
};

struct CorruptionEvent {
  // Where: "rocksdb recovery", "record", "series", "open".
  std::string where;
  // The sequence number or series ref concerned; 0 when not applicable.
  uint64_t key = 0;
  // Approximate number of bytes dropped; 0 when unknown.
  uint64_t bytes = 0;
  Status status;
};

struct TruncationEvent {
  uint64_t from_sequence = 0;              // first deleted sequence
  uint64_t to_sequence = 0;                // first retained sequence
  uint64_t shipped_samples = 0;            // already acknowledged by every cursor
  uint64_t dropped_retention_samples = 0;  // unshipped, older than max_age
  uint64_t dropped_size_cap_samples = 0;   // unshipped, over max_size
  uint64_t series_collected = 0;
};

// SST compression of a column family.
enum class Compression {
  kNone,
  kSnappy,
  kSnappyZstdBottommost,  // Snappy, and ZSTD at the bottommost level
};

// Receives events from the WAL, like rocksdb::EventListener.
//
// [Threading] Callbacks run on the thread that found the event: an appender,
// a reader's thread, the open call, or the WAL's background thread. They may
// run concurrently and must be thread-safe.
// [Locking] No WAL lock is held during a callback, but events that RocksDB
// itself reports (where == "rocksdb recovery") may arrive with RocksDB's
// internal locks held: callbacks must be quick, must not block, and must not
// call back into the Wal except GetStats().
// [Exceptions] Callbacks must not throw.
class Listener {
 public:
  virtual ~Listener() = default;
  // Stored bytes were damaged; the WAL kept going past them (LevelDB Reporter).
  virtual void OnCorruption(const CorruptionEvent& event) {}
  // A retention pass deleted records.
  virtual void OnTruncation(const TruncationEvent& event) {}
  // A background sync or retention pass failed; it is retried next interval.
  virtual void OnBackgroundError(const Status& status) {}
};

struct Options {
  // Data directory, created if missing (kReadWrite). REQUIRED.
  std::string dir;

  // Default: kReadWrite.
  OpenMode mode = OpenMode::kReadWrite;
  // Where a kSecondary instance keeps its own info log and files. Must differ
  // from "dir". REQUIRED for kSecondary.
  std::string secondary_dir;

  // Default: kInterval.
  Durability durability = Durability::kInterval;
  // Sync period for kInterval. Default: 1 s.
  std::chrono::milliseconds sync_interval{1000};

  // Records whose append time is older than this are deleted by retention
  // even if not yet acknowledged by every cursor (counted as dropped,
  // reason "retention"). 0 disables. Default: 4 h.
  std::chrono::milliseconds max_age = std::chrono::hours(4);
  // Already-acknowledged records younger than this are kept for replay on
  // demand. Default: 1 h.
  std::chrono::milliseconds keep_shipped = std::chrono::hours(1);
  // Cap on the directory's size in bytes; retention deletes the oldest
  // records first (acknowledged or not; unacknowledged counted as dropped,
  // reason "size_cap"). 0 means max_size_fraction of the volume's capacity.
  uint64_t max_size = 0;
  // Used when max_size == 0. Default: 0.5.
  double max_size_fraction = 0.5;
  // How often the background thread runs retention. 0 disables background
  // retention (call Wal::Truncate yourself). Default: 1 min.
  std::chrono::milliseconds retention_interval = std::chrono::minutes(1);

  // A stream (Batch::stream()) that has not appended for this long is
  // forgotten by retention: the series it used become collectable once no
  // retained record lists them. Series of live streams are never collected,
  // so refs cached by an active scraper stay valid. Default: 1 h.
  std::chrono::milliseconds stream_idle_timeout = std::chrono::hours(1);

  // Bytes of pending appends one group commit takes at most. Default: 16 MiB.
  size_t max_group_bytes = 16 << 20;

  // RocksDB memtable size of the samples family (the log). Memory, not
  // durability: every append is in RocksDB's own log first. A memtable
  // holds about 8 s of 100 k samples/s; larger ones cost RSS without
  // making appends or shipping measurably cheaper. The series, meta and
  // default families, written rarely or rewriting a few keys, use at most
  // 1 MiB. Default: 8 MiB.
  size_t write_buffer_size = 8 << 20;
  // RocksDB block cache shared by all column families, holding data,
  // index and filter blocks: read memory stays within it whatever the WAL
  // size. Readers scanning the log do not fill it. Default: 16 MiB.
  size_t block_cache_size = 16 << 20;
  // SST compression of the samples family (the log). Its records are
  // bit-packed already (docs/wal-format.md), so Snappy and ZSTD save few
  // bytes, while compressing them was most of RocksDB's background CPU: a
  // flush compressed every byte with Snappy and the compaction into the
  // bottommost level read it back and compressed it again with ZSTD. Without
  // a compression change between levels, RocksDB moves flushed files down
  // instead of rewriting them. The series family (label text) always uses
  // Snappy, with ZSTD at the bottommost level. See docs/perf-notes/wal.md.
  // ferry's --storage.agent.wal-compression sets kSnappyZstdBottommost.
  // Default: kNone.
  Compression samples_compression = Compression::kNone;
  // On a damaged SST (RocksDB refuses to open with Corruption), run
  // RocksDB's repair, report it, and open what was salvaged. Default: true.
  bool repair_on_corruption = true;

  // Not owned; must outlive the Wal. Default: none.
  Listener* listener = nullptr;
  // Not owned; must outlive the Wal. Default: RealClock().
  Clock* clock = nullptr;
};

}  // namespace ferry::wal
