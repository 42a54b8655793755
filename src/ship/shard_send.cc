// Shard: building, sending and retrying one request (see shard.h).
#include <algorithm>
#include <memory>

#include "src/base/log.h"
#include "src/remote/compression.h"
#include "src/remote/headers.h"
#include "src/ship/shard.h"
#include "src/ship/write_request.h"

namespace ferry::ship {

namespace {

using std::chrono::milliseconds;

constexpr size_t kMaxCachedSeries = 200'000;  // per shard
constexpr size_t kLoggedBodyBytes = 256;
constexpr size_t kPrefetchAhead = 8;  // samples ahead; one per series in steady scrapes

enum class Outcome { kDelivered, kRetry, kDropped, kAbandoned };

}  // namespace

Result<const remote::EncodedLabels*> Shard::Resolve(wal::SeriesRef ref,
                                                    std::string_view* drop_reason) {
  SeriesCache::Entry* entry = cache_.Find(ref);
  if (entry == nullptr) {
    SeriesCache::Entry fresh;
    std::string refused;
    FERRY_RETURN_IF_ERROR(ResolveSeries(ctx_.wal, *ctx_.endpoint, ref, &lb_, &fresh, &refused));
    if (cache_.size() >= kMaxCachedSeries) {
      cache_.Clear();
      refused_.clear();
    }
    entry = cache_.Insert(ref);
    *entry = std::move(fresh);
    if (entry->drop == Drop::kInvalidSeries) refused_[ref] = std::move(refused);
  }
  switch (entry->drop) {
    case Drop::kNone:
      *drop_reason = {};
      return static_cast<const remote::EncodedLabels*>(&entry->labels);
    case Drop::kUnknownSeries:
      *drop_reason = kReasonUnknownSeries;
      break;
    case Drop::kDroppedSeries:
      *drop_reason = kReasonDroppedSeries;
      break;
    case Drop::kInvalidSeries:
      *drop_reason = kReasonInvalidSeries;
      break;
  }
  return static_cast<const remote::EncodedLabels*>(nullptr);
}

Result<size_t> Shard::Build(Batch& b, std::string* body, int64_t* highest_ts) {
  const config::QueueConfig& q = ctx_.endpoint->config.queue_config;
  const bool v2 = ctx_.endpoint->proto == remote::ProtoMessage::kV2Request;
  int64_t min_ts = INT64_MIN;
  if (q.sample_age_limit.count() > 0) min_ts = ctx_.clock.NowMillis() - q.sample_age_limit.count();
  // Group by series, keeping each series' samples in WAL order: sort
  // (ref, index) pairs, 16 bytes each, rather than the samples.
  order_.clear();
  for (uint32_t i = 0; i < b.samples.size(); ++i) order_.emplace_back(b.samples[i].ref, i);
  std::sort(order_.begin(), order_.end());
  v1_.Reset();
  v2_.Reset();
  size_t encoded = 0;
  bool any_dropped = false;
  dropped_.assign(b.samples.size(), false);
  Status read_error;
  for (size_t i = 0; i < order_.size();) {
    size_t j = i;
    while (j < order_.size() && order_[j].first == order_[i].first) ++j;
    // The slot a few series ahead: hides its cache miss behind this one.
    if (j + kPrefetchAhead < order_.size()) cache_.Prefetch(order_[j + kPrefetchAhead].first);
    std::string_view reason;
    Result<const remote::EncodedLabels*> resolved = Resolve(order_[i].first, &reason);
    if (!resolved.ok()) {
      // Stop here; what was dropped so far is removed below, so it is not
      // counted again when the batch is built again.
      read_error = resolved.status();
      break;
    }
    const remote::EncodedLabels* ls = *resolved;
    run_.clear();
    size_t too_old = 0;
    for (size_t k = i; k < j; ++k) {
      const QueuedSample& s = b.samples[order_[k].second];
      if (s.timestamp_ms < min_ts) {
        ++too_old;
        dropped_[order_[k].second] = true;
        continue;
      }
      run_.push_back({s.timestamp_ms, s.value});
    }
    if (too_old > 0) ctx_.metrics.Dropped(kReasonTooOld, static_cast<double>(too_old));
    size_t run_sent = 0;
    if (ls == nullptr) {
      ctx_.metrics.Dropped(reason, static_cast<double>(run_.size()));
      if (reason == kReasonInvalidSeries && !run_.empty()) {
        Report(refused_[order_[i].first], false);
      }
    } else if (!run_.empty()) {
      Status s = v2 ? v2_.AddSeries(*ls, run_) : v1_.AddSeries(*ls, run_);
      if (!s.ok()) {
        ctx_.metrics.Dropped(kReasonInvalidSeries, static_cast<double>(run_.size()));
        Report("series refused by the encoder: " + s.message(), false);
      } else {
        encoded += run_.size();
        run_sent = run_.size();
        *highest_ts = std::max(*highest_ts, run_.back().timestamp_ms);
      }
    }
    if (run_sent < run_.size()) {
      for (size_t k = i; k < j; ++k) dropped_[order_[k].second] = true;
    }
    if (run_sent < j - i) any_dropped = true;
    ctx_.samples_dropped.fetch_add((j - i) - run_sent, std::memory_order_relaxed);
    i = j;
  }
  if (any_dropped) {
    // A retry sends only what is left (filtered again by age then).
    size_t out = 0;
    for (size_t i = 0; i < b.samples.size(); ++i) {
      if (!dropped_[i]) b.samples[out++] = b.samples[i];
    }
    b.samples.resize(out);
  }
  FERRY_RETURN_IF_ERROR(read_error);
  if (encoded == 0) return 0;
  remote::Compress(v2 ? v2_.Finish() : v1_.Finish(), body);
  return encoded;
}

void Shard::Send(Batch& b) {
  // Records covered, for the AckTracker: every sample taken counts, sent or
  // dropped, so the cursor can pass it.
  std::vector<SeqRun> runs;
  for (const QueuedSample& s : b.samples) {
    if (runs.empty() || runs.back().sequence != s.pos.sequence) runs.push_back({s.pos.sequence, 0});
    ++runs.back().samples;
  }
  ShardMark before;
  {
    MutexLock l(mu_);
    if (!b.replay) mark_.sent_end = b.end;
    before = mark_;
  }
  // Durable before the request leaves: after a crash the range is resent
  // exactly (kill -9 safe; RocksDB writes reach the OS in order).
  PersistMark(before);

  const Endpoint& ep = *ctx_.endpoint;
  const config::QueueConfig& q = ep.config.queue_config;
  Outcome outcome = Outcome::kRetry;
  size_t sent = 0;
  // Whether the receiver may already hold this batch: a resend after a
  // crash, or a retry after an attempt whose outcome is unknown (network
  // error, timeout, cut answer, 5xx from a proxy after the backend stored).
  bool maybe_delivered = b.replay;
  while (outcome == Outcome::kRetry) {
    if (ctx_.hard_stop.load(std::memory_order_relaxed)) {
      outcome = Outcome::kAbandoned;
      break;
    }
    int64_t highest = INT64_MIN;
    Result<size_t> built = Build(b, &body_, &highest);
    sent = built.ok() ? *built : 0;
    if (built.ok() && sent == 0) {
      outcome = Outcome::kDelivered;  // everything dropped and counted
      break;
    }
    Result<std::shared_ptr<const httpclient::ClientOptions>> opts = ctx_.client_options.Get();
    std::optional<milliseconds> retry_after;
    if (!built.ok()) {
      Report("reading series labels from the WAL: " + built.status().ToString(), false);
    } else if (!opts.ok()) {
      Report("client options: " + opts.status().ToString(), false);
    } else {
      const size_t bytes = body_.size();
      ctx_.metrics.samples_total.Increment(static_cast<double>(sent));
      ctx_.metrics.bytes_total.Increment(static_cast<double>(bytes));
      auto start = ctx_.clock.MonotonicNow();
      // The client owns its copy of the body: a retry rebuilds body_.
      std::optional<httpclient::Response> answer = SendAndWait(
          ctx_.client, NewWriteRequest(ep, ctx_.client_options, *opts, body_),
          [this] { return ctx_.hard_stop.load(std::memory_order_relaxed); });
      if (!answer) {
        outcome = Outcome::kAbandoned;
        break;
      }
      httpclient::Response& resp = *answer;
      double secs = std::chrono::duration<double>(ctx_.clock.MonotonicNow() - start).count();
      ctx_.metrics.sent_batch_duration.Observe(secs);
      ctx_.send_nanos.fetch_add(static_cast<uint64_t>(secs * 1e9), std::memory_order_relaxed);
      int code = resp.http_status;
      if (!resp.status.ok()) {
        maybe_delivered = true;
        Report("request failed: " + resp.status.ToString(), false);
      } else if (code >= 200 && code < 300) {
        outcome = Outcome::kDelivered;
        ctx_.requests_ok.fetch_add(1, std::memory_order_relaxed);
        ctx_.metrics.highest_sent_timestamp.Set(
            std::max(ctx_.metrics.highest_sent_timestamp.Value(), highest / 1000.0));
        if (ep.proto == remote::ProtoMessage::kV2Request) {
          std::vector<remote::HeaderField> hf;
          for (const auto& [k, v] : resp.headers) hf.push_back({k, v});
          Result<remote::WriteResponseStats> st = remote::ParseWriteResponseStats(hf);
          if (st.ok() && st->confirmed && st->samples < static_cast<int64_t>(sent)) {
            ctx_.metrics.Dropped(kReasonPartialWrite,
                                 static_cast<double>(sent - static_cast<size_t>(st->samples)));
          }
        }
      } else if (code >= 500 || (code == 429 && q.retry_on_http_429)) {
        if (code >= 500) maybe_delivered = true;
        retry_after = ParseRetryAfter(resp.Header("retry-after"), ctx_.clock.SystemNow());
        Report("server returned HTTP status " + std::to_string(code) + ": " +
                   resp.body.substr(0, kLoggedBodyBytes),
               false);
      } else {
        outcome = Outcome::kDropped;
        std::string_view reason;
        std::string http_reason = "http_" + std::to_string(code);
        if (maybe_delivered && code == 400 && SaysAlreadyStored(resp.body)) {
          reason = kReasonAlreadyDelivered;
        } else {
          reason = http_reason;
          ctx_.metrics.samples_failed_total.Increment(static_cast<double>(sent));
          Report("non-retryable HTTP status " + std::to_string(code) +
                     ", batch dropped: " + resp.body.substr(0, kLoggedBodyBytes),
                 false);
        }
        ctx_.metrics.Dropped(reason, static_cast<double>(sent));
      }
    }
    if (outcome != Outcome::kRetry) break;
    ctx_.failed_attempts.fetch_add(1, std::memory_order_relaxed);
    ctx_.metrics.samples_retried_total.Increment(static_cast<double>(sent));
    milliseconds wait = backoff_.Next(retry_after);
    MutexLock l(mu_);
    auto until = ctx_.clock.MonotonicNow() + wait;
    while (!ctx_.hard_stop.load(std::memory_order_relaxed) && ctx_.clock.MonotonicNow() < until) {
      uint64_t seen = signals_;
      auto left = std::chrono::duration_cast<milliseconds>(until - ctx_.clock.MonotonicNow());
      cv_.WaitFor(mu_, std::clamp(left, milliseconds(1), milliseconds(100)),
                  [&]() FERRY_REQUIRES(mu_) { return signals_ != seen; });
    }
  }
  if (outcome == Outcome::kAbandoned) return;  // the mark keeps the range in flight
  backoff_.Reset();
  if (outcome == Outcome::kDelivered) {
    ctx_.samples_out.fetch_add(sent, std::memory_order_relaxed);
  }
  ShardMark after;
  {
    MutexLock l(mu_);
    mark_.acked = b.end;
    if (b.replay && b.end >= mark_.sent_end) replay_ = false;
    if (!replay_) mark_.sent_end = std::max(mark_.sent_end, mark_.acked);
    after = mark_;
  }
  PersistMark(after);
  ctx_.tracker.Ack(runs);
}

}  // namespace ferry::ship
