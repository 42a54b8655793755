#include "src/cli/replay_command.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>

#include <nlohmann/json.hpp>

#include "src/base/clock.h"
#include "src/base/time_format.h"
#include "src/cli/time_arg.h"
#include "src/config/loader.h"
#include "src/httpclient/client.h"
#include "src/replay/manager.h"
#include "src/replay/request.h"
#include "wal/wal.h"

namespace ferry::cli {
namespace {

using replay::JobState;
using replay::JobStatus;
using std::chrono::milliseconds;

int Fail(const std::string& msg) {
  std::fprintf(stderr, "ferry replay: %s\n", msg.c_str());
  return 1;
}

// The job request as the admin API takes it, times made absolute here so
// that "-6h" means six hours before this command ran.
Result<std::string> RequestJson(const ReplayFlags& f) {
  const int64_t now = RealClock().NowMillis();
  if (f.from.empty()) return Status::InvalidArgument("--from is required");
  if (f.to.empty()) return Status::InvalidArgument("--to is required");
  Result<int64_t> from = ParseTimeArg(f.from, now);
  if (!from.ok()) return Status::InvalidArgument("--from: " + from.status().message());
  Result<int64_t> to = ParseTimeArg(f.to, now);
  if (!to.ok()) return Status::InvalidArgument("--to: " + to.status().message());
  nlohmann::json j;
  j["from"] = FormatRfc3339Millis(*from);
  j["to"] = FormatRfc3339Millis(*to);
  if (!f.match.empty()) j["match"] = f.match;
  auto opt = [&j](const char* k, const std::string& v) {
    if (!v.empty()) j[k] = v;
  };
  opt("remote_write_name", f.remote_write_name);
  opt("url", f.url);
  opt("bearer_token_file", f.bearer_token_file);
  opt("basic_auth_user", f.basic_auth_user);
  opt("basic_auth_password_file", f.basic_auth_password_file);
  opt("tls_ca_file", f.tls_ca_file);
  opt("tls_cert_file", f.tls_cert_file);
  opt("tls_key_file", f.tls_key_file);
  opt("tls_server_name", f.tls_server_name);
  opt("protocol", f.protocol);
  opt("skew", f.skew);
  if (f.tls_insecure_skip_verify) j["tls_insecure_skip_verify"] = true;
  if (f.rate != 0) j["rate"] = f.rate;
  if (f.shards != 0) j["shards"] = f.shards;
  if (f.dry_run) j["dry_run"] = true;
  // Validate locally for a precise message before touching anything.
  FERRY_RETURN_IF_ERROR(replay::ParseJobRequest(j.dump(), now).status());
  return j.dump();
}

// ---- progress output ------------------------------------------------------

std::string Human(double v, const char* unit) {
  const char* prefix[] = {"", "k", "M", "G", "T"};
  int p = 0;
  while (v >= 1000 && p < 4) {
    v /= 1000;
    ++p;
  }
  char buf[48];
  std::snprintf(buf, sizeof buf, p == 0 ? "%.0f %s%s" : "%.1f %s%s", v, prefix[p], unit);
  return buf;
}

class Progress {
 public:
  Progress() : tty_(isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()) {}
  void Show(const JobStatus& st) {
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double p = st.Progress();
    const uint64_t n = st.SamplesRead();
    if (!started_) {  // rate and ETA count from the first sight of the job
      started_ = true;
      first_samples_ = n;
      first_progress_ = p;
    }
    const double rate = secs > 0 && n >= first_samples_ ? static_cast<double>(n - first_samples_) / secs : 0;
    std::string eta = "?";
    if (p > first_progress_ && p < 1) {
      double left = secs / (p - first_progress_) * (1 - p);
      char buf[32];
      std::snprintf(buf, sizeof buf, "%d:%02d", static_cast<int>(left) / 60,
                    static_cast<int>(left) % 60);
      eta = buf;
    }
    if (tty_) {
      const int width = 24, fill = static_cast<int>(p * width);
      std::string bar(static_cast<size_t>(fill), '#');
      bar.resize(width, '-');
      std::fprintf(stderr, "\r[%s] %5.1f%%  %s  %s  %s  ETA %s  %s   ", bar.c_str(), p * 100,
                   Human(static_cast<double>(n), "samples").c_str(),
                   Human(static_cast<double>(st.counters.bytes_sent), "B").c_str(),
                   Human(rate, "samples/s").c_str(), eta.c_str(),
                   std::string(replay::StateName(st.state)).c_str());
    } else if (secs - last_line_ >= 2 || last_line_ < 0) {
      last_line_ = secs;
      std::fprintf(stderr,
                   "replay %s: state=%s progress=%.1f%% samples=%llu sent=%llu rejected=%llu "
                   "bytes=%llu rate=%.0f/s eta=%s\n",
                   st.id.c_str(), std::string(replay::StateName(st.state)).c_str(), p * 100,
                   static_cast<unsigned long long>(n),
                   static_cast<unsigned long long>(st.counters.samples_sent),
                   static_cast<unsigned long long>(st.counters.samples_rejected),
                   static_cast<unsigned long long>(st.counters.bytes_sent), rate, eta.c_str());
    }
  }
  void Done() {
    if (tty_) std::fprintf(stderr, "\n");
  }

