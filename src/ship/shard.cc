#include "src/ship/shard.h"

#include <algorithm>

#include "src/base/log.h"
#include "src/base/thread_name.h"
#include "src/remote/headers.h"

namespace ferry::ship {

namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr std::string_view kComponent = "remote";
constexpr int64_t kLogEveryMs = 10'000;
}  // namespace

Shard::Shard(ShipperContext& ctx, int index, ShardMark mark, SeriesCache cache)
    : ctx_(ctx),
      index_(index),
      max_per_send_(static_cast<size_t>(ctx.endpoint->config.queue_config.max_samples_per_send)),
      capacity_(std::max<size_t>(
          static_cast<size_t>(ctx.endpoint->config.queue_config.capacity), max_per_send_)),
      backoff_(ctx.endpoint->config.queue_config.min_backoff,
               ctx.endpoint->config.queue_config.max_backoff, ctx.rng_factory()) {
  {
    MutexLock l(mu_);
    mark_ = mark;
    replay_ = mark.sent_end > mark.acked;
  }
  cache_ = std::move(cache);
  thread_ = std::thread([this] {
    SetThreadName("ship-shard");
    Run();
  });
}

Shard::~Shard() {
  Stop();
  Join();
}

size_t Shard::Enqueue(std::span<const QueuedSample> samples) {
  size_t n = 0;
  {
    MutexLock l(mu_);
    if (stop_) return 0;
    size_t room = capacity_ - std::min(capacity_, queue_.size());
    n = std::min(room, samples.size());
    if (n == 0) return 0;
    if (queue_.empty()) first_enqueued_ = ctx_.clock.MonotonicNow();
    queue_.Append(samples.first(n));
    ++signals_;
  }
  cv_.NotifyOne();
  return n;
}

void Shard::SetHorizon(Position p) {
  {
    MutexLock l(mu_);
    if (p <= horizon_) return;
    horizon_ = p;
    if (!replay_) return;
    ++signals_;
  }
  cv_.NotifyOne();
}

void Shard::RequestFlush() {
  {
    MutexLock l(mu_);
    flush_ = true;
    ++signals_;
  }
  cv_.NotifyOne();
}

void Shard::CancelFlush() {
  MutexLock l(mu_);
  flush_ = false;
}

void Shard::Stop() {
  {
    MutexLock l(mu_);
    stop_ = true;
    flush_ = true;
    ++signals_;
  }
  cv_.NotifyAll();
}

void Shard::Join() {
  if (thread_.joinable()) thread_.join();
}

bool Shard::Idle() const {
  MutexLock l(mu_);
  return queue_.empty() && !in_flight_;
}

size_t Shard::pending() const {
  MutexLock l(mu_);
  return queue_.size() + in_flight_samples_;
}

bool Shard::replaying() const {
  MutexLock l(mu_);
  return replay_;
}

bool Shard::ReplaySettledLocked() const {
  // The reader hands samples out in WAL order, so a queued sample at or
  // after sent_end means every sample of the range was handed out already.
  if (!queue_.empty()) return !(queue_.front().pos < mark_.sent_end);
  return horizon_ >= mark_.sent_end;
}

bool Shard::ReadyLocked(steady_clock::time_point now) const {
  if (queue_.empty()) return false;
  if (replay_) {
    // REQUIRES: !ReplaySettledLocked(), so the front is owed. The resend of
    // [acked, sent_end) is due once the reader has handed out all of it, or
    // when a full request of it is queued, or on flush.
    if (flush_ || horizon_ >= mark_.sent_end || queue_.size() >= capacity_) return true;
    size_t owed = 0;
    for (size_t i = 0; i < queue_.size(); ++i) {
      if (!(queue_[i].pos < mark_.sent_end) || ++owed >= max_per_send_) break;
    }
    return owed >= max_per_send_;
  }
  if (flush_ || queue_.size() >= max_per_send_) return true;
  return now - first_enqueued_ >= ctx_.endpoint->config.queue_config.batch_send_deadline;
}

void Shard::TakeLocked(Batch* b) {
  b->samples.clear();
  b->replay = replay_;
  size_t n = std::min(queue_.size(), max_per_send_);
  if (replay_) {
    size_t owed = 0;  // only the resend's samples: those before sent_end
    while (owed < n && queue_[owed].pos < mark_.sent_end) ++owed;
    n = owed;
  }
  queue_.TakeFront(n, &b->samples);
  // A resend ends where the original request ended once all of it is taken,
  // even if the reader found fewer samples (retention deleted some).
  b->end = b->replay && ReplaySettledLocked() ? mark_.sent_end : b->samples.back().pos.Next();
  if (!queue_.empty()) first_enqueued_ = ctx_.clock.MonotonicNow();
  in_flight_ = true;
  in_flight_samples_ = b->samples.size();
}

void Shard::Run() {
  Batch batch;
  for (;;) {
    bool settled = false;
    ShardMark settled_mark;
    {
      MutexLock l(mu_);
      for (;;) {
        if (ctx_.hard_stop.load(std::memory_order_relaxed)) return;
        if (replay_ && ReplaySettledLocked()) {
          // Whatever of the range was left has been resent (or deleted by
          // retention): the range is settled.
          replay_ = false;
          mark_.acked = mark_.sent_end;
          settled = true;
          settled_mark = mark_;
          break;
        }
        steady_clock::time_point now = ctx_.clock.MonotonicNow();
        if (ReadyLocked(now)) break;
        if (stop_ && queue_.empty()) return;
        milliseconds wait = ctx_.endpoint->config.queue_config.batch_send_deadline;
        if (!queue_.empty()) {
          auto left = std::chrono::duration_cast<milliseconds>(first_enqueued_ + wait - now);
          wait = std::clamp(left, milliseconds(1), wait);
        }
        uint64_t seen = signals_;
        cv_.WaitFor(mu_, std::min(wait, milliseconds(200)), [&]() FERRY_REQUIRES(mu_) {
          return signals_ != seen;
        });
      }
      if (!settled) TakeLocked(&batch);
    }
    if (settled) {
      PersistMark(settled_mark);
      continue;
    }
    ctx_.NotifyIdle();  // queue room freed
    Send(batch);
    {
      MutexLock l(mu_);
      in_flight_ = false;
      in_flight_samples_ = 0;
    }
    ctx_.NotifyIdle();
  }
}

void Shard::PersistMark(const ShardMark& mark) {
  Status s = ctx_.wal.PutMeta(ctx_.meta_prefix, ShardKey(index_), EncodeShardMark(mark));
  if (!s.ok()) Report("persisting shard mark: " + s.ToString(), true);
}

void Shard::Report(const std::string& err, bool log_now) {
  int64_t now = ctx_.clock.NowMillis();
  uint64_t suppressed = 0;
  bool log = false;
  {
    MutexLock l(ctx_.error_mu);
    ctx_.last_error = err;
    ctx_.last_error_ms = now;
    if (log_now || now - ctx_.last_log_ms >= kLogEveryMs) {
      log = true;
      suppressed = ctx_.suppressed_logs;
      ctx_.suppressed_logs = 0;
      ctx_.last_log_ms = now;
    } else {
      ++ctx_.suppressed_logs;
    }
  }
  if (log) {
    log::Warn(kComponent, "remote write problem",
              {{"remote_name", ctx_.endpoint->identity},
               {"url", ctx_.endpoint->config.url},
               {"shard", index_},
               {"err", err},
               {"suppressed", suppressed}});
  }
}

}  // namespace ferry::ship
