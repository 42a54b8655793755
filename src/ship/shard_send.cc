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

}  // namespace

// A window is a few ascending runs (a scrape's series get their refs in
// scrape order, and a window holds one or two scrapes of a target): merging
// the runs is linear there, where sorting the 40-byte samples is not.
void SortWindow(std::vector<QueuedSample>& w) {
  auto less = [](const QueuedSample& a, const QueuedSample& b) {
    return a.ref != b.ref ? a.ref < b.ref : a.pos < b.pos;
  };
  constexpr size_t kMaxRuns = 16;
  size_t bounds[kMaxRuns + 1];
  size_t runs = 0;
  bounds[0] = 0;
  for (size_t i = 1; i <= w.size(); ++i) {
    if (i < w.size() && !less(w[i], w[i - 1])) continue;
    if (runs == kMaxRuns) {
      std::sort(w.begin(), w.end(), less);  // far from sorted
      return;
    }
    bounds[++runs] = i;
  }
  while (runs > 1) {
    size_t out = 0;
    for (size_t r = 0; r + 1 < runs; r += 2) {
      std::inplace_merge(w.begin() + static_cast<std::ptrdiff_t>(bounds[r]),
                         w.begin() + static_cast<std::ptrdiff_t>(bounds[r + 1]),
                         w.begin() + static_cast<std::ptrdiff_t>(bounds[r + 2]), less);
      bounds[++out] = bounds[r + 2];
    }
    if (runs % 2 == 1) bounds[++out] = bounds[runs];
    runs = out;
  }
}

