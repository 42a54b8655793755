#include "src/replay/manager.h"

#include <algorithm>
#include <random>

#include "src/base/log.h"
#include "src/replay/destination.h"
#include "src/replay/store.h"

namespace ferry::replay {
namespace {

constexpr const char* kComponent = "replay";

std::string NewId() {
  static const char* kHex = "0123456789abcdef";
  std::random_device rd;
  std::string id;
  for (int i = 0; i < 8; ++i) id.push_back(kHex[rd() % 16]);
  return id;
}

int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? INT64_MAX : INT64_MIN;
  return r;
}

}  // namespace

Result<std::pair<uint64_t, uint64_t>> PlanSequenceRange(wal::Wal& wal, const JobSpec& spec) {
  const uint64_t first = std::max<uint64_t>(wal.FirstSequence(), 1);
  const uint64_t end_now = wal.LastSequence() + 1;
  FERRY_ASSIGN_OR_RETURN(uint64_t start, wal.SeekTime(SaturatingAdd(spec.from_ms, -spec.skew_ms)));
  const int64_t end_ms = SaturatingAdd(SaturatingAdd(spec.to_ms, spec.skew_ms), 1);
  FERRY_ASSIGN_OR_RETURN(uint64_t end, wal.SeekTime(end_ms));
  start = std::max(start, first);
  end = std::min(end, end_now);
  if (end < start) end = start;
  return std::make_pair(start, end);
}

ReplayManager::ReplayManager(ManagerOptions options) : options_(std::move(options)) {
  if (options_.clock == nullptr) options_.clock = &RealClock();
  if (!options_.rng_factory) options_.rng_factory = [] { return ship::DefaultRng(); };
  client_ = std::make_unique<httpclient::Client>(httpclient::Client::Options{});
  collector_ = std::make_shared<ReplayCollector>([this] { return List(); });
}

Result<std::unique_ptr<ReplayManager>> ReplayManager::Open(ManagerOptions options) {
  if (options.wal == nullptr) return Status::InvalidArgument("replay manager: no WAL");
  std::unique_ptr<ReplayManager> m(new ReplayManager(std::move(options)));
  FERRY_RETURN_IF_ERROR(m->Load());
  m->Schedule();
  return m;
}

ReplayManager::~ReplayManager() {
  collector_->Detach();
  Stop();
  client_->Stop();
}

Status ReplayManager::Load() {
  FERRY_ASSIGN_OR_RETURN(auto all, options_.wal->ListMeta(kMetaPrefix));
  std::vector<JobStatus> finished;
  MutexLock l(mu_);
  for (const auto& [key, value] : all) {
    if (key.rfind("job/", 0) != 0) continue;
    Result<JobStatus> st = StatusFromJson(value);
    if (!st.ok()) {
      log::Error(kComponent, "skipping a damaged replay job record",
                 {{"key", key}, {"err", st.status().message()}});
      continue;
    }
    if (IsTerminal(st->state)) finished.push_back(*st);
    jobs_[st->id].status = std::move(st).value();
  }
  if (finished.size() > options_.keep_finished) {
    std::sort(finished.begin(), finished.end(),
              [](const JobStatus& a, const JobStatus& b) { return a.updated_ms < b.updated_ms; });
    for (size_t i = 0; i + options_.keep_finished < finished.size(); ++i) {
      FERRY_RETURN_IF_ERROR(options_.wal->DeleteMeta(kMetaPrefix, JobKey(finished[i].id)));
      jobs_.erase(finished[i].id);
    }
  }
  return Status::Ok();
}

Result<std::pair<uint64_t, uint64_t>> ReplayManager::PlanRange(const JobSpec& spec) {
  return PlanSequenceRange(*options_.wal, spec);
}

JobStatus ReplayManager::CurrentLocked(const Entry& e) const {
  return e.runner ? e.runner->Snapshot() : e.status;
}

Status ReplayManager::SetIdleStateLocked(Entry& e, JobState state) {
  wal::Wal& wal = *options_.wal;
  e.status.state = state;
  e.status.updated_ms = options_.clock->NowMillis();
  if (IsTerminal(state)) {
    Status d = wal.DeleteCursor(CursorName(e.status.id));
    if (!d.ok() && !d.IsNotFound()) return d;
    FERRY_ASSIGN_OR_RETURN(auto all, wal.ListMeta(kMetaPrefix));
    const std::string prefix = ShardStatePrefix(e.status.id);
    for (const auto& [k, v] : all) {
      if (k.rfind(prefix, 0) == 0) FERRY_RETURN_IF_ERROR(wal.DeleteMeta(kMetaPrefix, k));
    }
  }
  FERRY_RETURN_IF_ERROR(wal.PutMeta(kMetaPrefix, JobKey(e.status.id), StatusToJson(e.status)));
  ++changes_;
  cv_.NotifyAll();
  return Status::Ok();
}

