// Fuzzes the shipper's two parsers of outside bytes: the Retry-After header
// (any bytes must give a non-negative delay or nothing) and the shard marks
// read back from the WAL's meta (any bytes must decode cleanly or be
// refused; a decoded mark re-encodes to the same bytes).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "src/base/check.h"
#include "src/ship/backoff.h"
#include "src/ship/position.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto now = std::chrono::system_clock::from_time_t(1'700'000'000);
  auto delay = ferry::ship::ParseRetryAfter(in, now);
  if (delay.has_value()) FERRY_CHECK(delay->count() >= 0);
  ferry::ship::ShardMark mark;
  if (ferry::ship::DecodeShardMark(in, &mark)) {
    FERRY_CHECK(!(mark.sent_end < mark.acked));
    ferry::ship::ShardMark again;
    std::string bytes = ferry::ship::EncodeShardMark(mark);
    FERRY_CHECK(ferry::ship::DecodeShardMark(bytes, &again) && again == mark);
  }
  return 0;
}
