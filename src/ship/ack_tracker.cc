#include "src/ship/ack_tracker.h"

#include <algorithm>

#include "src/base/check.h"

namespace ferry::ship {

AckTracker::AckTracker(uint64_t next_sequence) : reader_next_(next_sequence) {}

void AckTracker::AddRecord(uint64_t sequence, uint64_t first_sample, int64_t append_ms,
                           uint64_t samples) {
  MutexLock l(mu_);
  FERRY_CHECK(sequence >= reader_next_ || entries_.empty() || sequence > entries_.back().sequence);
  if (samples > 0) entries_.push_back({sequence, first_sample, append_ms, samples});
  reader_next_ = std::max(reader_next_, sequence + 1);
}

void AckTracker::SetReaderPosition(uint64_t next_sequence) {
  MutexLock l(mu_);
  reader_next_ = std::max(reader_next_, next_sequence);
}

void AckTracker::Ack(std::span<const SeqRun> runs) {
  MutexLock l(mu_);
  for (const SeqRun& run : runs) {
    if (run.samples == 0) continue;
    auto it = std::lower_bound(
        entries_.begin(), entries_.end(), run.sequence,
        [](const Entry& e, uint64_t seq) { return e.sequence < seq; });
    FERRY_CHECK(it != entries_.end() && it->sequence == run.sequence);
    FERRY_CHECK(it->outstanding >= run.samples);
    it->outstanding -= run.samples;
  }
  PopDone();
}

void AckTracker::PopDone() {
  while (!entries_.empty() && entries_.front().outstanding == 0) entries_.pop_front();
}

uint64_t AckTracker::CommittableSequence() const {
  MutexLock l(mu_);
  return entries_.empty() ? reader_next_ : entries_.front().sequence;
}

BacklogInfo AckTracker::Backlog() const {
  MutexLock l(mu_);
  BacklogInfo info;
  info.next_sequence = entries_.empty() ? reader_next_ : entries_.front().sequence;
  info.outstanding_records = entries_.size();
  if (!entries_.empty()) {
    info.has_outstanding = true;
    info.oldest_first_sample = entries_.front().first_sample;
    info.oldest_append_ms = entries_.front().append_ms;
  }
  return info;
}

}  // namespace ferry::ship
