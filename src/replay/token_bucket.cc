#include "src/replay/token_bucket.h"

#include <algorithm>
#include <cmath>

#include "src/base/check.h"

namespace ferry::replay {

TokenBucket::TokenBucket(double rate, double burst, const Clock& clock)
    : rate_(rate), burst_(burst), clock_(clock), tokens_(burst), last_(clock.MonotonicNow()) {
  FERRY_CHECK(rate > 0 && burst > 0);
}

void TokenBucket::Refill() {
  auto now = clock_.MonotonicNow();
  double secs = std::chrono::duration<double>(now - last_).count();
  last_ = now;
  if (secs > 0) tokens_ = std::min(burst_, tokens_ + secs * rate_);
}

std::chrono::milliseconds TokenBucket::Take(double n) {
  Refill();
  tokens_ -= n;
  if (tokens_ >= 0) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(static_cast<int64_t>(std::ceil(-tokens_ / rate_ * 1000.0)));
}

}  // namespace ferry::replay
