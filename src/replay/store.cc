#include "src/replay/store.h"

#include "src/base/coding.h"

namespace ferry::replay {

using coding::GetLengthPrefixed;
using coding::GetVarint64;
using coding::PutLengthPrefixed;
using coding::PutVarint64;

std::string JobKey(std::string_view id) { return "job/" + std::string(id); }
std::string ShardStatePrefix(std::string_view id) { return "shard/" + std::string(id) + "/"; }
std::string ShardStateKey(std::string_view id, int shard) {
  return ShardStatePrefix(id) + std::to_string(shard);
}
std::string CursorName(std::string_view id) { return "replay/" + std::string(id); }

std::string EncodeShardState(const ShardState& s) {
  std::string out(1, '\x01');
  PutLengthPrefixed(&out, ship::EncodeShardMark(s.mark));
  const JobCounters& c = s.counters;
  for (uint64_t v : {c.samples_sent, c.samples_rejected, c.samples_already_delivered,
                     c.samples_dropped, c.samples_retried, c.bytes_sent, c.requests}) {
    PutVarint64(&out, v);
  }
  return out;
}

bool DecodeShardState(std::string_view in, ShardState* out) {
  if (in.empty() || in[0] != '\x01') return false;
  in.remove_prefix(1);
  std::string_view mark;
  if (!GetLengthPrefixed(&in, &mark) || !ship::DecodeShardMark(mark, &out->mark)) return false;
  JobCounters& c = out->counters;
  c = JobCounters{};
  for (uint64_t* v : {&c.samples_sent, &c.samples_rejected, &c.samples_already_delivered,
                      &c.samples_dropped, &c.samples_retried, &c.bytes_sent, &c.requests}) {
    if (!GetVarint64(&in, v)) return false;
  }
  return in.empty();
}

}  // namespace ferry::replay
