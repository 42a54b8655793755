// WorkerPool: a fixed set of threads running queued tasks in FIFO order.
// Used by the scrape manager to parse and append off the HTTP thread.
//
// Thread-safety: Post() is thread-safe. The destructor runs every task
// already queued, then joins.
#pragma once

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "src/base/mutex.h"

namespace ferry::scrape {

class WorkerPool {
 public:
  explicit WorkerPool(int threads) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
  }
  ~WorkerPool() {
    {
      MutexLock l(mu_);
      done_ = true;
    }
    cv_.NotifyAll();
    for (auto& t : threads_) t.join();
  }
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Post(std::function<void()> task) {
    {
      MutexLock l(mu_);
      tasks_.push_back(std::move(task));
    }
    cv_.NotifyOne();
  }

 private:
  void Run() {
    for (;;) {
      std::function<void()> task;
      {
        MutexLock l(mu_);
        cv_.Wait(mu_, [this]() FERRY_REQUIRES(mu_) { return done_ || !tasks_.empty(); });
        if (tasks_.empty()) return;  // done_ and drained
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  Mutex mu_;
  CondVar cv_;
  std::deque<std::function<void()>> tasks_ FERRY_GUARDED_BY(mu_);
  bool done_ FERRY_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace ferry::scrape
