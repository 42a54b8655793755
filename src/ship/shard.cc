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

Shard::Shard(ShipperContext& ctx, int index, ShardMark mark, size_t window, size_t parallel,
             SeriesCache cache)
    : ctx_(ctx),
      index_(index),
      max_per_send_(static_cast<size_t>(ctx.endpoint->config.queue_config.max_samples_per_send)),
      capacity_(std::max<size_t>(
          static_cast<size_t>(ctx.endpoint->config.queue_config.capacity), max_per_send_)),
      window_max_(std::max(window, max_per_send_)),
      parallel_(std::max<size_t>(parallel, 1)),
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
    {
      MutexLock l(mu_);
      exited_ = true;
    }
    ctx_.NotifyIdle();
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
    size_t owed = 0;
    bool completed = false;
    if (replay_) {
      // The range a restart resends is taken whole, whatever the room: it
      // is bounded by the window of the process that sent it, and it must
      // be complete before it is cut into the same chunks again.
      while (owed < samples.size() && samples[owed].pos < mark_.sent_end) ++owed;
      if (owed < samples.size() && horizon_ < mark_.sent_end) {
        horizon_ = mark_.sent_end;  // a later sample: every owed one is handed out
        completed = true;
      }
    }
    const size_t limit = LimitLocked();
    const size_t used = queue_.size() + owed;
    n = owed + std::min(samples.size() - owed, limit - std::min(limit, used));
    if (n == 0 && !completed) return 0;
    if (n > 0) {
      if (queue_.empty()) first_enqueued_ = ctx_.clock.MonotonicNow();
      queue_.Append(samples.first(n));
    }
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
  return exited_ || (queue_.empty() && !in_flight_);
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

bool Shard::ReplayCompleteLocked() const {
  // The reader hands samples out in WAL order: the range is complete once
  // it has moved past it or a later sample of this shard is queued.
  return horizon_ >= mark_.sent_end || (!queue_.empty() && !(queue_.back().pos < mark_.sent_end));
}

size_t Shard::LimitLocked() const {
  return ctx_.catching_up.load(std::memory_order_relaxed) ? std::max(capacity_, window_max_)
                                                          : capacity_;
}

bool Shard::ReadyLocked(steady_clock::time_point now) const {
  if (queue_.empty()) return false;
  // REQUIRES: !ReplaySettledLocked(), so the front is owed. The resend is
  // due once all of the range is queued, flush or not: cut short, it would
  // not be cut into the same chunks.
  if (replay_) return ReplayCompleteLocked();
  if (flush_) return true;
  const bool catching_up = ctx_.catching_up.load(std::memory_order_relaxed);
  if (queue_.size() >= (catching_up ? window_max_ : max_per_send_)) return true;
  return now - first_enqueued_ >= ctx_.endpoint->config.queue_config.batch_send_deadline;
}

void Shard::TakeWindowLocked() {
  window_.clear();
  window_replay_ = replay_;
  window_mark_ = mark_;
  size_t n = queue_.size();
  if (replay_) {
    n = 0;  // only the resend's samples: those before sent_end
    while (n < queue_.size() && queue_[n].pos < mark_.sent_end) ++n;
  } else {
    window_mark_.chunks_acked = 0;
  }
  queue_.TakeFront(n, &window_);
  // A resend ends where the original window ended, even if the reader found
  // fewer samples (retention deleted some).
  if (!replay_) window_mark_.sent_end = window_.back().pos.Next();
  if (queue_.empty()) {
    queue_.ShrinkIfEmpty(capacity_);
  } else {
    first_enqueued_ = ctx_.clock.MonotonicNow();
  }
  in_flight_ = true;
  in_flight_samples_ = window_.size();
}

void Shard::Run() {
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
          mark_.chunks_acked = 0;
          settled = true;
          settled_mark = mark_;
          break;
        }
        steady_clock::time_point now = ctx_.clock.MonotonicNow();
        if (ReadyLocked(now)) break;
        // Stopping: done once nothing is queued. A resend whose range the
        // reader did not finish handing out stays owed (its mark is kept).
        if (stop_ && (queue_.empty() || replay_)) return;
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
      if (!settled) TakeWindowLocked();
    }
    if (settled) {
      PersistMark(settled_mark);
      continue;
    }
    ctx_.NotifyIdle();  // queue room freed
    SendWindow();
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
