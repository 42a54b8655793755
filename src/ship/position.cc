#include "src/ship/position.h"

#include "src/base/coding.h"

namespace ferry::ship {

namespace {
constexpr char kMarkFormat = 1;
constexpr char kMarkFormatChunks = 2;  // + chunks_acked, chunks_sent
}  // namespace

std::string EncodeShardMark(const ShardMark& mark) {
  const bool in_flight = mark.acked < mark.sent_end;
  // Format 1 for the first chunk alone (or nothing) in flight; a window
  // "in flight" with no chunk sent is written as its first chunk sent.
  const bool plain = mark.chunks_acked == 0 && mark.chunks_sent <= (in_flight ? 1u : 0u);
  std::string out(1, plain ? kMarkFormat : kMarkFormatChunks);
  coding::PutVarint64(&out, mark.acked.sequence);
  coding::PutVarint64(&out, mark.acked.index);
  coding::PutVarint64(&out, mark.sent_end.sequence);
  coding::PutVarint64(&out, mark.sent_end.index);
  if (!plain) {
    coding::PutVarint64(&out, mark.chunks_acked);
    coding::PutVarint64(&out, mark.chunks_sent);
  }
  return out;
}

bool DecodeShardMark(std::string_view bytes, ShardMark* out) {
  if (bytes.empty() || (bytes.front() != kMarkFormat && bytes.front() != kMarkFormatChunks)) {
    return false;
  }
  const bool chunks = bytes.front() == kMarkFormatChunks;
  bytes.remove_prefix(1);
  uint64_t v[6] = {0, 0, 0, 0, 0, 0};
  for (int i = 0; i < (chunks ? 6 : 4); ++i) {
    if (!coding::GetVarint64(&bytes, &v[i])) return false;
  }
  for (int i : {1, 3, 4, 5}) {
    if (v[i] > UINT32_MAX) return false;
  }
  if (!bytes.empty()) return false;
  ShardMark m{{v[0], static_cast<uint32_t>(v[1])},
              {v[2], static_cast<uint32_t>(v[3])},
              static_cast<uint32_t>(v[4]),
              static_cast<uint32_t>(v[5])};
  if (m.sent_end < m.acked) return false;
  // Format 2 is written only for a window in flight with a chunk sent.
  if (chunks && (m.chunks_sent < m.chunks_acked || m.chunks_sent == 0 || m.sent_end == m.acked)) {
    return false;
  }
  if (!chunks && m.acked < m.sent_end) m.chunks_sent = 1;
  *out = m;
  return true;
}

std::string MetaPrefix(std::string_view identity) {
  return "ship/" + std::string(identity);
}

std::string ShardKey(int shard) { return "shard/" + std::to_string(shard); }

}  // namespace ferry::ship
