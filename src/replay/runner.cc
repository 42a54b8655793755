// JobRunner: the reader side of a replay job and its lifecycle (runner.h).
#include "src/replay/runner.h"

#include <algorithm>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "src/base/log.h"
#include "src/base/thread_name.h"
#include "src/replay/store.h"
#include "src/replay/token_bucket.h"
#include "src/selector/selector.h"
#include "src/ship/sharding.h"

namespace ferry::replay {
namespace {

using std::chrono::milliseconds;
constexpr const char* kComponent = "replay";
constexpr size_t kMaxCachedKeyframes = 100'000;
constexpr size_t kMaxCachedSeries = 1'000'000;

}  // namespace

JobRunner::JobRunner(RunnerDeps deps, JobStatus status,
                     std::shared_ptr<const ship::Endpoint> endpoint,
                     std::function<void(const JobStatus&)> on_exit)
    : deps_(std::move(deps)), endpoint_(std::move(endpoint)), on_exit_(std::move(on_exit)) {
  MutexLock l(mu_);
  status_ = std::move(status);
}

JobRunner::~JobRunner() {
  Stop(StopMode::kShutdown);
  Join();
  senders_.clear();
}

void JobRunner::Start() {
  JobStatus st = Snapshot();
  Status load = Status::Ok();
  if (st.spec.dry_run) {
    MutexLock l(mu_);
    status_.cursor_seq = status_.start_seq;  // a dry run always counts from the start
    status_.counters = JobCounters{};
  } else if (endpoint_ != nullptr) {
    client_options_ = std::make_unique<httpclient::ClientOptionsSource>(endpoint_->config.http);
    sender_ctx_.reset(new SenderContext{
        .wal = deps_.wal,
        .client = deps_.client,
        .endpoint = endpoint_,
        .client_options = *client_options_,
        .clock = deps_.clock,
        .job_id = st.id,
        .max_per_send = static_cast<size_t>(st.spec.max_samples_per_send),
        .rng_factory = deps_.rng_factory,
    });
    for (int k = 0; k < st.spec.shards; ++k) {
      ShardState state;
      Result<std::string> bytes = deps_.wal.GetMeta(kMetaPrefix, ShardStateKey(st.id, k));
      if (bytes.ok()) {
        if (!DecodeShardState(*bytes, &state)) {
          // Like the shipper's damaged shard state: nothing known in flight;
          // the job resends from its cursor (a resend may then be refused,
          // counted as rejected).
          log::Error(kComponent, "damaged replay shard state; resending from the cursor",
                     {{"job", st.id}, {"shard", k}});
          state = ShardState{};
        }
      } else if (!bytes.status().IsNotFound()) {
        load = bytes.status();
      }
      senders_.push_back(std::make_unique<Sender>(*sender_ctx_, k, state));
    }
  }
  {
    MutexLock l(mu_);
    status_.state = JobState::kRunning;
    status_.error.clear();
  }
  last_checkpoint_ = deps_.clock.MonotonicNow();
  thread_ = std::thread([this, load] {
    SetThreadName("replay-reader");
    if (!load.ok()) {
      Finish(JobState::kFailed, "reading replay progress: " + load.message());
      return;
    }
    Run();
  });
}

void JobRunner::Stop(StopMode mode) {
  {
    MutexLock l(mu_);
    if (stop_requested_.load()) return;
    stop_mode_ = mode;
    stop_requested_.store(true);
  }
  if (sender_ctx_) {
    sender_ctx_->stop_reading.store(true);
    if (mode != StopMode::kPause) sender_ctx_->hard_stop.store(true);
  }
  cv_.NotifyAll();
}

void JobRunner::Join() {
  if (thread_.joinable()) thread_.join();
}

JobCounters JobRunner::SumCounters() const {
  JobCounters c;
  for (const auto& s : senders_) c += s->counters();
  return c;
}

JobStatus JobRunner::Snapshot() const {
  JobStatus st;
  {
    MutexLock l(mu_);
    st = status_;
  }
  if (!finished_.load() && !st.spec.dry_run && !senders_.empty()) {
    JobCounters c = SumCounters();
    c.records_lost = st.counters.records_lost;
    st.counters = c;
    st.samples_pending = 0;
    for (const auto& s : senders_) st.samples_pending += s->pending();
  }
  if (!finished_.load() && sender_ctx_) {
    MutexLock l(sender_ctx_->error_mu);
    if (!sender_ctx_->last_error.empty()) st.last_error = sender_ctx_->last_error;
  }
  return st;
}

bool JobRunner::Sleep(milliseconds d) {
  MutexLock l(mu_);
  auto until = std::chrono::steady_clock::now() + d;
  while (!stopping() && std::chrono::steady_clock::now() < until) {
    auto left = std::chrono::duration_cast<milliseconds>(until - std::chrono::steady_clock::now());
    cv_.WaitFor(mu_, std::clamp(left, milliseconds(1), milliseconds(200)),
                [&]() FERRY_REQUIRES(mu_) { return stopping(); });
  }
  return !stopping();
}

void JobRunner::Checkpoint(ship::Position horizon) {
  last_checkpoint_ = deps_.clock.MonotonicNow();
  ship::Position low = horizon;
  for (const auto& s : senders_) low = std::min(low, s->LowWater(horizon));
  JobStatus st = Snapshot();
  st.cursor_seq = std::max(low.sequence, st.start_seq);
  st.updated_ms = deps_.clock.NowMillis();
  {
    MutexLock l(mu_);
    status_.cursor_seq = st.cursor_seq;
    status_.updated_ms = st.updated_ms;
  }
  Status s = deps_.wal.CommitCursor(CursorName(st.id), st.cursor_seq);
  if (s.ok()) s = deps_.wal.PutMeta(kMetaPrefix, JobKey(st.id), StatusToJson(st));
  if (!s.ok()) {
    log::Error(kComponent, "replay checkpoint failed", {{"job", st.id}, {"err", s.message()}});
  }
}

void JobRunner::Run() {
  Status read = ReadRange();
  if (!read.ok()) {
    Finish(JobState::kFailed, read.message());
    return;
  }
  if (!stopping()) {
    Finish(JobState::kDone, "");
    return;
  }
  StopMode mode;
  {
    MutexLock l(mu_);
    mode = stop_mode_;
  }
  switch (mode) {
    case StopMode::kPause: Finish(JobState::kPaused, ""); return;
    case StopMode::kCancel: Finish(JobState::kCancelled, ""); return;
    case StopMode::kShutdown: Finish(JobState::kRunning, ""); return;
  }
}

Status JobRunner::ReadRange() {
  const JobStatus st = Snapshot();
  const JobSpec& spec = st.spec;
  FERRY_ASSIGN_OR_RETURN(selector::Selector sel, selector::Parse(spec.match));
  const uint64_t start = std::max(st.cursor_seq, st.start_seq);
  FERRY_ASSIGN_OR_RETURN(std::unique_ptr<wal::Reader> reader, deps_.wal.NewReader(start));
  std::unique_ptr<TokenBucket> bucket;
  if (spec.rate > 0 && !spec.dry_run) {
    // One second of burst, at least one request's worth.
    bucket = std::make_unique<TokenBucket>(
        spec.rate, std::max(spec.rate, static_cast<double>(spec.max_samples_per_send)), deps_.clock);
  }
  const int shards = static_cast<int>(senders_.size());
  std::vector<ship::Position> skip;
  for (const auto& s : senders_) skip.push_back(s->skip_before());
  std::vector<std::vector<QueuedSample>> staging(senders_.size());
  std::unordered_map<wal::SeriesRef, bool> matches;
  std::unordered_map<uint64_t, std::vector<uint32_t>> keyframes;
  std::vector<uint32_t> all;
  std::unordered_set<wal::SeriesRef> series_seen;
  uint64_t dry_samples = 0;
  const uint64_t lost_before = st.counters.records_lost;
  wal::Record rec;
  ship::Position horizon{start, 0};
  handed_out_ = horizon;
  uint64_t records = 0;
  auto publish_lost = [&] {
    MutexLock l(mu_);
    status_.counters.records_lost =
        lost_before + reader->skipped_truncated() + reader->skipped_corrupt();
    if (spec.dry_run) {
      status_.counters.series_matched = series_seen.size();
      status_.counters.samples_matched = dry_samples;
    }
  };
  while (!stopping()) {
    FERRY_ASSIGN_OR_RETURN(bool got, reader->Next(rec));
    if (!got || rec.sequence >= st.end_seq) break;
    horizon = {rec.sequence + 1, 0};
    if (rec.max_timestamp >= spec.from_ms && rec.min_timestamp <= spec.to_ms) {
      const std::vector<uint32_t>* idx = &all;
      if (sel.empty()) {
        if (all.size() < rec.size()) {
          for (uint32_t i = static_cast<uint32_t>(all.size()); i < rec.size(); ++i) all.push_back(i);
        }
      } else {
        auto kf = keyframes.find(rec.keyframe_sequence);
        if (kf == keyframes.end()) {
          if (keyframes.size() >= kMaxCachedKeyframes) keyframes.clear();
          if (matches.size() >= kMaxCachedSeries) matches.clear();
          std::vector<uint32_t> m;
          for (uint32_t i = 0; i < rec.size(); ++i) {
            auto it = matches.find(rec.refs[i]);
            if (it == matches.end()) {
              Result<labels::Labels> ls = deps_.wal.GetSeries(rec.refs[i]);
              it = matches.emplace(rec.refs[i], ls.ok() && sel.Matches(*ls)).first;
            }
            if (it->second) m.push_back(i);
          }
          kf = keyframes.emplace(rec.keyframe_sequence, std::move(m)).first;
        }
        idx = &kf->second;
      }
      size_t taken = 0;
      const size_t limit = sel.empty() ? rec.size() : idx->size();
      for (size_t x = 0; x < limit; ++x) {
        const uint32_t i = (*idx)[x];
        const int64_t ts = rec.timestamps[i];
        if (ts < spec.from_ms || ts > spec.to_ms) continue;
        if (spec.dry_run) {
          series_seen.insert(rec.refs[i]);
          ++dry_samples;
          continue;
        }
        const ship::Position pos{rec.sequence, i};
        const int k = shards == 1 ? 0 : ship::ShardOf(rec.refs[i], shards);
        if (pos < skip[k]) continue;  // answered before the last stop
        staging[k].push_back({rec.refs[i], ts, rec.values[i], pos});
        ++taken;
      }
      if (taken > 0) {
        if (bucket && !Sleep(bucket->Take(static_cast<double>(taken)))) break;
        bool all_queued = true;
        for (int k = 0; k < shards && all_queued; ++k) {
          if (staging[k].empty()) continue;
          all_queued = senders_[k]->Enqueue(staging[k]);
          staging[k].clear();
        }
        if (!all_queued) break;
      }
    }
    handed_out_ = horizon;
    // Cheap bookkeeping every 64 records: the horizon (a resend after a
    // restart waits for it) and the checkpoint clock.
    if ((++records & 63) != 0) continue;
    for (const auto& s : senders_) s->SetHorizon(horizon);
    if (deps_.clock.MonotonicNow() - last_checkpoint_ >= deps_.checkpoint_interval) {
      publish_lost();
      if (!spec.dry_run) Checkpoint(handed_out_);
    }
  }
  publish_lost();
  if (!stopping()) {
    // The whole range is handed out: everything up to end_seq.
    handed_out_ = {st.end_seq, 0};
    for (const auto& s : senders_) s->SetHorizon(handed_out_);
  }
  return Status::Ok();
}

void JobRunner::Finish(JobState state, std::string error) {
  if ((state == JobState::kDone || state == JobState::kPaused) && sender_ctx_) {
    for (const auto& s : senders_) s->Finish();  // send what is queued
    // Wait for the senders to drain. A pause, asked before or during this
    // wait, must not wait for a receiver that is down: after
    // pause_flush_deadline the rest is abandoned (the marks resend it
    // exactly at resume). Cancel and shutdown abandon at once (hard_stop).
    auto busy = [this] {
      for (const auto& s : senders_) {
        if (s->pending() > 0) return true;
      }
      return false;
    };
    std::optional<std::chrono::steady_clock::time_point> deadline;
    while (busy() && !sender_ctx_->hard_stop.load()) {
      MutexLock l(mu_);
      if (!deadline && stop_requested_.load() && stop_mode_ == StopMode::kPause) {
        deadline = std::chrono::steady_clock::now() + deps_.pause_flush_deadline;
      }
      if (deadline && std::chrono::steady_clock::now() >= *deadline) {
        sender_ctx_->hard_stop.store(true);
        break;
      }
      cv_.WaitFor(mu_, milliseconds(20), [] { return false; });  // bounded poll of the senders
    }
  } else if (sender_ctx_) {
    sender_ctx_->hard_stop.store(true);
  }
  for (const auto& s : senders_) s->Join();
  if (state == JobState::kDone && stopping()) {
    // A stop arrived while the last samples were being sent: if it made the
    // senders abandon some, the job is not done but what was asked.
    size_t left = 0;
    for (const auto& s : senders_) left += s->pending();
    if (left > 0) {
      StopMode mode;
      {
        MutexLock l(mu_);
        mode = stop_mode_;
      }
      state = mode == StopMode::kCancel  ? JobState::kCancelled
              : mode == StopMode::kPause ? JobState::kPaused
                                         : JobState::kRunning;
    }
  }
  const bool keep_progress = state == JobState::kPaused || state == JobState::kRunning;
  JobStatus st = Snapshot();
  if (state == JobState::kDone) {
    st.cursor_seq = st.end_seq;
  } else if (keep_progress && !st.spec.dry_run) {
    // Senders are stopped: what they still hold, or else what the reader
    // had handed out, is where the next run starts.
    ship::Position low = handed_out_;
    for (const auto& s : senders_) low = std::min(low, s->LowWater(handed_out_));
    st.cursor_seq = std::max(low.sequence, st.start_seq);
  }
  st.state = state;
  st.error = std::move(error);
  st.samples_pending = 0;
  st.updated_ms = deps_.clock.NowMillis();
  Status s = Status::Ok();
  const std::string& id = st.id;
  if (keep_progress) {
    s = deps_.wal.CommitCursor(CursorName(id), st.cursor_seq);
  } else {
    // Terminal: the counters move into the job record; release retention.
    Status d = deps_.wal.DeleteCursor(CursorName(id));
    if (!d.ok() && !d.IsNotFound()) s = d;
    Result<std::vector<std::pair<std::string, std::string>>> all = deps_.wal.ListMeta(kMetaPrefix);
    if (all.ok()) {
      const std::string prefix = ShardStatePrefix(id);
      for (const auto& [k, v] : *all) {
        if (k.rfind(prefix, 0) == 0) {
          Status x = deps_.wal.DeleteMeta(kMetaPrefix, k);
          if (!x.ok() && s.ok()) s = x;
        }
      }
    }
  }
  if (s.ok()) s = deps_.wal.PutMeta(kMetaPrefix, JobKey(id), StatusToJson(st));
  if (!s.ok()) {
    log::Error(kComponent, "saving replay job state failed", {{"job", id}, {"err", s.message()}});
  }
  log::Info(kComponent, "replay job stopped",
            {{"job", id}, {"state", std::string(StateName(state))},
             {"sent", st.counters.samples_sent}, {"rejected", st.counters.samples_rejected},
             {"err", st.error}});
  {
    MutexLock l(mu_);
    status_ = st;
  }
  finished_.store(true);
  if (on_exit_) on_exit_(st);
}

}  // namespace ferry::replay
