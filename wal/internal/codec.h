// Record codec: encodes one Append's samples into the stored record bytes and
// decodes them back. The byte format is docs/wal-format.md "record":
//
//   +---------+-------+--------+-----------+--------------+-------+--------+---------+-----------------------+
//   | version | flags | stream | append_ms | first_sample | count | min_ts | ts_span | [key_dist]
//   [prev_dist]| |  u8 =1  |  u8   | varint |  varsint  |    varint    | varint| varsint| varint  |
//   varint     varint    |
//   +---------+-------+--------+-----------+--------------+-------+--------+---------+-----------------------+
//   | keyframe only: refs    count x varsint delta from previous ref (first from 0) | | !SHARED_TS
//   only: ts    count x varint (t - min_ts)                                                     |
//   | values: Gorilla XOR bit stream (vs previous value in a keyframe, vs value i of the stream's
//   previous  | |         record in a delta), MSB first, zero padded to a byte |
//   +-------------------------------------------------------------------------------------------------------+
//
// Decoding never trusts the bytes: every length and count is checked against
// what remains, and damage is a Corruption status naming the field. Nothing
// here touches RocksDB; the caller fetches a delta's keyframe.
//
// Thread-safety: free functions without shared state.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "src/base/status.h"
#include "wal/record.h"

namespace ferry::wal::internal {

struct RecordHeader {
  uint8_t flags = 0;
  uint64_t stream = 0;
  int64_t append_ms = 0;
  uint64_t first_sample = 0;
  uint64_t count = 0;
  int64_t min_ts = 0;
  uint64_t ts_span = 0;
  uint64_t key_dist = 0;   // DELTA only: sequences back to the keyframe
  uint64_t prev_dist = 0;  // DELTA only: sequences back to the stream's previous record

  bool delta() const;
  bool shared_ts() const;
};

// What EncodeRecord needs. The spans must stay valid during the call.
struct EncodeInput {
  uint64_t stream = 0;
  int64_t append_ms = 0;
  uint64_t first_sample = 0;
  std::span<const SeriesRef> refs;
  std::span<const int64_t> timestamps;
  std::span<const double> values;
  // Non-zero: encode a delta whose series list is the keyframe's "key_dist"
  // sequences back, XORing values against "prev_values" of the stream's
  // previous record "prev_dist" back (same size, same series order).
  uint64_t key_dist = 0;
  uint64_t prev_dist = 0;
  std::span<const double> prev_values;
};

// What a DELTA record is decoded against: the stream's previous record
// (itself a keyframe or a delta of the same keyframe).
struct DeltaBase {
  uint64_t sequence = 0;
  uint64_t keyframe_sequence = 0;
  uint64_t stream = 0;
  std::span<const SeriesRef> refs;
  std::span<const double> values;
};

// Appends the record for "in" to "*out". REQUIRES: refs/timestamps/values
// have the same non-zero size; for a delta keyframe_values too.
void EncodeRecord(const EncodeInput& in, std::string* out);

// Parses the header of "bytes" and sets "*body" to the rest (a view into
// "bytes"). Corruption if the header is damaged or has unknown version/flags.
Status DecodeHeader(std::string_view bytes, RecordHeader* header, std::string_view* body);

// Decodes a full record stored at "sequence" into "*out" (vectors reused).
// For a DELTA record "base" must describe the decoded record at
// sequence - prev_dist; for a keyframe it is ignored (may be null).
// Corruption names the sequence and the damaged field.
Status DecodeRecord(std::string_view bytes, uint64_t sequence, const DeltaBase* base, Record* out);

// The DeltaBase view of a decoded record (valid while "r" is unchanged).
DeltaBase BaseOf(const Record& r);

}  // namespace ferry::wal::internal