 private:
  const bool tty_;
  const std::chrono::steady_clock::time_point start_;
  bool started_ = false;
  uint64_t first_samples_ = 0;
  double first_progress_ = 0;
  double last_line_ = -1;
};

int Summarize(const JobStatus& st) {
  const auto& c = st.counters;
  auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
  if (st.spec.dry_run) {
    std::printf("replay %s (dry run): %llu series, %llu samples would be sent\n", st.id.c_str(),
                u(c.series_matched), u(c.samples_matched));
  } else {
    std::printf(
        "replay %s %s: %llu samples accepted, %llu rejected, %llu already delivered, %llu dropped "
        "by relabeling; %llu retried; %llu bytes in %llu requests\n",
        st.id.c_str(), std::string(replay::StateName(st.state)).c_str(), u(c.samples_sent),
        u(c.samples_rejected), u(c.samples_already_delivered), u(c.samples_dropped),
        u(c.samples_retried), u(c.bytes_sent), u(c.requests));
  }
  if (c.records_lost > 0) {
    std::printf("  %llu records of the range were deleted by retention before they were read\n",
                u(c.records_lost));
  }
  if (!st.error.empty()) std::printf("  error: %s\n", st.error.c_str());
  if (c.samples_rejected > 0) {
    std::printf("  the receiver refused samples; last answer: %s\n"
                "  (see docs/replay.md: a Prometheus receiver refuses samples older than its newest\n"
                "  per series unless storage.tsdb.out_of_order_time_window covers them)\n",
                st.last_error.c_str());
  }
  switch (st.state) {
    case JobState::kDone: return c.samples_rejected > 0 ? 2 : 0;
    case JobState::kPaused: return 3;
    default: return 1;
  }
}

void PrintList(const std::vector<JobStatus>& jobs) {
  std::printf("%-9s %-9s %6s %12s %10s %10s  %s\n", "ID", "STATE", "DONE", "SENT", "REJECTED",
              "DRY-RUN", "RANGE / DESTINATION");
  for (const JobStatus& j : jobs) {
    std::string dest = j.spec.remote_write_name.empty() ? j.spec.url.url : j.spec.remote_write_name;
    std::printf("%-9s %-9s %5.1f%% %12llu %10llu %10s  %s .. %s %s -> %s\n", j.id.c_str(),
                std::string(replay::StateName(j.state)).c_str(), j.Progress() * 100,
                static_cast<unsigned long long>(j.counters.samples_sent),
                static_cast<unsigned long long>(j.counters.samples_rejected),
                j.spec.dry_run ? "yes" : "no", FormatRfc3339Millis(j.spec.from_ms).c_str(),
                FormatRfc3339Millis(j.spec.to_ms).c_str(), j.spec.match.c_str(), dest.c_str());
  }
}

// ---- against a running agent ------------------------------------------------

class AgentApi {
 public:
  explicit AgentApi(std::string base) : base_(std::move(base)), client_(httpclient::Client::Options{}) {
    while (!base_.empty() && base_.back() == '/') base_.pop_back();
  }
  ~AgentApi() { client_.Stop(); }
  // The "data" of a success answer, or the API's error.
  Result<nlohmann::json> Call(const std::string& method, const std::string& path,
                              const std::string& body = "") {
    httpclient::Request req;
    req.method = method;
    req.url = base_ + "/api/v1/admin/replay" + path;
    req.body = body;
    req.timeout = milliseconds(30000);
    if (!body.empty()) req.headers.push_back({"Content-Type", "application/json"});
    httpclient::Response r = client_.Do(std::move(req));
    if (!r.status.ok()) return Status::Unavailable(base_ + ": " + r.status.message());
    nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      return Status::Unavailable(base_ + ": HTTP " + std::to_string(r.http_status) +
                                 " without a JSON answer: " + r.body.substr(0, 200));
    }
    if (j.value("status", "") != "success") {
      return Status::InvalidArgument(j.value("errorType", "error") + ": " + j.value("error", ""));
    }
    return j["data"];
  }
  Result<JobStatus> Job(const std::string& method, const std::string& path,
                        const std::string& body = "") {
    FERRY_ASSIGN_OR_RETURN(nlohmann::json data, Call(method, path, body));
    return replay::StatusFromJson(data.dump());
  }

