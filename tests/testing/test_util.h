// Helpers shared by ferry's tests.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>

#include "src/base/clock.h"

namespace ferry::testing {

// A fresh directory under $TEST_TMPDIR (or /tmp), removed with its contents
// when the TempDir is destroyed. Not thread-safe.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }
  // path() / "name" as a string.
  std::string Sub(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// A Clock set by hand. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t system_millis = 1'700'000'000'000) : system_ms_(system_millis) {}
  std::chrono::system_clock::time_point SystemNow() const override {
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(system_ms_.load()));
  }
  std::chrono::steady_clock::time_point MonotonicNow() const override {
    return std::chrono::steady_clock::time_point(std::chrono::milliseconds(mono_ms_.load()));
  }
  void Advance(std::chrono::milliseconds d) {
    system_ms_ += d.count();
    mono_ms_ += d.count();
  }

 private:
  std::atomic<int64_t> system_ms_;
  std::atomic<int64_t> mono_ms_{1'000'000};
};

// The source tree root ($FERRY_SOURCE_DIR, set by ctest) and the build root.
std::string SourceDir();
std::string BinaryDir();
// Path of the built ferry binary (BinaryDir()/ferry).
std::string FerryBinary();
// Reads a whole file; "" when it cannot be read.
std::string ReadFileOrEmpty(const std::string& path);
void WriteFileOrDie(const std::string& path, const std::string& contents);

}  // namespace ferry::testing
