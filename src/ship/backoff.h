// Retry timing of the shipper: exponential back-off with jitter between
// queue_config.min_backoff and max_backoff, and parsing of the HTTP
// Retry-After header (delay-seconds or HTTP-date, RFC 9110 section 10.2.3).
//
// Thread-safety: Backoff is not thread-safe (one per sending shard);
// ParseRetryAfter is a pure function.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

namespace ferry::ship {

// Returns a uniformly distributed number in [0, 1). Injected so tests get
// deterministic jitter.
using UniformRng = std::function<double()>;

// A UniformRng seeded from std::random_device (one engine per returned
// function; not shared between threads).
UniformRng DefaultRng();

class Backoff {
 public:
  // REQUIRES: 0 < min <= max. "rng" must be callable (DefaultRng() in
  // production).
  Backoff(std::chrono::milliseconds min, std::chrono::milliseconds max, UniformRng rng);

  // The wait before the next attempt, then doubles the base (capped at max).
  // The base starts at "min"; the wait is "equal jitter": base/2 plus a
  // uniform part of base/2, never below min and never above max. A
  // Retry-After of "retry_after" replaces the computed wait when present
  // (capped at max as Prometheus does not, see docs/shipping.md: an absurd
  // Retry-After must not stall an endpoint for hours) but the base still
  // doubles.
  std::chrono::milliseconds Next(std::optional<std::chrono::milliseconds> retry_after = {});

  // Back to the first step; call after a successful send.
  void Reset() { base_ = min_; }

  std::chrono::milliseconds base() const { return base_; }

 private:
  std::chrono::milliseconds min_;
  std::chrono::milliseconds max_;
  std::chrono::milliseconds base_;
  UniformRng rng_;
};

// Parses a Retry-After value relative to "now": either a non-negative
// integer number of seconds, or an HTTP-date in IMF-fixdate
// ("Sun, 06 Nov 1994 08:49:37 GMT"), obsolete RFC 850
// ("Sunday, 06-Nov-94 08:49:37 GMT") or asctime ("Sun Nov  6 08:49:37 1994")
// form. A date in the past gives 0. Returns nullopt for an empty or
// malformed value (the caller then uses its own back-off).
std::optional<std::chrono::milliseconds> ParseRetryAfter(
    std::string_view value, std::chrono::system_clock::time_point now);

}  // namespace ferry::ship