 private:
  std::string base_;
  httpclient::Client client_;
};

// ---- against a stopped agent's directory --------------------------------------

struct Offline {
  std::unique_ptr<wal::Wal> wal;
  std::shared_ptr<const config::Config> config;
  std::unique_ptr<replay::ReplayManager> manager;
  ~Offline() {
    if (manager) manager->Stop();
    manager.reset();
    if (wal) wal->Close().IgnoreError();
  }
};

Result<std::unique_ptr<Offline>> OpenOffline(const ReplayFlags& f, bool start_jobs) {
  auto o = std::make_unique<Offline>();
  if (!f.config_file.empty()) {
    FERRY_ASSIGN_OR_RETURN(config::Config cfg, config::LoadFile(f.config_file));
    o->config = std::make_shared<const config::Config>(std::move(cfg));
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(f.storage_path, ec)) {
    return Status::NotFound("no WAL at \"" + f.storage_path + "\" (see --storage.agent.path)");
  }
  wal::Options wo;
  wo.dir = f.storage_path;
  // Never delete anything from here: retention is the agent's business.
  wo.retention_interval = milliseconds(0);
  wo.max_age = milliseconds(0);
  Result<std::unique_ptr<wal::Wal>> w = wal::Wal::Open(wo);
  if (!w.ok()) {
    if (w.status().code() == StatusCode::kFailedPrecondition ||
        w.status().message().find("lock") != std::string::npos) {
      return Status::FailedPrecondition("the WAL in \"" + f.storage_path +
                                        "\" is in use (a running agent?): use --agent-url (" +
                                        w.status().message() + ")");
    }
    return w.status().WithContext("opening the WAL in " + f.storage_path);
  }
  o->wal = std::move(w).value();
  std::shared_ptr<const config::Config> cfg = o->config;
  FERRY_ASSIGN_OR_RETURN(o->manager, replay::ReplayManager::Open(replay::ManagerOptions{
                                         .wal = o->wal.get(),
                                         .config = [cfg] { return cfg; },
                                         .start_jobs = start_jobs}));
  return o;
}

int Follow(const std::function<Result<JobStatus>()>& poll, bool wait_in_poll) {
  Progress progress;
  for (;;) {
    Result<JobStatus> st = poll();
    if (!st.ok()) {
      progress.Done();
      return Fail(st.status().message());
    }
    progress.Show(*st);
    if (st->state != JobState::kPending && st->state != JobState::kRunning) {
      progress.Done();
      return Summarize(*st);
    }
    if (!wait_in_poll) {
      // Polling another process's HTTP API for progress, not synchronising.
      usleep(500'000);
    }
  }
}

int CheckWhere(const ReplayFlags& f) {
  if (f.agent_url.empty() == f.storage_path.empty()) {
    Fail("give exactly one of --agent-url (a running agent) and --storage.agent.path "
         "(a stopped agent's data directory)");
    return 1;
  }
  return 0;
}

}  // namespace

int RunReplay(const ReplayFlags& f) {
  if (CheckWhere(f) != 0) return 1;
  Result<std::string> body = RequestJson(f);
  if (!body.ok()) return Fail(body.status().message());
  if (!f.agent_url.empty()) {
    AgentApi api(f.agent_url);
    Result<JobStatus> st = api.Job("POST", "", *body);
    if (!st.ok()) return Fail(st.status().message());
    std::fprintf(stderr, "replay job %s submitted to %s\n", st->id.c_str(), f.agent_url.c_str());
    if (f.detach) {
      std::printf("%s\n", st->id.c_str());
      return 0;
    }
    const std::string id = st->id;
    return Follow([&] { return api.Job("GET", "/" + id); }, false);
  }
  Result<std::unique_ptr<Offline>> o = OpenOffline(f, true);
  if (!o.ok()) return Fail(o.status().message());
  Result<replay::JobSpec> spec = replay::ParseJobRequest(*body, RealClock().NowMillis());
  if (!spec.ok()) return Fail(spec.status().message());
  Result<JobStatus> st = (*o)->manager->Submit(*spec);
  if (!st.ok()) return Fail(st.status().message());
  std::fprintf(stderr, "replay job %s: records %llu..%llu of %s (interrupted? run `ferry replay "
                       "resume %s --storage.agent.path ...`)\n",
               st->id.c_str(), static_cast<unsigned long long>(st->start_seq),
               static_cast<unsigned long long>(st->end_seq), f.storage_path.c_str(),
               st->id.c_str());
  const std::string id = st->id;
  replay::ReplayManager& m = *(*o)->manager;
  return Follow([&] { return m.Wait(id, milliseconds(1000)); }, true);
}

int RunReplayControl(const ReplayFlags& f, const std::string& action) {
  if (CheckWhere(f) != 0) return 1;
  if (action != "list" && f.id.empty()) return Fail(action + ": give the job ID");
  if (!f.agent_url.empty()) {
    AgentApi api(f.agent_url);
    if (action == "list") {
      Result<nlohmann::json> data = api.Call("GET", "");
      if (!data.ok()) return Fail(data.status().message());
      std::vector<JobStatus> jobs;
      for (const auto& j : *data) {
        Result<JobStatus> st = replay::StatusFromJson(j.dump());
        if (st.ok()) jobs.push_back(*st);
      }
      PrintList(jobs);
      return 0;
    }
    Result<JobStatus> st = action == "status" ? api.Job("GET", "/" + f.id)
                           : action == "cancel" ? api.Job("DELETE", "/" + f.id)
                                                : api.Job("POST", "/" + f.id + "/" + action);
    if (!st.ok()) return Fail(st.status().message());
    if (action == "resume" && !f.detach) {
      return Follow([&] { return api.Job("GET", "/" + f.id); }, false);
    }
    PrintList({*st});
    return 0;
  }
  // Offline: only `resume` sends (in the foreground); the others change state.
  Result<std::unique_ptr<Offline>> o = OpenOffline(f, action == "resume");
  if (!o.ok()) return Fail(o.status().message());
  replay::ReplayManager& m = *(*o)->manager;
  if (action == "list") {
    PrintList(m.List());
    return 0;
  }
  Result<JobStatus> st = action == "status" ? m.Get(f.id)
                         : action == "pause"  ? m.Pause(f.id)
                         : action == "cancel" ? m.Cancel(f.id)
                                              : m.Resume(f.id);
  if (!st.ok()) return Fail(st.status().message());
  if (action == "resume") return Follow([&] { return m.Wait(f.id, milliseconds(1000)); }, true);
  PrintList({*st});
  return 0;
}

}  // namespace ferry::cli
