#include "src/ship/position.h"

#include "src/base/coding.h"

namespace ferry::ship {

namespace {
constexpr char kMarkFormat = 1;
}  // namespace

std::string EncodeShardMark(const ShardMark& mark) {
  std::string out(1, kMarkFormat);
  coding::PutVarint64(&out, mark.acked.sequence);
  coding::PutVarint64(&out, mark.acked.index);
  coding::PutVarint64(&out, mark.sent_end.sequence);
  coding::PutVarint64(&out, mark.sent_end.index);
  return out;
}

bool DecodeShardMark(std::string_view bytes, ShardMark* out) {
  if (bytes.empty() || bytes.front() != kMarkFormat) return false;
  bytes.remove_prefix(1);
  uint64_t v[4];
  for (uint64_t& x : v) {
    if (!coding::GetVarint64(&bytes, &x)) return false;
  }
  if (!bytes.empty() || v[1] > UINT32_MAX || v[3] > UINT32_MAX) return false;
  ShardMark m{{v[0], static_cast<uint32_t>(v[1])}, {v[2], static_cast<uint32_t>(v[3])}};
  if (m.sent_end < m.acked) return false;
  *out = m;
  return true;
}

std::string MetaPrefix(std::string_view identity) {
  return "ship/" + std::string(identity);
}

std::string ShardKey(int shard) { return "shard/" + std::to_string(shard); }

}  // namespace ferry::ship