Result<const SeriesCache::Entry*> Shard::Resolve(wal::SeriesRef ref,
                                                 std::string_view* drop_reason) {
  const SeriesCache::Entry* entry = cache_.Find(ref);
  if (entry == nullptr) {
    SeriesCache::Resolved fresh;
    std::string refused;
    FERRY_RETURN_IF_ERROR(ResolveSeries(ctx_.wal, *ctx_.endpoint, ref, &lb_, &fresh, &refused));
    if (cache_.size() >= kMaxCachedSeries) {
      cache_.Clear();
      refused_.clear();
    }
    entry = cache_.Insert(ref, fresh.drop, fresh.labels);
    if (entry->drop == Drop::kInvalidSeries) refused_[ref] = std::move(refused);
  }
  switch (entry->drop) {
    case Drop::kNone:
      *drop_reason = {};
      return entry;
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
  return static_cast<const SeriesCache::Entry*>(nullptr);
}

Result<size_t> Shard::Build(Batch& b, std::string* body, int64_t* highest_ts) {
  const config::QueueConfig& q = ctx_.endpoint->config.queue_config;
  const bool v2 = ctx_.endpoint->proto == remote::ProtoMessage::kV2Request;
  int64_t min_ts = INT64_MIN;
  if (q.sample_age_limit.count() > 0) min_ts = ctx_.clock.NowMillis() - q.sample_age_limit.count();
  // A chunk of a window holds each series' samples together, in WAL order
  // (SortWindow), so a series is a run of equal refs.
  const std::vector<QueuedSample>& in = b.samples;
  FERRY_DCHECK(std::is_sorted(in.begin(), in.end(), [](const QueuedSample& x,
                                                       const QueuedSample& y) {
    return x.ref < y.ref;
  }));
  v1_.Reset();
  v2_.Reset();
  size_t encoded = 0;
  bool any_dropped = false;
  dropped_.assign(in.size(), false);
  Status read_error;
  for (size_t i = 0; i < in.size();) {
    const wal::SeriesRef ref = in[i].ref;
    size_t j = i;
    while (j < in.size() && in[j].ref == ref) ++j;
    // The slot a few series ahead, and the label pieces of a series half as
    // far ahead (its slot fetched by now): hides their cache misses.
    if (j + kPrefetchAhead < in.size()) cache_.Prefetch(in[j + kPrefetchAhead].ref);
    if (j + kPrefetchAhead / 2 < in.size()) cache_.PrefetchLabels(in[j + kPrefetchAhead / 2].ref);
    std::string_view reason;
    Result<const SeriesCache::Entry*> resolved = Resolve(ref, &reason);
    if (!resolved.ok()) {
      // Stop here; what was dropped so far is removed below, so it is not
      // counted again when the batch is built again.
      read_error = resolved.status();
      break;
    }
    const SeriesCache::Entry* ls = *resolved;
    run_.clear();
    size_t too_old = 0;
    for (size_t k = i; k < j; ++k) {
      if (in[k].timestamp_ms < min_ts) {
        ++too_old;
        dropped_[k] = true;
        continue;
      }
      run_.push_back({in[k].timestamp_ms, in[k].value});
    }
    if (too_old > 0) ctx_.metrics.Dropped(kReasonTooOld, static_cast<double>(too_old));
    size_t run_sent = 0;
    if (ls == nullptr) {
      ctx_.metrics.Dropped(reason, static_cast<double>(run_.size()));
      if (reason == kReasonInvalidSeries && !run_.empty()) Report(refused_[ref], false);
    } else if (!run_.empty()) {
      // RW 1.0 copies the pieces straight into the request; RW 2.0 reads
      // each label for its symbol table.
      Status s = v2 ? v2_.AddSeries(cache_.Labels(*ls, &labels_), run_)
                    : v1_.AddSeries(cache_.Pieces(*ls, &pieces_), run_);
      if (!s.ok()) {
        ctx_.metrics.Dropped(kReasonInvalidSeries, static_cast<double>(run_.size()));
        Report("series refused by the encoder: " + s.message(), false);
      } else {
        encoded += run_.size();
        run_sent = run_.size();
        *highest_ts = std::max(*highest_ts, run_.back().timestamp_ms);
      }
    }
    if (run_sent < run_.size()) std::fill(dropped_.begin() + i, dropped_.begin() + j, true);
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

bool Shard::SendWindow() {
  // Records covered, for the AckTracker: every sample taken counts, sent or
  // dropped, so the cursor can pass it. In position order, before sorting.
  window_runs_.clear();
  for (const QueuedSample& s : window_) {
    if (window_runs_.empty() || window_runs_.back().sequence != s.pos.sequence) {
      window_runs_.push_back({s.pos.sequence, 0});
    }
    ++window_runs_.back().samples;
  }
  // Each series' samples together, in WAL order. The chunks are a function
  // of the window's samples and max_samples_per_send only, so a restart
  // that collects the same range cuts the same chunks.
  SortWindow(window_);
  PlanChunks();
  const size_t n = chunks_.size();
  size_t first = 0, resend_end = 0;
  if (window_replay_) {
    first = std::min<size_t>(window_mark_.chunks_acked, n);
    resend_end = std::clamp<size_t>(window_mark_.chunks_sent, first, n);
  }
  // Those that may have been in flight, one at a time, then the rest.
  if (!SendChunks(first, resend_end, 1, true)) return false;
  if (!SendChunks(resend_end, n, parallel_, false)) return false;
  const ShardMark after{window_mark_.sent_end, window_mark_.sent_end};
  {
    MutexLock l(mu_);
    mark_ = after;
    if (window_replay_) replay_ = false;
  }
  PersistMark(after);
  ctx_.tracker.Ack(window_runs_);
  if (!ctx_.catching_up.load(std::memory_order_relaxed) && window_.capacity() > 2 * capacity_) {
    std::vector<QueuedSample>().swap(window_);  // a catch-up window's memory
  }
  return true;
}

void Shard::PlanChunks() {
  chunks_.clear();
  const size_t n = window_.size();
  size_t i = 0;
  while (i < n) {
    Chunk c{i, i, i > 0 && window_[i].ref == window_[i - 1].ref};
    while (c.end < n) {
      size_t run_end = c.end;
      while (run_end < n && window_[run_end].ref == window_[c.end].ref) ++run_end;
      if (run_end - c.begin <= max_per_send_) {
        c.end = run_end;  // the whole series fits
        continue;
      }
      if (c.end == c.begin) c.end = c.begin + max_per_send_;  // longer than a request: split
      break;
    }
    chunks_.push_back(c);
    i = c.end;
  }
}

namespace {

// Answers to a shard's requests, shared with the client's callbacks (which
// may run after the shard abandoned them at a hard stop).
struct Answers {
  Mutex mu;
  CondVar cv;
  std::vector<std::pair<size_t, httpclient::Response>> ready FERRY_GUARDED_BY(mu);
};

}  // namespace

bool Shard::SendChunks(size_t from, size_t to, size_t parallel, bool resend) {
  struct Flight {
    size_t chunk = 0;
    Batch batch;
    size_t sent = 0;
    int64_t highest = INT64_MIN;
    bool submitted = false;
    bool done = false;
    // Whether the receiver may already hold it: a resend after a crash, or
    // a retry after an attempt whose outcome is unknown (network error,
    // timeout, cut answer, 5xx from a proxy after the backend stored).
    bool maybe_delivered = false;
    std::chrono::steady_clock::time_point start;
    std::chrono::steady_clock::time_point retry_at;
  };
  const Endpoint& ep = *ctx_.endpoint;
  auto answers = std::make_shared<Answers>();
  std::vector<Flight> flights;  // taken, not done
  size_t next = from;           // the next chunk to take
  size_t acked = from;          // every chunk before it is done
  std::vector<bool> done(to - from, false);
  std::chrono::steady_clock::time_point not_before{};  // the back-off
  ShardMark persisted{};
  bool any_persisted = false;
  // One back-off step per round of failures, however many chunks it hit.
  auto retry = [&](Flight& f, std::optional<milliseconds> retry_after) {
    ctx_.failed_attempts.fetch_add(1, std::memory_order_relaxed);
    ctx_.metrics.samples_retried_total.Increment(static_cast<double>(f.sent));
    f.submitted = false;
    auto t = ctx_.clock.MonotonicNow();
    if (not_before <= t || retry_after) {
      not_before = std::max(not_before, t + backoff_.Next(retry_after));
    }
    f.retry_at = not_before;
  };
  while (acked < to) {
    if (ctx_.hard_stop.load(std::memory_order_relaxed)) return false;
    auto now = ctx_.clock.MonotonicNow();
    while (flights.size() < parallel && next < to && now >= not_before) {
      // A chunk that goes on with a split series waits for the one before.
      if (chunks_[next].continues && acked < next) break;
      Flight f;
      f.chunk = next;
      f.batch.samples.assign(window_.begin() + static_cast<std::ptrdiff_t>(chunks_[next].begin),
                             window_.begin() + static_cast<std::ptrdiff_t>(chunks_[next].end));
      f.maybe_delivered = resend;
      flights.push_back(std::move(f));
      ++next;
    }
    for (Flight& f : flights) {
      if (f.submitted || f.done || now < f.retry_at || now < not_before) continue;
      f.highest = INT64_MIN;
      Result<size_t> built = Build(f.batch, &body_, &f.highest);
      if (!built.ok()) {
        Report("reading series labels from the WAL: " + built.status().ToString(), false);
        retry(f, std::nullopt);
        continue;
      }
      f.sent = *built;
      if (f.sent == 0) {
        f.done = true;  // everything dropped and counted
        continue;
      }
      Result<std::shared_ptr<const httpclient::ClientOptions>> opts = ctx_.client_options.Get();
      if (!opts.ok()) {
        Report("client options: " + opts.status().ToString(), false);
        retry(f, std::nullopt);
        continue;
      }
      // Durable before the request leaves: after a crash the chunks that
      // may be in flight are resent, each alone (kill -9 safe; RocksDB
      // writes reach the OS in order).
      ShardMark before = window_mark_;
      before.chunks_acked = static_cast<uint32_t>(acked);
      before.chunks_sent = std::max<uint32_t>(static_cast<uint32_t>(next), window_mark_.chunks_sent);
      if (!any_persisted || !(before == persisted)) {
        {
          MutexLock l(mu_);
          mark_ = before;
        }
        PersistMark(before);
        persisted = before;
        any_persisted = true;
      }
      ctx_.metrics.samples_total.Increment(static_cast<double>(f.sent));
      ctx_.metrics.bytes_total.Increment(static_cast<double>(body_.size()));
      f.start = now;
      f.submitted = true;
      // The client owns its copy of the body: a retry rebuilds body_.
      ctx_.client.Submit(NewWriteRequest(ep, ctx_.client_options, *opts, body_),
                         [answers, id = f.chunk](httpclient::Response&& r) {
                           {
                             MutexLock l(answers->mu);
                             answers->ready.emplace_back(id, std::move(r));
                           }
                           answers->cv.NotifyAll();
                         });
    }
    // Answers (or a retry's time, or a stop).
    std::vector<std::pair<size_t, httpclient::Response>> ready;
    bool waiting = false;
    auto wake = now + milliseconds(100);
    for (const Flight& f : flights) {
      if (f.submitted) waiting = true;
      if (!f.submitted && !f.done) wake = std::min(wake, std::max(f.retry_at, not_before));
    }
    if (next < to && not_before > now) wake = std::min(wake, not_before);
    if (waiting || wake > now) {
      MutexLock l(answers->mu);
      auto left = std::chrono::duration_cast<milliseconds>(wake - now);
      answers->cv.WaitFor(answers->mu, std::clamp(left, milliseconds(1), milliseconds(100)),
                          [&]() FERRY_REQUIRES(answers->mu) { return !answers->ready.empty(); });
      ready.swap(answers->ready);
    }
    for (auto& [id, resp] : ready) {
      auto it = std::find_if(flights.begin(), flights.end(),
                             [id = id](const Flight& f) { return f.chunk == id && f.submitted; });
      if (it == flights.end()) continue;
      Flight& f = *it;
      double secs = std::chrono::duration<double>(ctx_.clock.MonotonicNow() - f.start).count();
      ctx_.metrics.sent_batch_duration.Observe(secs);
      ctx_.send_nanos.fetch_add(static_cast<uint64_t>(secs * 1e9), std::memory_order_relaxed);
      std::optional<milliseconds> retry_after;
      Outcome o = Judge(resp, f.sent, f.highest, &f.maybe_delivered, &retry_after);
      if (o == Outcome::kRetry) {
        retry(f, retry_after);
        continue;
      }
      f.done = true;
      backoff_.Reset();
      if (o == Outcome::kDelivered) ctx_.samples_out.fetch_add(f.sent, std::memory_order_relaxed);
    }
    for (const Flight& f : flights) {
      if (f.done) done[f.chunk - from] = true;
    }
    std::erase_if(flights, [](const Flight& f) { return f.done; });
    while (acked < to && done[acked - from]) ++acked;
  }
  return true;
}

Shard::Outcome Shard::Judge(const httpclient::Response& resp, size_t sent, int64_t highest,
                            bool* maybe_delivered, std::optional<milliseconds>* retry_after) {
  const Endpoint& ep = *ctx_.endpoint;
  const int code = resp.http_status;
  if (!resp.status.ok()) {
    *maybe_delivered = true;
    Report("request failed: " + resp.status.ToString(), false);
    return Outcome::kRetry;
  }
  if (code >= 200 && code < 300) {
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
    return Outcome::kDelivered;
  }
  if (code >= 500 || (code == 429 && ep.config.queue_config.retry_on_http_429)) {
    if (code >= 500) *maybe_delivered = true;
    *retry_after = ParseRetryAfter(resp.Header("retry-after"), ctx_.clock.SystemNow());
    Report("server returned HTTP status " + std::to_string(code) + ": " +
               resp.body.substr(0, kLoggedBodyBytes),
           false);
    return Outcome::kRetry;
  }
  std::string_view reason;
  std::string http_reason = "http_" + std::to_string(code);
  if (*maybe_delivered && code == 400 && SaysAlreadyStored(resp.body)) {
    reason = kReasonAlreadyDelivered;
  } else {
    reason = http_reason;
    ctx_.metrics.samples_failed_total.Increment(static_cast<double>(sent));
    Report("non-retryable HTTP status " + std::to_string(code) +
               ", batch dropped: " + resp.body.substr(0, kLoggedBodyBytes),
           false);
  }
  ctx_.metrics.Dropped(reason, static_cast<double>(sent));
  return Outcome::kDropped;
}

}  // namespace ferry::ship
