// Shipper: the reader's periodic work: cursor commits, metrics, resharding.
#include <algorithm>

#include "src/base/log.h"
#include "src/ship/sharding.h"
#include "src/ship/shipper.h"

namespace ferry::ship {

namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr std::string_view kComponent = "remote";
constexpr milliseconds kTickInterval{100};
constexpr milliseconds kMaxDrain{30000};

}  // namespace

void Shipper::MaybeTick(bool caught_up) {
  steady_clock::time_point now = clock_.MonotonicNow();
  if (now - last_tick_ < kTickInterval) return;
  last_tick_ = now;
  CommitCursor();
  UpdateMetrics(caught_up);
  if (now - last_reshard_check_ >= options_.reshard_interval) {
    last_reshard_check_ = now;
    ConsiderResharding();
  }
}

void Shipper::CommitCursor() {
  uint64_t next = tracker_.CommittableSequence();
  if (next == last_committed_) return;
  Status s = wal_.CommitCursor(cursor_name_, next);
  if (!s.ok()) {
    log::Error(kComponent, "cannot commit cursor",
               {{"remote_name", endpoint_->identity}, {"err", s.ToString()}});
    return;
  }
  last_committed_ = next;
  committed_ = next;
}

void Shipper::UpdateMetrics(bool caught_up) {
  size_t pending = 0;
  for (const auto& s : shards_) pending += s->pending();
  metrics_.samples_pending.Set(static_cast<double>(pending));
  if (highest_ts_ != INT64_MIN) metrics_.highest_timestamp.Set(highest_ts_ / 1000.0);
  BacklogInfo info = tracker_.Backlog();
  wal::WalStats stats = wal_.GetStats();
  uint64_t done_before = info.has_outstanding ? info.oldest_first_sample : consumed_samples_;
  // Everything read and answered, and nothing appended since: caught up.
  if (!info.has_outstanding && consumed_samples_ >= stats.next_sample) caught_up = true;
  if (caught_up && !info.has_outstanding) done_before = stats.next_sample;
  uint64_t backlog = stats.next_sample > done_before ? stats.next_sample - done_before : 0;
  int64_t now_ms = clock_.NowMillis();
  double age = 0;
  double oldest = 0;
  if (info.has_outstanding) {
    oldest = info.oldest_append_ms / 1000.0;
    age = std::max<int64_t>(0, now_ms - info.oldest_append_ms) / 1000.0;
  } else if (!caught_up && last_append_ms_ > 0) {
    oldest = last_append_ms_ / 1000.0;
    age = std::max<int64_t>(0, now_ms - last_append_ms_) / 1000.0;
  }
  backlog_samples_ = backlog;
  backlog_seconds_ = age;
  metrics_.backlog_samples.Set(static_cast<double>(backlog));
  metrics_.backlog_seconds.Set(age);
  metrics_.oldest_unshipped.Set(oldest);
}

void Shipper::ConsiderResharding() {
  steady_clock::time_point now = clock_.MonotonicNow();
  double secs = std::chrono::duration<double>(now - rates_.at).count();
  RateSnapshot cur{wal_.GetStats().next_sample, ctx_.samples_out.load(), ctx_.samples_dropped.load(),
                   ctx_.send_nanos.load(), ctx_.failed_attempts.load(), now};
  if (secs <= 0) return;
  ShardingInputs in;
  in.current = static_cast<int>(shards_.size());
  in.min_shards = static_cast<int>(endpoint_->config.queue_config.min_shards);
  in.max_shards = static_cast<int>(endpoint_->config.queue_config.max_shards);
  in.samples_in_rate = static_cast<double>(cur.appended - rates_.appended) / secs;
  in.samples_out_rate = static_cast<double>(cur.out - rates_.out) / secs;
  in.samples_dropped_rate = static_cast<double>(cur.dropped - rates_.dropped) / secs;
  in.send_seconds_per_second = static_cast<double>(cur.send_nanos - rates_.send_nanos) / 1e9 / secs;
  in.backlog_samples = static_cast<double>(backlog_samples_.load());
  in.backlog_catchup_seconds =
      std::chrono::duration<double>(options_.backlog_catchup).count();
  bool failures = cur.failed != rates_.failed;
  rates_ = cur;
  int desired = DesiredShards(in);
  desired_shards_ = desired;
  metrics_.shards_desired.Set(desired);
  // Like Prometheus, do not reshard while sends are failing: the drain
  // would wait on a broken receiver, and its latency says nothing.
  bool in_bounds = in.current >= in.min_shards && in.current <= in.max_shards;
  if (desired == in.current || (failures && in_bounds)) return;
  // A shard still owes the resend of its in-flight range from before a
  // restart: the reader has not handed all of it out yet, and new shards
  // would not know its boundaries. Wait for the next interval.
  for (const auto& s : shards_) {
    if (s->replaying()) return;
  }
  if (!Reshard(desired)) {
    log::Warn(kComponent, "reshard postponed: shards did not drain in time",
              {{"remote_name", endpoint_->identity}, {"from", in.current}, {"to", desired}});
  }
}

