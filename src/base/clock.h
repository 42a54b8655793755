// Clock: the one way ferry reads time, so tests can control it.
//
// SystemNow() is wall-clock time for sample timestamps and display;
// MonotonicNow() is for intervals, deadlines and back-off. RealClock() is the
// process-wide real clock; FakeClock (tests/testing/fake_clock.h) is set by
// hand.
//
// Thread-safety: implementations must be safe to call from any thread.
#pragma once

#include <chrono>
#include <cstdint>

namespace ferry {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point SystemNow() const = 0;
  virtual std::chrono::steady_clock::time_point MonotonicNow() const = 0;

  // Milliseconds since the Unix epoch, the unit of Prometheus timestamps.
  int64_t NowMillis() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               SystemNow().time_since_epoch())
        .count();
  }
};

// The real clock. The returned reference is valid for the life of the process.
Clock& RealClock();

}  // namespace ferry
