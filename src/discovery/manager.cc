#include "src/discovery/manager.h"

#include <set>
#include <utility>

#include "src/base/log.h"
#include "src/discovery/file_sd.h"
#include "src/discovery/http_sd.h"
#include "src/discovery/internal/fingerprint.h"
#include "src/discovery/internal/text.h"
#include "src/discovery/metrics.h"

namespace ferry::discovery {

struct Manager::Slot {
  std::string job;
  std::string mechanism;  // "static", "file", "http"
  std::string config;     // "file_sd_configs[0]"
  std::string fingerprint;
  std::unique_ptr<Provider> provider;  // null for static
  std::vector<TargetGroup> groups;
  std::chrono::system_clock::time_point last_refresh{};
  std::string last_error;
  // Rate limit of the warn log.
  std::string logged_error;
  std::chrono::steady_clock::time_point logged_at{};
};

struct Manager::Job {
  std::vector<uint64_t> slots;  // in config order
  bool delivered = false;       // its first update has been sent
};

namespace {

LabelNameRules RulesOf(const config::ScrapeConfig& sc) {
  return sc.metric_name_validation_scheme == config::NameValidation::kLegacy
             ? LabelNameRules::kLegacy
             : LabelNameRules::kUtf8;
}

std::vector<TargetGroup> StaticGroups(const config::ScrapeConfig& sc) {
  std::vector<TargetGroup> out;
  for (size_t i = 0; i < sc.static_configs.size(); ++i) {
    const config::TargetGroup& in = sc.static_configs[i];
    TargetGroup g;
    g.source = in.source.empty() ? std::to_string(i) : in.source;
    for (const std::string& t : in.targets) {
      g.targets.push_back(labels::Labels::Of({{kAddressLabel, t}}));
    }
    g.labels = in.labels;
    out.push_back(std::move(g));
  }
  return out;
}

size_t CountTargets(const std::vector<TargetGroup>& groups) {
  size_t n = 0;
  for (const TargetGroup& g : groups) n += g.targets.size();
  return n;
}

}  // namespace

Manager::Manager(httpclient::Client& client, UpdateFn on_update, Clock* clock,
                 prometheus::Registry* registry, Options options)
    : client_(client),
      on_update_(std::move(on_update)),
      clock_(clock != nullptr ? *clock : RealClock()),
      options_(options),
      metrics_(std::make_unique<DiscoveryMetrics>(registry)) {
  updater_ = std::jthread([this] { UpdateLoop(); });
}

Manager::~Manager() { Stop(); }

std::vector<TargetGroup> Manager::JobGroups(const Job& job) const {
  std::vector<TargetGroup> out;
  for (uint64_t id : job.slots) {
    const Slot& s = *slots_.at(id);
    out.insert(out.end(), s.groups.begin(), s.groups.end());
  }
  return out;
}

::ferry::Status Manager::ApplyConfig(const config::Config& cfg) {
  std::set<std::string> names;
  for (const config::ScrapeConfig& sc : cfg.scrape_configs) {
    const std::string job = "job " + internal::Quote(sc.job_name) + ": ";
    if (!sc.kubernetes_sd_configs.empty()) {
      return ::ferry::Status::InvalidArgument(job + "kubernetes_sd_configs is not supported yet");
    }
    if (!names.insert(sc.job_name).second) {
      return ::ferry::Status::InvalidArgument(job + "duplicate job name");
    }
  }

  MutexLock apply(apply_mu_);
  std::vector<std::unique_ptr<Provider>> to_stop;
  std::vector<std::pair<uint64_t, Provider*>> to_start;
  {
    MutexLock l(mu_);
    if (stopped_) return ::ferry::Status::FailedPrecondition("discovery manager is stopped");
    std::map<std::string, Job> next_jobs;
    for (const config::ScrapeConfig& sc : cfg.scrape_configs) {
      Job& job = next_jobs[sc.job_name];
      auto old = jobs_.find(sc.job_name);
      // Running providers of this job that may be kept, by fingerprint.
      std::multimap<std::string, uint64_t> reusable;
      if (old != jobs_.end()) {
        job.delivered = old->second.delivered;
        for (uint64_t id : old->second.slots) {
          if (slots_.at(id)->provider != nullptr) reusable.emplace(slots_.at(id)->fingerprint, id);
        }
      }
      auto add_slot = [&](std::string mechanism, std::string config, std::string fingerprint,
                          auto make_provider) FERRY_REQUIRES(mu_) {
        if (auto it = reusable.find(fingerprint); it != reusable.end()) {
          Slot& s = *slots_.at(it->second);
          s.config = std::move(config);
          job.slots.push_back(it->second);
          reusable.erase(it);
          return;
        }
        auto slot = std::make_unique<Slot>();
        slot->job = sc.job_name;
        slot->mechanism = std::move(mechanism);
        slot->config = std::move(config);
        slot->fingerprint = std::move(fingerprint);
        slot->provider = make_provider();
        const uint64_t id = next_id_++;
        to_start.emplace_back(id, slot->provider.get());
        slots_.emplace(id, std::move(slot));
        job.slots.push_back(id);
      };
      if (!sc.static_configs.empty()) {
        auto slot = std::make_unique<Slot>();
        slot->job = sc.job_name;
        slot->mechanism = "static";
        slot->config = "static_configs";
        slot->groups = StaticGroups(sc);
        slot->last_refresh = clock_.SystemNow();
        const uint64_t id = next_id_++;
        slots_.emplace(id, std::move(slot));
        job.slots.push_back(id);
      }
      const LabelNameRules rules = RulesOf(sc);
      for (size_t i = 0; i < sc.file_sd_configs.size(); ++i) {
        const config::FileSdConfig& f = sc.file_sd_configs[i];
        add_slot("file", "file_sd_configs[" + std::to_string(i) + "]",
                 internal::Fingerprint(f, sc.metric_name_validation_scheme),
                 [&] { return std::make_unique<FileProvider>(f, rules, clock_); });
      }
      for (size_t i = 0; i < sc.http_sd_configs.size(); ++i) {
        const config::HttpSdConfig& h = sc.http_sd_configs[i];
        add_slot("http", "http_sd_configs[" + std::to_string(i) + "]",
                 internal::Fingerprint(h, sc.metric_name_validation_scheme),
                 [&] { return std::make_unique<HttpProvider>(h, rules, client_, clock_); });
      }
      if (old == jobs_.end()) {
        // A new job is announced at once when it has static targets or no
        // providers at all; otherwise with its providers' first report.
        bool has_provider = false;
        for (uint64_t id : job.slots) has_provider |= slots_.at(id)->provider != nullptr;
        if (!has_provider || !sc.static_configs.empty()) dirty_[sc.job_name] = true;
      } else if (JobGroups(job) != JobGroups(old->second)) {
        dirty_[sc.job_name] = true;
      }
    }
    // Slots not carried over: their providers stop, their jobs may vanish.
    std::set<uint64_t> kept;
    for (const auto& [name, job] : next_jobs) kept.insert(job.slots.begin(), job.slots.end());
    for (auto it = slots_.begin(); it != slots_.end();) {
      if (kept.count(it->first) != 0) {
        ++it;
        continue;
      }
      if (it->second->provider != nullptr) to_stop.push_back(std::move(it->second->provider));
      it = slots_.erase(it);
    }
    for (const auto& [name, job] : jobs_) {
      if (next_jobs.count(name) == 0) dirty_[name] = true;  // final empty update
    }
    jobs_ = std::move(next_jobs);
  }
  cv_.NotifyAll();
  for (auto& p : to_stop) p->Stop();
  for (auto& [id, provider] : to_start) {
    provider->Start([this, id = id](RefreshReport r) { OnReport(id, std::move(r)); });
  }
  return ::ferry::Status::Ok();
}

void Manager::OnReport(uint64_t id, RefreshReport report) {
  std::string job, mechanism, config, log_error;
  {
    MutexLock l(mu_);
    auto it = slots_.find(id);
    if (it == slots_.end()) return;  // removed by a concurrent ApplyConfig
    Slot& s = *it->second;
    job = s.job;
    mechanism = s.mechanism;
    config = s.config;
    s.last_refresh = report.time;
    s.last_error = report.error;
    if (report.groups.has_value() && *report.groups != s.groups) {
      s.groups = std::move(*report.groups);
      dirty_[s.job] = true;
      cv_.NotifyAll();
    }
    const auto now = std::chrono::steady_clock::now();
    if (!report.error.empty() &&
        (report.error != s.logged_error || now - s.logged_at >= options_.error_log_interval)) {
      s.logged_error = report.error;
      s.logged_at = now;
      log_error = report.error;
    } else if (report.error.empty()) {
      s.logged_error.clear();
    }
  }
  if (mechanism == "file") metrics_->FileReadErrors(report.failures);
  if (mechanism == "http" && report.failures > 0) {
    metrics_->HttpFailures(report.failures);
    metrics_->RefreshFailure(mechanism, job);
  }
  if (!log_error.empty()) {
    log::Warn("discovery", "service discovery refresh failed, keeping the last good targets",
              {{"job", job}, {"config", config}, {"err", log_error}});
  }
}

void Manager::UpdateLoop() {
  for (;;) {
    struct Update {
      std::string job;
      std::vector<TargetGroup> groups;
      bool removed;
    };
    std::vector<Update> round;
    {
      MutexLock l(mu_);
      for (;;) {
        if (stopping_) return;
        if (dirty_.empty()) {
          cv_.Wait(mu_, [&]() FERRY_REQUIRES(mu_) { return stopping_ || !dirty_.empty(); });
          continue;
        }
        // New (never delivered) and removed jobs go at once; everything else
        // waits for the update interval.
        auto urgent = [&]() FERRY_REQUIRES(mu_) {
          if (stopping_) return true;  // wakes the wait; the loop then exits
          for (const auto& [name, unused] : dirty_) {
            auto it = jobs_.find(name);
            if (it == jobs_.end() || !it->second.delivered) return true;
          }
          return false;
        };
        const auto now = std::chrono::steady_clock::now();
        const auto due = last_round_ + options_.update_interval;
        if (now >= due || urgent()) break;
        cv_.WaitFor(mu_, due - now, urgent);
      }
      for (const auto& [name, unused] : dirty_) {
        auto it = jobs_.find(name);
        if (it == jobs_.end()) {
          round.push_back({name, {}, true});
        } else {
          it->second.delivered = true;
          round.push_back({name, JobGroups(it->second), false});
        }
      }
      dirty_.clear();
      last_round_ = std::chrono::steady_clock::now();
    }
    for (auto& [name, groups, removed] : round) {
      // The gauge first, so whoever reacts to the update sees it current.
      if (removed) {
        metrics_->RemoveJob(name);
      } else {
        metrics_->SetDiscoveredTargets(name, static_cast<double>(CountTargets(groups)));
      }
      on_update_(name, std::move(groups));
    }
  }
}

void Manager::Stop() {
  MutexLock apply(apply_mu_);
  if (!updater_.joinable()) return;
  std::vector<std::unique_ptr<Provider>> to_stop;
  {
    MutexLock l(mu_);
    stopped_ = true;
    for (auto& [id, slot] : slots_) {
      if (slot->provider != nullptr) to_stop.push_back(std::move(slot->provider));
    }
  }
  for (auto& p : to_stop) p->Stop();  // no report arrives after this
  {
    // Pending updates are dropped and jobs get no final empty list: at
    // shutdown the consumer stops on its own terms (Prometheus writes no
    // staleness markers when it shuts down).
    MutexLock l(mu_);
    jobs_.clear();
    slots_.clear();
    dirty_.clear();
    stopping_ = true;
  }
  cv_.NotifyAll();
  updater_.join();
}

std::vector<ProviderStatus> Manager::Status() const {
  MutexLock l(mu_);
  std::vector<ProviderStatus> out;
  for (const auto& [name, job] : jobs_) {
    for (uint64_t id : job.slots) {
      const Slot& s = *slots_.at(id);
      out.push_back({s.job, s.mechanism, s.config, s.last_refresh, s.last_error, s.groups});
    }
  }
  return out;
}

}  // namespace ferry::discovery
