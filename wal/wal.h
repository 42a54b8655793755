// Wal: ferry's durable write-ahead log of scraped samples on RocksDB.
//
// One Wal owns one RocksDB instance in Options::dir (column families
// `series`, `samples`, `meta`; docs/wal-format.md). Scrapers Append() one
// Batch per scrape; shippers read with a Reader from their named cursor and
// CommitCursor() what the receiver acknowledged; retention (background or
// Truncate()) deletes what every cursor acknowledged beyond keep_shipped, what
// is older than max_age, and the oldest records over max_size, and garbage
// collects series no retained record references.
//
// Thread-safety: every method is thread-safe. Appends from many threads are
// group-committed: one RocksDB write (and one fdatasync in kAlways) covers
// all appends waiting at that moment.
//
// Errors: Open returns FailedPrecondition when another writer holds the
// directory, or the format version is newer than supported; Corruption when
// the stored bytes cannot be recovered; IOError for disk failures. After a
// failed RocksDB write (disk full, I/O error) every later Append returns that
// error until the Wal is reopened: the in-memory encoder state can no longer
// be trusted to match the disk.
//
// Usage:
//   Options options{.dir = "/var/lib/ferry/wal"};
//   FERRY_ASSIGN_OR_RETURN(std::unique_ptr<Wal> wal, Wal::Open(options));
//   Batch batch(/*stream=*/target_id);
//   batch.Add(labels, timestamp_ms, value);        // first scrape: by labels
//   FERRY_ASSIGN_OR_RETURN(uint64_t seq, wal->Append(batch));
//   cache[i] = batch.ref(i);                       // later scrapes: by ref
//
//   FERRY_ASSIGN_OR_RETURN(Cursor cursor, wal->GetCursor("remote"));
//   FERRY_ASSIGN_OR_RETURN(std::unique_ptr<Reader> reader, wal->NewReader(cursor.next_sequence));
//   Record rec;
//   for (;;) {
//     FERRY_ASSIGN_OR_RETURN(bool got, reader->Next(rec));
//     if (!got) { wal->WaitForNewer(reader->position() - 1, 1s); continue; }
//     ...send rec, wait for the ack...
//     FERRY_RETURN_IF_ERROR(wal->CommitCursor("remote", rec.sequence + 1));
//   }
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/status.h"
#include "src/labels/labels.h"
#include "wal/options.h"
#include "wal/reader.h"
#include "wal/record.h"
#include "wal/stats.h"

namespace ferry::wal {

// A named consumer position. Every sequence < next_sequence is acknowledged.
struct Cursor {
  std::string name;
  uint64_t next_sequence = 0;
  int64_t commit_ms = 0;  // wall clock of the last commit
};

struct CursorInfo {
  Cursor cursor;
  uint64_t lag_records = 0;
  uint64_t lag_samples = 0;
  // Append time of the oldest unacknowledged record, and now minus it (0 when
  // caught up).
  int64_t oldest_unshipped_ms = 0;
  double lag_seconds = 0;
};

// What `ferry wal inspect` shows. Works on every OpenMode.
struct WalInfo {
  std::string dir;
  uint32_t format_version = 0;
  uint64_t bytes_on_disk = 0;
  uint64_t series = 0;
  uint64_t records = 0;
  uint64_t first_sequence = 0;
  uint64_t last_sequence = 0;
  uint64_t samples = 0;  // retained samples
  int64_t first_append_ms = 0;
  int64_t last_append_ms = 0;
  int64_t min_timestamp_ms = 0;  // sample timestamps in the first / last record
  int64_t max_timestamp_ms = 0;
  std::vector<CursorInfo> cursors;
  int64_t oldest_unshipped_ms = 0;  // over all cursors; 0 when all caught up
};

class Wal {
 public:
  // Opens (creating in kReadWrite if missing) the WAL in options.dir.
  // Recovery: RocksDB replays its log in point-in-time mode; a torn or
  // corrupted tail is reported to options.listener and everything before it
  // is kept. A damaged SST is repaired (see Options::repair_on_corruption).
  static Result<std::unique_ptr<Wal>> Open(const Options& options);

  virtual ~Wal() = default;

