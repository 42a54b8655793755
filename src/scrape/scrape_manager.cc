#include "src/scrape/scrape_manager.h"

#include <set>

#include "src/base/log.h"
#include "src/config/dump.h"
#include "src/scrape/pool_settings.h"

namespace ferry::scrape {
namespace {
constexpr std::string_view kComponent = "scrape";
}  // namespace

struct ScrapeManager::Pool {
  std::shared_ptr<const PoolSettings> settings;
  std::string fingerprint;
  std::vector<labels::Labels> discovered;
  std::map<uint64_t, std::shared_ptr<ScrapeLoop>> loops;
  // Loops replaced by a reload that changed sample settings, by target
  // hash, until SyncPool hands them to their successors (or retires them).
  std::map<uint64_t, std::shared_ptr<ScrapeLoop>> replaced;
  std::vector<DroppedTarget> dropped;
};

ScrapeManager::ScrapeManager(wal::Wal& wal, httpclient::Client& client, ScrapeManagerOptions options)
    : wal_(wal),
      client_(client),
      options_(std::move(options)),
      clock_(options_.clock ? *options_.clock : RealClock()),
      offset_seed_(OffsetSeed(options_.hostname, {})) {
  workers_ = std::make_unique<WorkerPool>(options_.workers);
  scheduler_ = std::thread([this] { SchedulerMain(); });
}

ScrapeManager::~ScrapeManager() { Stop(); }

Status ScrapeManager::ApplyConfig(const config::Config& cfg) {
  // Build everything first: a bad rule changes nothing.
  std::map<std::string, std::shared_ptr<const PoolSettings>> built;
  for (const config::ScrapeConfig& sc : cfg.scrape_configs) {
    FERRY_ASSIGN_OR_RETURN(auto settings, BuildPoolSettings(sc, options_.user_agent));
    built[sc.job_name] = std::move(settings);
  }
  MutexLock l(mu_);
  offset_seed_ = OffsetSeed(options_.hostname, cfg.global.external_labels);
  for (auto it = pools_.begin(); it != pools_.end();) {
    if (built.count(it->first) == 0) {
      for (auto& [hash, loop] : it->second->loops) RetireLoop(loop, /*immediate=*/false);
      it = pools_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& [job, settings] : built) {
    std::string fp = Fingerprint(*settings->config);
    auto& pool = pools_[job];
    if (!pool) {
      pool = std::make_unique<Pool>();
      if (auto u = unclaimed_.find(job); u != unclaimed_.end()) {
        pool->discovered = std::move(u->second);
        unclaimed_.erase(u);
      }
    }
    if (pool->settings && pool->fingerprint == fp) continue;  // unchanged: loops untouched
    auto old = pool->settings;
    pool->settings = settings;
    pool->fingerprint = fp;
    if (old) {
      // Loops of targets that stay: keep them (and their caches) when only
      // fetch settings changed; otherwise replace them.
      bool same_samples = SameSampleSettings(*old->config, *settings->config);
      for (auto& [hash, loop] : pool->loops) {
        if (same_samples) {
          loop->UpdatePool(settings);
        } else {
          // Its replacement marks stale what the new settings no longer
          // produce, at its first scrape (SyncPool).
          loop->stopped = true;
          pool->replaced[hash] = loop;
        }
      }
      if (!same_samples) pool->loops.clear();
    }
    SyncPool(*pool);
  }
  return Status::Ok();
}

void ScrapeManager::UpdateTargets(const std::string& job, std::vector<labels::Labels> targets) {
  MutexLock l(mu_);
  auto it = pools_.find(job);
  if (it == pools_.end()) {
    // Discovery may run ahead of ApplyConfig: keep the list for the pool.
    unclaimed_[job] = std::move(targets);
    return;
  }
  it->second->discovered = std::move(targets);
  SyncPool(*it->second);
}

void ScrapeManager::SyncPool(Pool& pool) {
  const config::ScrapeConfig& cfg = *pool.settings->config;
  std::map<uint64_t, Target> wanted;
  pool.dropped.clear();
  for (const labels::Labels& discovered : pool.discovered) {
    BuildResult r = BuildTarget(discovered, cfg, pool.settings->target_relabeler.get());
    if (!r.status.ok()) {
      log::Warn(kComponent, "creating target failed", {{"scrape_pool", cfg.job_name},
                                                        {"err", r.status.message()},
                                                        {"target", discovered.ToString()}});
      continue;
    }
    if (!r.target) {
      pool.dropped.push_back({cfg.job_name, std::move(r.discovered_labels)});
      continue;
    }
    uint64_t h = r.target->hash;
    wanted.emplace(h, std::move(*r.target));
  }
  if (cfg.target_limit > 0 && wanted.size() > cfg.target_limit) {
    log::Error(kComponent, "target_limit exceeded",
               {{"scrape_pool", cfg.job_name},
                {"err", "target_limit exceeded (number of targets: " + std::to_string(wanted.size()) +
                            ", limit: " + std::to_string(cfg.target_limit) + ")"}});
    wanted.clear();  // Prometheus stops every target of the pool
  }
  // Retire loops whose target went away.
  for (auto it = pool.loops.begin(); it != pool.loops.end();) {
    if (wanted.count(it->first) == 0) {
      RetireLoop(it->second, /*immediate=*/false);
      it = pool.loops.erase(it);
    } else {
      ++it;
    }
  }
  const auto now = clock_.MonotonicNow();
  const int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             clock_.SystemNow().time_since_epoch()).count();
  for (auto& [hash, target] : wanted) {
    if (pool.loops.count(hash)) continue;
    std::shared_ptr<ScrapeLoop> loop;
    if (auto r = retiring_.find(hash); r != retiring_.end() &&
                                       SameSampleSettings(*r->second->pool()->config, cfg)) {
      loop = r->second;  // came back before its staleness markers: continue
      retiring_.erase(r);
      loop->stopped = false;
      loop->UpdatePool(pool.settings);
    } else {
      // A loop that scraped the same series before (same target under other
      // sample settings, or another identity with the same sample labels,
      // e.g. after a scrape_interval or metrics_path change) is not ended
      // with staleness markers: the new loop inherits its series and marks
      // stale only those it no longer produces.
      std::shared_ptr<ScrapeLoop> old;
      if (r != retiring_.end()) {
        old = std::move(r->second);
        retiring_.erase(r);
      } else if (auto it = pool.replaced.find(hash); it != pool.replaced.end()) {
        old = std::move(it->second);
        pool.replaced.erase(it);
      } else {
        old = TakeSameSeriesLoop(pool, target);
      }
      loop = std::make_shared<ScrapeLoop>(target, pool.settings, wal_);
      if (old) {
        old->stopped = true;
        // One that never scraped hands on what it inherited.
        loop->predecessor = old->predecessor ? old->predecessor : std::move(old);
      }
    }
    loop->generation = next_generation_++;
    auto offset = ScrapeOffset(hash, offset_seed_, target.interval, now_ns);
    loop->next_due = now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(offset);
    Schedule({loop->next_due, loop, loop->generation});
    pool.loops.emplace(hash, std::move(loop));
  }
  // Replaced loops whose target is gone under the new settings end like
  // removed targets.
  for (auto& [hash, old] : pool.replaced) RetireLoop(old, /*immediate=*/false);
  pool.replaced.clear();
}

std::shared_ptr<ScrapeLoop> ScrapeManager::TakeSameSeriesLoop(Pool& pool, const Target& target) {
  const labels::Labels wanted = target.SampleLabels();
  for (auto it = pool.replaced.begin(); it != pool.replaced.end(); ++it) {
    if (it->second->target().SampleLabels() == wanted) {
      auto old = std::move(it->second);
      pool.replaced.erase(it);
      return old;
    }
  }
  for (auto it = retiring_.begin(); it != retiring_.end(); ++it) {
    if (it->second->pool()->job == pool.settings->job &&
        it->second->target().SampleLabels() == wanted) {
      auto old = std::move(it->second);
      retiring_.erase(it);  // its pending staleness task finds it gone
      return old;
    }
  }
  return nullptr;
}

void ScrapeManager::RetireLoop(const std::shared_ptr<ScrapeLoop>& loop, bool immediate) {
  loop->stopped = true;
  const auto interval = loop->target().interval;
  // As Prometheus' endOfRunStaleness: the markers carry the time of the next
  // scrape that would have been, and are written after two intervals plus
  // 10%, so a target that comes back meanwhile simply continues.
  auto wait = immediate ? std::chrono::milliseconds(0) : 2 * interval + interval / 10;
  int64_t stale_ts = clock_.NowMillis() + (immediate ? 0 : interval.count());
  loop->generation = next_generation_++;
  retiring_[loop->target().hash] = loop;
  Schedule({clock_.MonotonicNow() + wait, loop, loop->generation, /*stale=*/true, stale_ts});
}

void ScrapeManager::Schedule(Task task) {
  tasks_.push(std::move(task));
  cv_.NotifyOne();
}

void ScrapeManager::SchedulerMain() {
  MutexLock l(mu_);
  while (!stopping_) {
    if (tasks_.empty()) {
      cv_.Wait(mu_, [this]() FERRY_REQUIRES(mu_) { return stopping_ || !tasks_.empty(); });
      continue;
    }
    auto now = clock_.MonotonicNow();
    if (tasks_.top().due > now) {
      auto due = tasks_.top().due;
      cv_.WaitFor(mu_, due - now, [this, due]() FERRY_REQUIRES(mu_) {
        return stopping_ || (!tasks_.empty() && tasks_.top().due < due);
      });
      continue;
    }
    Task task = tasks_.top();
    tasks_.pop();
    std::shared_ptr<ScrapeLoop> loop = task.loop;
    if (task.generation != loop->generation) continue;  // superseded
    if (task.stale) {
      if (retiring_.count(loop->target().hash) == 0 || retiring_[loop->target().hash] != loop) {
        continue;  // revived or replaced
      }
      if (loop->in_flight) {  // let its last scrape land first
        task.due = now + std::chrono::milliseconds(100);
        tasks_.push(task);
        continue;
      }
      retiring_.erase(loop->target().hash);
      loop->in_flight = true;
      ++in_flight_;
      int64_t ts = task.stale_ts_ms;
      workers_->Post([this, loop, ts] {
        loop->WriteStaleMarkers(ts);
        loop->in_flight = false;
        FinishScrape();
      });
      continue;
    }
    if (loop->stopped) continue;
    // Next tick on the target's grid; skip ticks we are late for.
    const auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        loop->target().interval);
    loop->next_due += interval;
    while (loop->next_due <= now) loop->next_due += interval;
    tasks_.push({loop->next_due, loop, loop->generation});
    if (loop->in_flight) continue;  // previous scrape still running: skip this tick
    if (loop->predecessor) {
      // The loop this one replaced must have finished its last scrape.
      if (loop->predecessor->in_flight) continue;
      loop->InheritSeries(*loop->predecessor);
      loop->predecessor.reset();
    }
    loop->in_flight = true;
    ++in_flight_;
    mu_.Unlock();
    StartScrape(loop);
    mu_.Lock();
  }
}