void ReplayManager::Schedule() {
  MutexLock l(mu_);
  if (stopped_ || !options_.start_jobs) return;
  int running = 0;
  std::vector<Entry*> pending;
  for (auto& [id, e] : jobs_) {
    if (e.runner) ++running;
    // A job stored as running was interrupted (stop or crash): resume it.
    if (!e.runner && (e.status.state == JobState::kPending || e.status.state == JobState::kRunning)) {
      pending.push_back(&e);
    }
  }
  std::sort(pending.begin(), pending.end(), [](const Entry* a, const Entry* b) {
    return a->status.created_ms < b->status.created_ms ||
           (a->status.created_ms == b->status.created_ms && a->status.id < b->status.id);
  });
  std::shared_ptr<const config::Config> cfg = options_.config ? options_.config() : nullptr;
  for (Entry* e : pending) {
    if (running >= options_.max_running) break;
    std::shared_ptr<const ship::Endpoint> ep;
    if (!e->status.spec.dry_run) {
      Result<std::shared_ptr<const ship::Endpoint>> r = ResolveEndpoint(e->status.spec, cfg.get());
      if (!r.ok()) {
        e->status.error = r.status().message();
        Status s = SetIdleStateLocked(*e, JobState::kFailed);
        log::Error(kComponent, "replay job failed to start",
                   {{"job", e->status.id}, {"err", e->status.error}, {"store", s.message()}});
        continue;
      }
      ep = std::move(r).value();
    }
    RunnerDeps deps{.wal = *options_.wal,
                    .client = *client_,
                    .clock = *options_.clock,
                    .rng_factory = options_.rng_factory,
                    .checkpoint_interval = options_.checkpoint_interval,
                    .pause_flush_deadline = options_.pause_flush_deadline};
    e->runner = std::make_unique<JobRunner>(std::move(deps), e->status, std::move(ep),
                                            [this](const JobStatus& st) { OnExit(st); });
    log::Info(kComponent,
              e->status.state == JobState::kRunning ? "replay job resumed" : "replay job started",
              {{"job", e->status.id}, {"start_seq", e->status.start_seq},
               {"end_seq", e->status.end_seq}, {"cursor", e->status.cursor_seq}});
    e->runner->Start();
    ++running;
  }
  ++changes_;
  cv_.NotifyAll();
}

void ReplayManager::OnExit(const JobStatus& st) {
  bool more = false;
  {
    MutexLock l(mu_);
    auto it = jobs_.find(st.id);
    if (it == jobs_.end()) return;
    Entry& e = it->second;
    e.status = st;
    e.stopping = false;
    if (e.runner) exited_.push_back(std::move(e.runner));
    more = !stopped_;
    ++changes_;
  cv_.NotifyAll();
  }
  if (more) Schedule();  // never Reap() here: this runs on the exiting runner's thread
}

void ReplayManager::Reap() {
  std::vector<std::unique_ptr<JobRunner>> done;
  {
    MutexLock l(mu_);
    done.swap(exited_);
  }
  done.clear();  // joins
}

Result<JobStatus> ReplayManager::Submit(JobSpec spec) {
  Reap();
  FERRY_RETURN_IF_ERROR(ValidateSpec(spec));
  if (!spec.dry_run) {
    std::shared_ptr<const config::Config> cfg = options_.config ? options_.config() : nullptr;
    FERRY_RETURN_IF_ERROR(ResolveEndpoint(spec, cfg.get()).status());
  }
  FERRY_ASSIGN_OR_RETURN(auto range, PlanRange(spec));
  JobStatus st;
  st.spec = std::move(spec);
  st.state = JobState::kPending;
  st.created_ms = st.updated_ms = options_.clock->NowMillis();
  st.start_seq = range.first;
  st.end_seq = range.second;
  st.cursor_seq = range.first;
  {
    MutexLock l(mu_);
    if (stopped_) return Status::FailedPrecondition("replay manager is stopping");
    do {
      st.id = NewId();
    } while (jobs_.count(st.id) > 0);
    // Hold retention at the range's start from now on.
    if (!st.spec.dry_run) {
      FERRY_RETURN_IF_ERROR(options_.wal->CommitCursor(CursorName(st.id), st.cursor_seq));
    }
    FERRY_RETURN_IF_ERROR(options_.wal->PutMeta(kMetaPrefix, JobKey(st.id), StatusToJson(st)));
    jobs_[st.id].status = st;
  }
  log::Info(kComponent, "replay job submitted",
            {{"job", st.id}, {"spec", SpecToJson(st.spec)}, {"records", st.end_seq - st.start_seq}});
  Schedule();
  return Get(st.id);
}