  // Appends "batch" atomically (new series + record in one write) and returns
  // its sequence number once durable per Options::durability. On success
  // every batch.ref(i) is set. InvalidArgument (naming the sample) for an
  // empty batch, an unknown ref, or an empty label set; FailedPrecondition
  // on a read-only WAL. A ref stays valid while a retained record or a live
  // stream (Options::stream_idle_timeout) lists it; a garbage-collected ref
  // gives InvalidArgument, and the caller appends by label set again.
  virtual Result<uint64_t> Append(Batch& batch) = 0;

  // fdatasync of everything appended so far, whatever the durability mode.
  virtual Status Sync() = 0;

  // Newest appended sequence visible to readers (0 when none); oldest retained.
  virtual uint64_t LastSequence() const = 0;
  virtual uint64_t FirstSequence() const = 0;

  // Blocks until LastSequence() > "sequence" or "timeout" passes, or Close().
  // Returns whether LastSequence() > "sequence". No polling: a condition
  // variable is signalled by every commit.
  virtual bool WaitForNewer(uint64_t sequence, std::chrono::milliseconds timeout) = 0;

  // A reader positioned at "sequence" (clamped to the first retained one).
  virtual Result<std::unique_ptr<Reader>> NewReader(uint64_t sequence) = 0;
  // First sequence whose append time is >= "append_ms" (LastSequence()+1 if
  // none). Appends' times are non-decreasing in sequence order.
  virtual Result<uint64_t> SeekTime(int64_t append_ms) = 0;

  // Labels of "ref"; NotFound if unknown or collected. A point read of the
  // series family (the in-memory index keeps no label bytes): callers that
  // need a series' labels often, like shippers, cache them.
  virtual Result<labels::Labels> GetSeries(SeriesRef ref) const = 0;

  // Named cursors. CommitCursor is cheap (no fdatasync): after a crash a
  // cursor may be a little behind, which makes shippers resend, never skip.
  // "name" must be non-empty and contain no '\0'.
  virtual Status CommitCursor(std::string_view name, uint64_t next_sequence) = 0;
  virtual Result<Cursor> GetCursor(std::string_view name) const = 0;
  virtual Result<std::vector<Cursor>> ListCursors() const = 0;
  virtual Status DeleteCursor(std::string_view name) = 0;

  // Small key/value store under "prefix" for other modules' state (replay
  // jobs and their progress). Not for bulk data. "prefix" non-empty, no '\0'.
  virtual Status PutMeta(std::string_view prefix, std::string_view key, std::string_view value) = 0;
  virtual Result<std::string> GetMeta(std::string_view prefix, std::string_view key) const = 0;
  virtual Result<std::vector<std::pair<std::string, std::string>>> ListMeta(
      std::string_view prefix) const = 0;
  virtual Status DeleteMeta(std::string_view prefix, std::string_view key) = 0;

  // Runs one retention pass now (also run by the background thread).
  virtual Result<TruncationEvent> Truncate() = 0;

  virtual WalStats GetStats() const = 0;
  virtual Result<WalInfo> Inspect() = 0;

  // Streams every sample with timestamp in ["min_ts", "max_ts"] whose series
  // passes "filter" (called once per series; null = all), in sequence order,
  // to "visit". Memory is bounded by one record. Stops at the first non-OK
  // status returned by "visit" and returns it.
  using SeriesFilter = std::function<bool(SeriesRef, const labels::Labels&)>;
  using SampleVisitor = std::function<Status(uint64_t sequence, SeriesRef ref,
                                             const labels::Labels& labels, int64_t ts, double v)>;
  virtual Status Dump(int64_t min_ts, int64_t max_ts, const SeriesFilter& filter,
                      const SampleVisitor& visit) = 0;

  // kSecondary only: catches up with the running writer. Readers of a
  // secondary must not run concurrently with CatchUp() (RocksDB secondaries
  // have no snapshots).
  virtual Status CatchUp() = 0;

  // Stops background threads, flushes memtables to SSTs, closes RocksDB. Idempotent; the
  // destructor calls it and ignores the status.
  virtual Status Close() = 0;
};

}  // namespace ferry::wal
