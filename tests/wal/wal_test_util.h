// Helpers shared by the wal tests.
#pragma once

#include <string>
#include <vector>

#include "src/base/mutex.h"
#include "wal/options.h"
#include "wal/record.h"

namespace ferry::wal::testing {

// Records every listener event. Thread-safe.
class RecordingListener : public Listener {
 public:
  void OnCorruption(const CorruptionEvent& e) override {
    MutexLock l(mu_);
    corruptions_.push_back(e);
  }
  void OnTruncation(const TruncationEvent& e) override {
    MutexLock l(mu_);
    truncations_.push_back(e);
  }
  void OnBackgroundError(const Status& s) override {
    MutexLock l(mu_);
    errors_.push_back(s);
  }
  std::vector<CorruptionEvent> corruptions() {
    MutexLock l(mu_);
    return corruptions_;
  }
  std::vector<TruncationEvent> truncations() {
    MutexLock l(mu_);
    return truncations_;
  }

 private:
  Mutex mu_;
  std::vector<CorruptionEvent> corruptions_;
  std::vector<TruncationEvent> truncations_;
  std::vector<Status> errors_;
};

// A batch of "n" series named m{i="<i>",target="<target>"} with timestamp
// "ts" and value base + i.
inline Batch LabelBatch(uint64_t stream, int n, int64_t ts, double base) {
  Batch b(stream);
  for (int i = 0; i < n; ++i) {
    b.Add(labels::Labels::Of(
              {{"__name__", "m"}, {"i", std::to_string(i)}, {"target", std::to_string(stream)}}),
          ts, base + i);
  }
  return b;
}

// The same series by ref.
inline Batch RefBatch(uint64_t stream, const std::vector<SeriesRef>& refs, int64_t ts,
                      double base) {
  Batch b(stream);
  for (size_t i = 0; i < refs.size(); ++i) b.Add(refs[i], ts, base + static_cast<double>(i));
  return b;
}

}  // namespace ferry::wal::testing
