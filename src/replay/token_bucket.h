// TokenBucket: the replay rate limit (samples per second).
//
// The bucket holds up to "burst" tokens and refills at "rate" per second of
// the injected clock's monotonic time. Take(n) always takes n tokens, going
// into debt if needed, and returns how long the caller must wait before
// going on so that, over any window, at most burst + rate * window tokens
// pass. Taking whole batches (a record's samples) keeps the limit exact on
// average without splitting records.
//
// Thread-safety: not thread-safe (one replay reader uses it).
#pragma once

#include <chrono>

#include "src/base/clock.h"

namespace ferry::replay {

class TokenBucket {
 public:
  // REQUIRES: rate > 0, burst > 0. "clock" must outlive the bucket. Starts full.
  TokenBucket(double rate, double burst, const Clock& clock);

  // Takes "n" tokens; returns the wait (0 when the bucket covered them).
  std::chrono::milliseconds Take(double n);

  double tokens() const { return tokens_; }

 private:
  void Refill();

  const double rate_;
  const double burst_;
  const Clock& clock_;
  double tokens_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace ferry::replay