bool Shipper::Reshard(int n) {
  // Drain: every queued sample sent and answered, so no series has a
  // request in flight while the assignment changes.
  auto deadline = clock_.MonotonicNow() + std::min(options_.flush_deadline, kMaxDrain);
  for (auto& s : shards_) s->RequestFlush();
  for (;;) {
    bool idle = std::all_of(shards_.begin(), shards_.end(), [](auto& s) { return s->Idle(); });
    if (idle) break;
    if (stop_reader_.load() || clock_.MonotonicNow() >= deadline) {
      for (auto& s : shards_) s->CancelFlush();
      return false;
    }
    uint64_t seen = ctx_.idle_gen.load();
    MutexLock l(ctx_.idle_mu);
    ctx_.idle_cv.WaitFor(ctx_.idle_mu, milliseconds(100), [&] {
      return ctx_.idle_gen.load() != seen || stop_reader_.load();
    });
  }
  // Everything handed out is acknowledged: the cursor is the reader's
  // position, and every new shard starts there with nothing in flight.
  uint64_t r = tracker_.CommittableSequence();
  CommitCursor();
  const std::string prefix = MetaPrefix(endpoint_->identity);
  ShardMark fresh{{r, 0}, {r, 0}};
  std::vector<ShardMark> marks(n, fresh);
  for (int k = 0; k < n; ++k) {
    Status s = wal_.PutMeta(prefix, ShardKey(k), EncodeShardMark(fresh));
    if (!s.ok()) {
      log::Error(kComponent, "cannot persist shard marks",
                 {{"remote_name", endpoint_->identity}, {"err", s.ToString()}});
      for (auto& sh : shards_) sh->CancelFlush();
      return false;
    }
  }
  Status s = wal_.PutMeta(prefix, kShardCountKey, std::to_string(n));
  if (!s.ok()) {
    log::Error(kComponent, "cannot persist shard count",
               {{"remote_name", endpoint_->identity}, {"err", s.ToString()}});
    for (auto& sh : shards_) sh->CancelFlush();
    return false;
  }
  int old = static_cast<int>(shards_.size());
  for (int k = n; k < old; ++k) wal_.DeleteMeta(prefix, ShardKey(k)).IgnoreError();  // tidy only
  for (auto& sh : shards_) sh->Stop();
  for (auto& sh : shards_) sh->Join();
  // Hand every resolved series to the shard that owns it now, so a reshard
  // does not look up, relabel and encode every series again. Series the
  // encoder refused or the WAL did not know are resolved afresh.
  std::vector<SeriesCache> caches(n);
  size_t cached = 0;
  for (const auto& sh : shards_) cached += sh->CachedSeries();
  for (SeriesCache& c : caches) c.Reserve(cached / static_cast<size_t>(n) * 9 / 8);
  for (auto& sh : shards_) {
    sh->TakeCache().Drain(
        [&](wal::SeriesRef ref, SeriesCache::Drop drop, remote::EncodedLabelsView labels) {
          if (drop != SeriesCache::Drop::kNone && drop != SeriesCache::Drop::kDroppedSeries) return;
          caches[ShardOf(ref, n)].Insert(ref, drop, labels);
        });
  }
  StartShards(n, marks, std::move(caches));
  reshards_.fetch_add(1);
  log::Info(kComponent, "resharded",
            {{"remote_name", endpoint_->identity}, {"from", old}, {"to", n}});
  return true;
}

}  // namespace ferry::ship