Result<JobStatus> ReplayManager::Get(const std::string& id) const {
  MutexLock l(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return Status::NotFound("replay job \"" + id + "\" not found");
  return CurrentLocked(it->second);
}

std::vector<JobStatus> ReplayManager::List() const {
  std::vector<JobStatus> out;
  {
    MutexLock l(mu_);
    for (const auto& [id, e] : jobs_) out.push_back(CurrentLocked(e));
  }
  std::sort(out.begin(), out.end(), [](const JobStatus& a, const JobStatus& b) {
    return a.created_ms < b.created_ms || (a.created_ms == b.created_ms && a.id < b.id);
  });
  return out;
}

Result<JobStatus> ReplayManager::Pause(const std::string& id) {
  Reap();
  MutexLock l(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return Status::NotFound("replay job \"" + id + "\" not found");
  Entry& e = it->second;
  if (e.runner) {
    e.runner->Stop(JobRunner::StopMode::kPause);
    e.stopping = true;
  } else if (e.status.state == JobState::kPending || e.status.state == JobState::kRunning) {
    FERRY_RETURN_IF_ERROR(SetIdleStateLocked(e, JobState::kPaused));
  } else if (IsTerminal(e.status.state)) {
    return Status::FailedPrecondition("replay job " + id + " is " +
                                      std::string(StateName(e.status.state)));
  }
  return CurrentLocked(e);
}

Result<JobStatus> ReplayManager::Resume(const std::string& id) {
  Reap();
  {
    MutexLock l(mu_);
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return Status::NotFound("replay job \"" + id + "\" not found");
    Entry& e = it->second;
    if (IsTerminal(e.status.state) && !e.runner) {
      return Status::FailedPrecondition("replay job " + id + " is " +
                                        std::string(StateName(e.status.state)));
    }
    if (e.runner && e.stopping) {
      return Status::FailedPrecondition("replay job " + id + " is still pausing; retry");
    }
    if (!e.runner && e.status.state == JobState::kPaused) {
      FERRY_RETURN_IF_ERROR(SetIdleStateLocked(e, JobState::kPending));
    }
  }
  Schedule();
  return Get(id);
}

Result<JobStatus> ReplayManager::Cancel(const std::string& id) {
  Reap();
  MutexLock l(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return Status::NotFound("replay job \"" + id + "\" not found");
  Entry& e = it->second;
  if (e.runner) {
    e.runner->Stop(JobRunner::StopMode::kCancel);
    e.stopping = true;
  } else if (IsTerminal(e.status.state)) {
    return Status::FailedPrecondition("replay job " + id + " is " +
                                      std::string(StateName(e.status.state)));
  } else {
    FERRY_RETURN_IF_ERROR(SetIdleStateLocked(e, JobState::kCancelled));
  }
  return CurrentLocked(e);
}

Result<JobStatus> ReplayManager::Wait(const std::string& id, std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  Result<JobStatus> st = Status::NotFound("");
  {
    MutexLock l(mu_);
    for (;;) {
      auto it = jobs_.find(id);
      if (it == jobs_.end()) return Status::NotFound("replay job \"" + id + "\" not found");
      const Entry& e = it->second;
      if (!e.runner && e.status.state != JobState::kPending &&
          !(e.status.state == JobState::kRunning && options_.start_jobs)) {
        st = e.status;
        break;
      }
      if (stopped_ || std::chrono::steady_clock::now() >= until) {
        st = CurrentLocked(e);
        break;
      }
      const uint64_t seen = changes_;
      cv_.WaitFor(mu_, std::chrono::milliseconds(200),
                  [&]() FERRY_REQUIRES(mu_) { return changes_ != seen; });
    }
  }
  Reap();
  return st;
}

void ReplayManager::Stop() {
  std::vector<std::unique_ptr<JobRunner>> runners;
  {
    MutexLock l(mu_);
    stopped_ = true;
    for (auto& [id, e] : jobs_) {
      if (e.runner) {
        e.runner->Stop(JobRunner::StopMode::kShutdown);
        runners.push_back(std::move(e.runner));
      }
    }
    ++changes_;
  cv_.NotifyAll();
  }
  runners.clear();  // joins; their progress is saved by the runners
  Reap();
}

}  // namespace ferry::replay
