// Mutex and MutexLock with clang thread-safety annotations.
//
// Annotate shared members with FERRY_GUARDED_BY(mu_) and functions that need
// the lock with FERRY_REQUIRES(mu_); the clang build (-Wthread-safety) checks
// them. No I/O, no callbacks and no logging while holding a Mutex.
//
//   class Counter {
//    public:
//     void Add(int n) { MutexLock l(mu_); total_ += n; }
//    private:
//     Mutex mu_;
//     int total_ FERRY_GUARDED_BY(mu_) = 0;
//   };
#pragma once

#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define FERRY_THREAD_ANNOTATION_(x) __attribute__((x))
#else
#define FERRY_THREAD_ANNOTATION_(x)
#endif

#define FERRY_CAPABILITY(x) FERRY_THREAD_ANNOTATION_(capability(x))
#define FERRY_SCOPED_CAPABILITY FERRY_THREAD_ANNOTATION_(scoped_lockable)
#define FERRY_GUARDED_BY(x) FERRY_THREAD_ANNOTATION_(guarded_by(x))
#define FERRY_PT_GUARDED_BY(x) FERRY_THREAD_ANNOTATION_(pt_guarded_by(x))
#define FERRY_REQUIRES(...) FERRY_THREAD_ANNOTATION_(requires_capability(__VA_ARGS__))
#define FERRY_EXCLUDES(...) FERRY_THREAD_ANNOTATION_(locks_excluded(__VA_ARGS__))
#define FERRY_ACQUIRE(...) FERRY_THREAD_ANNOTATION_(acquire_capability(__VA_ARGS__))
#define FERRY_RELEASE(...) FERRY_THREAD_ANNOTATION_(release_capability(__VA_ARGS__))
#define FERRY_NO_THREAD_SAFETY_ANALYSIS FERRY_THREAD_ANNOTATION_(no_thread_safety_analysis)

namespace ferry {

class FERRY_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() FERRY_ACQUIRE() { mu_.lock(); }
  void Unlock() FERRY_RELEASE() { mu_.unlock(); }

  // For std::condition_variable_any and friends.
  void lock() FERRY_ACQUIRE() { mu_.lock(); }
  void unlock() FERRY_RELEASE() { mu_.unlock(); }

 private:
  std::mutex mu_;
};

class FERRY_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) FERRY_ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~MutexLock() FERRY_RELEASE() { mu_.Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

// A condition variable for ferry::Mutex. Wait() must be called with "mu" held.
class CondVar {
 public:
  template <typename Pred>
  void Wait(Mutex& mu, Pred pred) FERRY_REQUIRES(mu) FERRY_NO_THREAD_SAFETY_ANALYSIS {
    cv_.wait(mu, pred);
  }
  // Returns pred() after waiting at most "timeout".
  template <typename Rep, typename Period, typename Pred>
  bool WaitFor(Mutex& mu, std::chrono::duration<Rep, Period> timeout, Pred pred)
      FERRY_REQUIRES(mu) FERRY_NO_THREAD_SAFETY_ANALYSIS {
    return cv_.wait_for(mu, timeout, pred);
  }
  void NotifyOne() { cv_.notify_one(); }
  void NotifyAll() { cv_.notify_all(); }

 private:
  std::condition_variable_any cv_;
};

}  // namespace ferry