void ScrapeManager::StartScrape(const std::shared_ptr<ScrapeLoop>& loop) {
  const int64_t start_ms = loop->AlignedTimestamp(clock_.NowMillis());
  auto request = loop->Prepare();
  if (!request.ok()) {
    Status err = request.status();
    workers_->Post([this, loop, err, start_ms] {
      loop->ProcessError(err, start_ms);
      loop->in_flight = false;
      FinishScrape();
    });
    return;
  }
  client_.Submit(std::move(request).value(), [this, loop, start_ms](httpclient::Response&& r) {
    auto resp = std::make_shared<httpclient::Response>(std::move(r));
    workers_->Post([this, loop, start_ms, resp] {
      bool shutting_down;
      {
        MutexLock l(mu_);
        shutting_down = stopping_;
      }
      // On shutdown a cancelled scrape is not a failed target: write nothing.
      if (!shutting_down && !resp->status.IsCancelled()) loop->Process(*resp, start_ms);
      loop->in_flight = false;
      FinishScrape();
    });
  });
}

void ScrapeManager::FinishScrape() {
  MutexLock l(mu_);
  --in_flight_;
  cv_.NotifyAll();
}

void ScrapeManager::Stop() {
  {
    MutexLock l(mu_);
    if (stopping_ && !scheduler_.joinable()) return;
    stopping_ = true;
  }
  cv_.NotifyAll();
  if (scheduler_.joinable()) scheduler_.join();
  {
    // Scrapes in flight end by their own timeout at the latest.
    MutexLock l(mu_);
    cv_.Wait(mu_, [this]() FERRY_REQUIRES(mu_) { return in_flight_ == 0; });
  }
  workers_.reset();
  MutexLock l(mu_);
  pools_.clear();
  retiring_.clear();
  while (!tasks_.empty()) tasks_.pop();
}

std::vector<std::shared_ptr<ScrapeLoop>> ScrapeManager::ActiveLoops() const {
  std::vector<std::shared_ptr<ScrapeLoop>> loops;
  MutexLock l(mu_);
  for (const auto& [job, pool] : pools_) {
    for (const auto& [h, loop] : pool->loops) loops.push_back(loop);
  }
  return loops;
}

std::vector<TargetStatus> ScrapeManager::ActiveTargets() const {
  const std::vector<std::shared_ptr<ScrapeLoop>> loops = ActiveLoops();
  std::vector<TargetStatus> out;
  out.reserve(loops.size());
  for (const auto& loop : loops) out.push_back(loop->GetStatus());
  return out;
}

std::vector<MetricMetadata> ScrapeManager::ListMetadata() const {
  std::vector<MetricMetadata> out;
  for (const auto& loop : ActiveLoops()) loop->AppendMetadata(&out);
  return out;
}

std::vector<DroppedTarget> ScrapeManager::DroppedTargets() const {
  MutexLock l(mu_);
  std::vector<DroppedTarget> out;
  for (const auto& [job, pool] : pools_) {
    out.insert(out.end(), pool->dropped.begin(), pool->dropped.end());
  }
  return out;
}

}  // namespace ferry::scrape
