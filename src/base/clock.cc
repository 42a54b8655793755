#include "src/base/clock.h"

namespace ferry {
namespace {
class RealClockImpl final : public Clock {
 public:
  std::chrono::system_clock::time_point SystemNow() const override {
    return std::chrono::system_clock::now();
  }
  std::chrono::steady_clock::time_point MonotonicNow() const override {
    return std::chrono::steady_clock::now();
  }
};
}  // namespace

Clock& RealClock() {
  static RealClockImpl clock;
  return clock;
}

}  // namespace ferry
