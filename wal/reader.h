// Reader: streams decoded records in sequence order from a starting sequence,
// with memory bounded by one record plus each stream's previous record (the
// base its next delta decodes against), capped at 2 Mi samples in total.
//
// STATES
//   kReading   position() is the next sequence Next() will try. Next() returns
//              true with the record at the smallest retained sequence
//              >= position(), then position() = that sequence + 1.
//   kCaughtUp  Next() returned false: nothing at or after position() yet.
//              Not terminal: call Wal::WaitForNewer(position() - 1, ...) and
//              then Next() again; the reader sees records appended since.
//   kFailed    Next() returned a non-OK status (an I/O error). Terminal
//              until Seek(); create a new reader or Seek to retry.
// Records that were deleted by retention before the reader reached them are
// skipped (position jumps forward; counted in skipped_truncated()). A record
// whose bytes do not decode, or that sits in an SST block failing its
// checksum, is reported to Options::listener, counted in skipped_corrupt(),
// and skipped: the stream goes on (LevelDB Reporter). A delta whose chain
// back to its keyframe crosses a skipped record is skipped too (at most
// kKeyframeInterval records per stream).
//
// Thread-safety: not thread-safe; one thread uses a Reader at a time. Many
// Readers may run concurrently with each other and with appends.
// Lifetime: the Wal that created the Reader must outlive it.
#pragma once

#include <cstdint>

#include "src/base/status.h"
#include "wal/record.h"

namespace ferry::wal {

class Reader {
 public:
  enum class State { kReading, kCaughtUp, kFailed };

  virtual ~Reader() = default;

  // Fills "out" (reusing its vectors) with the next record and returns true;
  // returns false when caught up (state kCaughtUp). "out" is only valid until
  // the next call that modifies it.
  virtual Result<bool> Next(Record& out) = 0;

  // Repositions to "sequence" (state kReading). Clears kFailed.
  virtual void Seek(uint64_t sequence) = 0;

  virtual State state() const = 0;
  virtual uint64_t position() const = 0;
  virtual uint64_t skipped_truncated() const = 0;
  virtual uint64_t skipped_corrupt() const = 0;
};

}  // namespace ferry::wal
