// Position: where a sample sits in the WAL, (record sequence, index in the
// record). Records are immutable, so a position names one sample for the
// life of the log, and batches can be described as position ranges that
// are rebuilt identically after a restart (docs/shipping.md, "Crash safety").
//
// Thread-safety: plain value.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace ferry::ship {

struct Position {
  uint64_t sequence = 0;
  uint32_t index = 0;
  friend auto operator<=>(const Position&, const Position&) = default;
  friend bool operator==(const Position&, const Position&) = default;
  // The position just after this one.
  Position Next() const { return {sequence, index + 1}; }
};

// What one shard has made durable in the WAL's meta before and after each
// POST: every sample of the shard before "acked" was acknowledged by the
// receiver; the samples of the shard in ["acked", "sent_end") form the
// window being sent. A window goes out as requests ("chunks") cut from its
// samples ordered by (series ref, position) (Shard::PlanChunks); chunks
// before "chunks_acked" were acknowledged, chunks in ["chunks_acked",
// "chunks_sent") may be in flight (sent, answer unknown), later ones were
// never sent. acked == sent_end when nothing is in flight.
struct ShardMark {
  Position acked;
  Position sent_end;
  uint32_t chunks_acked = 0;
  uint32_t chunks_sent = 0;
  friend bool operator==(const ShardMark&, const ShardMark&) = default;
};

// Byte encoding for Wal::PutMeta: a format byte, then varints
// acked.sequence, acked.index, sent_end.sequence, sent_end.index, and with
// format 2 chunks_acked, chunks_sent. Format 1 is written when the window's
// first chunk is the only one that may be in flight (chunks_acked 0,
// chunks_sent at most 1), or nothing is, as ferry did before windows had
// more than one chunk; it decodes to chunks_sent 1 (0 when nothing is in
// flight).
std::string EncodeShardMark(const ShardMark& mark);
// False when "bytes" is not an encoded mark (unknown format byte,
// truncated, trailing bytes, sent_end < acked; with format 2 also
// chunks_sent < chunks_acked, no chunk sent, or an empty range).
[[nodiscard]] bool DecodeShardMark(std::string_view bytes, ShardMark* out);

// Meta layout under prefix "ship/<identity>": key "shards" holds the shard
// count as a decimal string; key "shard/<k>" holds shard k's mark.
std::string MetaPrefix(std::string_view identity);
inline constexpr std::string_view kShardCountKey = "shards";
std::string ShardKey(int shard);

}  // namespace ferry::ship
