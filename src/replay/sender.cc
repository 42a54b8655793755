// Sender: queueing, request building, sending and retrying (see sender.h).
#include "src/replay/sender.h"

#include <algorithm>

#include "src/base/log.h"
#include "src/base/thread_name.h"
#include "src/remote/compression.h"
#include "src/remote/headers.h"
#include "src/ship/write_request.h"

namespace ferry::replay {
namespace {

using std::chrono::milliseconds;

constexpr size_t kMaxCachedSeries = 200'000;
constexpr size_t kLoggedBodyBytes = 256;
constexpr milliseconds kBatchDeadline{200};
constexpr const char* kComponent = "replay";

}  // namespace

Sender::Sender(SenderContext& ctx, int index, ShardState state)
    : ctx_(ctx),
      index_(index),
      capacity_(4 * ctx.max_per_send),
      initial_acked_(state.mark.acked),
      backoff_(ctx.endpoint->config.queue_config.min_backoff,
               ctx.endpoint->config.queue_config.max_backoff, ctx.rng_factory()) {
  {
    MutexLock l(mu_);
    resend_pending_ = state.mark.sent_end > state.mark.acked;
    state_ = state;
  }
  thread_ = std::thread([this] {
    SetThreadName("replay-sender");
    Run();
  });
}

Sender::~Sender() {
  ctx_.hard_stop.store(true);
  {
    MutexLock l(mu_);
    finish_ = true;
    ++signals_;
  }
  cv_.NotifyAll();
  Join();
}

void Sender::Join() {
  if (thread_.joinable()) thread_.join();
}

bool Sender::Enqueue(std::span<const QueuedSample> samples) {
  MutexLock l(mu_);
  size_t i = 0;
  while (i < samples.size()) {
    if (ctx_.hard_stop.load() || ctx_.stop_reading.load()) return false;
    if (queue_.size() >= capacity_) {
      cv_.WaitFor(mu_, milliseconds(100), [&]() FERRY_REQUIRES(mu_) {
        return queue_.size() < capacity_ || ctx_.hard_stop.load() || ctx_.stop_reading.load();
      });
      continue;
    }
    if (queue_.empty()) first_enqueued_ = ctx_.clock.MonotonicNow();
    size_t n = std::min(samples.size() - i, capacity_ - queue_.size());
    queue_.insert(queue_.end(), samples.begin() + i, samples.begin() + i + n);
    i += n;
    ++signals_;
    cv_.NotifyAll();
  }
  return true;
}

void Sender::SetHorizon(ship::Position p) {
  bool wake;
  {
    MutexLock l(mu_);
    horizon_ = p;
    ++signals_;
    wake = resend_pending_;  // only a pending resend waits for the horizon
  }
  if (wake) cv_.NotifyAll();
}

void Sender::Finish() {
  {
    MutexLock l(mu_);
    finish_ = true;
    ++signals_;
  }
  cv_.NotifyAll();
}

ship::Position Sender::LowWater(ship::Position horizon) const {
  MutexLock l(mu_);
  if (in_flight_) return in_flight_first_;
  if (!queue_.empty()) return queue_.front().pos;
  return horizon;
}

JobCounters Sender::counters() const {
  MutexLock l(mu_);
  return state_.counters;
}

size_t Sender::pending() const {
  MutexLock l(mu_);
  return queue_.size() + in_flight_samples_;
}

bool Sender::TakeLocked(Batch* b) {
  const ship::ShardMark& m = state_.mark;
  size_t n = 0;
  if (resend_pending_) {
    // The request that may have been in flight at the last stop: exactly
    // its samples, alone, once the reader has handed all of them out: the
    // horizon passed sent_end, or a later sample of this shard is queued
    // (the reader hands out a shard's samples in order; without this rule a
    // full queue would block the reader before it moves the horizon).
    const bool complete = horizon_ >= m.sent_end || finish_ ||
                          (!queue_.empty() && !(queue_.back().pos < m.sent_end));
    if (!complete) return false;
    while (n < queue_.size() && queue_[n].pos < m.sent_end && n < ctx_.max_per_send) ++n;
    if (n == 0) {
      resend_pending_ = false;  // none of it is left in the range
      return false;
    }
    b->resend = true;
  } else {
    if (queue_.empty()) return false;
    const bool due = queue_.size() >= ctx_.max_per_send || finish_ ||
                     ctx_.clock.MonotonicNow() - first_enqueued_ >= kBatchDeadline;
    if (!due) return false;
    n = std::min(queue_.size(), ctx_.max_per_send);
  }
  b->samples.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
  if (!queue_.empty()) first_enqueued_ = ctx_.clock.MonotonicNow();
  b->end = b->samples.back().pos.Next();
  in_flight_ = true;
  in_flight_first_ = b->samples.front().pos;
  in_flight_samples_ = n;
  return true;
}

void Sender::Run() {
  Batch b;
  for (;;) {
    {
      MutexLock l(mu_);
      for (;;) {
        if (ctx_.hard_stop.load()) return;
        if (TakeLocked(&b)) break;
        if (finish_ && queue_.empty()) return;
        // Wait for a change (samples, horizon, finish) or the batch deadline.
        // The predicate must not be true already, or the wait would spin
        // without ever releasing mu_ and starve the reader.
        const uint64_t seen = signals_;
        cv_.WaitFor(mu_, milliseconds(50), [&]() FERRY_REQUIRES(mu_) {
          return ctx_.hard_stop.load() || signals_ != seen;
        });
      }
    }
    cv_.NotifyAll();  // room freed
    if (!Send(b)) return;
  }
}

void Sender::Persist() {
  std::string bytes;
  {
    MutexLock l(mu_);
    bytes = EncodeShardState(state_);
  }
  Status s = ctx_.wal.PutMeta(kMetaPrefix, ShardStateKey(ctx_.job_id, index_), bytes);
  if (!s.ok()) {
    log::Error(kComponent, "persisting replay progress failed",
               {{"job", ctx_.job_id}, {"err", s.message()}});
  }
}

Result<const ship::SeriesCache::Entry*> Sender::Resolve(wal::SeriesRef ref) {
  const ship::SeriesCache::Entry* e = cache_.Find(ref);
  if (e == nullptr) {
    ship::SeriesCache::Resolved fresh;
    FERRY_RETURN_IF_ERROR(ship::ResolveSeries(ctx_.wal, *ctx_.endpoint, ref, &lb_, &fresh, nullptr));
    if (cache_.size() >= kMaxCachedSeries) cache_.Clear();
    e = cache_.Insert(ref, fresh.drop, fresh.labels);
  }
  return e->drop == ship::SeriesCache::Drop::kNone ? e : nullptr;
}

Result<size_t> Sender::Build(const std::vector<QueuedSample>& samples, std::string* body,
                             size_t* dropped) {
  const bool v2 = ctx_.endpoint->proto == remote::ProtoMessage::kV2Request;
  order_.clear();
  for (uint32_t i = 0; i < samples.size(); ++i) order_.emplace_back(samples[i].ref, i);
  std::sort(order_.begin(), order_.end());  // by series, WAL order within
  v1_.Reset();
  v2_.Reset();
  size_t encoded = 0;
  *dropped = 0;
  for (size_t i = 0; i < order_.size();) {
    size_t j = i;
    while (j < order_.size() && order_[j].first == order_[i].first) ++j;
    FERRY_ASSIGN_OR_RETURN(const ship::SeriesCache::Entry* ls, Resolve(order_[i].first));
    run_.clear();
    for (size_t k = i; k < j; ++k) {
      const QueuedSample& s = samples[order_[k].second];
      run_.push_back({s.timestamp_ms, s.value});
    }
    Status st = Status::NotFound("dropped");
    if (ls != nullptr) {
      const remote::EncodedLabelsView labels = cache_.Labels(*ls, &labels_);
      st = v2 ? v2_.AddSeries(labels, run_) : v1_.AddSeries(labels, run_);
    }
    if (st.ok()) {
      encoded += run_.size();
    } else {
      *dropped += run_.size();
    }
    i = j;
  }
  if (encoded > 0) remote::Compress(v2 ? v2_.Finish() : v1_.Finish(), body);
  return encoded;
}

bool Sender::WaitInterruptibly(milliseconds d) {
  MutexLock l(mu_);
  auto until = std::chrono::steady_clock::now() + d;
  while (!ctx_.hard_stop.load() && std::chrono::steady_clock::now() < until) {
    auto left = std::chrono::duration_cast<milliseconds>(until - std::chrono::steady_clock::now());
    cv_.WaitFor(mu_, std::clamp(left, milliseconds(1), milliseconds(100)),
                [&]() FERRY_REQUIRES(mu_) { return ctx_.hard_stop.load(); });
  }
  return !ctx_.hard_stop.load();
}

bool Sender::Send(Batch& b) {
  {
    MutexLock l(mu_);
    state_.mark.sent_end = b.end;
  }
  Persist();  // durable before the request leaves
  const ship::Endpoint& ep = *ctx_.endpoint;
  const bool retry_429 = ep.config.queue_config.retry_on_http_429;
  JobCounters got;
  size_t dropped = 0;
  bool maybe_delivered = b.resend;
  for (;;) {
    if (ctx_.hard_stop.load()) return false;
    Result<size_t> built = Build(b.samples, &body_, &dropped);
    const size_t n = built.ok() ? *built : 0;
    if (built.ok() && n == 0) break;
    std::optional<milliseconds> retry_after;
    std::string error;
    Result<std::shared_ptr<const httpclient::ClientOptions>> opts = ctx_.client_options.Get();
    if (!built.ok()) {
      error = "reading series labels from the WAL: " + built.status().message();
    } else if (!opts.ok()) {
      error = "client options: " + opts.status().message();
    } else {
      {
        MutexLock l(mu_);  // per-attempt counters are live, even if abandoned later
        state_.counters.requests += 1;
        state_.counters.bytes_sent += body_.size();
      }
      std::optional<httpclient::Response> answer = ship::SendAndWait(
          ctx_.client, ship::NewWriteRequest(ep, ctx_.client_options, *opts, body_),
          [this] { return ctx_.hard_stop.load(); });
      if (!answer) return false;  // abandoned: the mark keeps it in flight
      const httpclient::Response& resp = *answer;
      const int code = resp.http_status;
      if (!resp.status.ok()) {
        maybe_delivered = true;
        error = "request failed: " + resp.status.message();
      } else if (code >= 200 && code < 300) {
        uint64_t ok = n;
        if (ep.proto == remote::ProtoMessage::kV2Request) {
          std::vector<remote::HeaderField> hf;
          for (const auto& [k, v] : resp.headers) hf.push_back({k, v});
          Result<remote::WriteResponseStats> st = remote::ParseWriteResponseStats(hf);
          if (st.ok() && st->confirmed && st->samples >= 0 && static_cast<size_t>(st->samples) < n) {
            ok = static_cast<uint64_t>(st->samples);
            got.samples_rejected += n - ok;
            MutexLock l(ctx_.error_mu);
            ctx_.last_error = "receiver wrote " + std::to_string(ok) + " of " + std::to_string(n) +
                              " samples (X-Prometheus-Remote-Write-Samples-Written)";
          }
        }
        got.samples_sent += ok;
        break;
      } else if (code >= 500 || (code == 429 && retry_429)) {
        if (code >= 500) maybe_delivered = true;
        retry_after = ship::ParseRetryAfter(resp.Header("retry-after"), ctx_.clock.SystemNow());
        error = "HTTP " + std::to_string(code) + ": " + resp.body.substr(0, kLoggedBodyBytes);
      } else {
        std::string what = "HTTP " + std::to_string(code) + ": " +
                           resp.body.substr(0, kLoggedBodyBytes);
        if (maybe_delivered && code == 400 && ship::SaysAlreadyStored(resp.body)) {
          got.samples_already_delivered += n;
        } else {
          got.samples_rejected += n;
          log::Warn(kComponent, "receiver rejected replayed samples",
                    {{"job", ctx_.job_id}, {"samples", n}, {"answer", what}});
          MutexLock l(ctx_.error_mu);
          ctx_.last_error = what;
        }
        break;
      }
    }
    {
      MutexLock l(ctx_.error_mu);
      ctx_.last_error = error;
    }
    {
      MutexLock l(mu_);
      state_.counters.samples_retried += n;
    }
    if (!WaitInterruptibly(backoff_.Next(retry_after))) return false;
  }
  backoff_.Reset();
  got.samples_dropped += dropped;
  {
    MutexLock l(mu_);
    state_.mark.acked = b.end;
    state_.counters += got;
    in_flight_ = false;
    in_flight_samples_ = 0;
    if (b.resend) resend_pending_ = false;
  }
  Persist();
  cv_.NotifyAll();
  return true;
}

}  // namespace ferry::replay
