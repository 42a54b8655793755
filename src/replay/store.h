// Where a replay job's durable state lives in the WAL (docs/replay.md,
// "Durable progress"):
//   meta "replay" / "job/<id>"        JobStatus as JSON (StatusToJson),
//                                     rewritten at every checkpoint;
//   meta "replay" / "shard/<id>/<k>"  ShardState of sender k (binary below),
//                                     written before and after every request;
//   cursor "replay/<id>"              the job's resume sequence; holds back
//                                     retention while the job is unfinished.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "src/replay/job.h"
#include "src/ship/position.h"

namespace ferry::replay {

inline constexpr std::string_view kMetaPrefix = "replay";

std::string JobKey(std::string_view id);
std::string ShardStateKey(std::string_view id, int shard);
// Prefix of every shard key of job "id" (for deletion).
std::string ShardStatePrefix(std::string_view id);
std::string CursorName(std::string_view id);

// One sender's mark (as the shipper's: every sample of the shard before
// mark.acked was answered; [acked, sent_end) may be in flight) and the
// counters of the answers it got, written together so a crash never counts
// an answer twice or loses one.
struct ShardState {
  ship::ShardMark mark;
  JobCounters counters;  // samples_* except matched, bytes, requests
  friend bool operator==(const ShardState&, const ShardState&) = default;
};

// Format byte 1, the encoded mark (length-prefixed), then varints
// sent, rejected, already_delivered, dropped, retried, bytes, requests.
std::string EncodeShardState(const ShardState& s);
// False for anything else (wrong format, truncated, trailing bytes).
[[nodiscard]] bool DecodeShardState(std::string_view bytes, ShardState* out);

}  // namespace ferry::replay
