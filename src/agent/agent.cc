#include "src/agent/agent.h"

#include <chrono>
#include <filesystem>

#include <nlohmann/json.hpp>

#include <unistd.h>

#include "src/agent/targets_api.h"
#include "src/agent/version.h"
#include "src/base/clock.h"
#include "src/base/log.h"
#include "src/config/dump.h"
#include "src/config/loader.h"
#include "src/discovery/manager.h"
#include "src/parse/parser.h"
#include "src/remote/types.h"
#include "src/replay/admin_api.h"

namespace ferry::agent {
namespace {
constexpr std::string_view kComponent = "agent";

double NowSeconds() {
  return std::chrono::duration<double>(RealClock().SystemNow().time_since_epoch()).count();
}

Status PrepareStorage(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) {
    return Status::IOError("cannot create storage directory \"" + path + "\": " + ec.message());
  }
  return Status::Ok();
}

// scrape's metadata (parse::MetricType) as remote write 1.0 entries. The
// enumerators correspond one to one, as Prometheus maps type names to
// prompb.MetricMetadata_MetricType by their upper-case spelling.
std::vector<remote::MetricMetadata> ToRemoteMetadata(std::vector<scrape::MetricMetadata> in) {
  std::vector<remote::MetricMetadata> out;
  out.reserve(in.size());
  for (scrape::MetricMetadata& m : in) {
    remote::MetricMetadata r;
    switch (m.type) {
      case parse::MetricType::kUnknown: r.type = remote::MetricType::kUnknown; break;
      case parse::MetricType::kCounter: r.type = remote::MetricType::kCounter; break;
      case parse::MetricType::kGauge: r.type = remote::MetricType::kGauge; break;
      case parse::MetricType::kHistogram: r.type = remote::MetricType::kHistogram; break;
      case parse::MetricType::kGaugeHistogram: r.type = remote::MetricType::kGaugeHistogram; break;
      case parse::MetricType::kSummary: r.type = remote::MetricType::kSummary; break;
      case parse::MetricType::kInfo: r.type = remote::MetricType::kInfo; break;
      case parse::MetricType::kStateset: r.type = remote::MetricType::kStateSet; break;
    }
    r.metric_family_name = std::move(m.family);
    r.help = std::move(m.help);
    r.unit = std::move(m.unit);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

Agent::Agent(AgentOptions options) : options_(std::move(options)) {}

Result<std::unique_ptr<Agent>> Agent::Start(AgentOptions options) {
  std::unique_ptr<Agent> agent(new Agent(std::move(options)));
  const AgentOptions& o = agent->options_;
  log::Info(kComponent, "loading configuration file", {{"filename", o.config_file}});
  FERRY_ASSIGN_OR_RETURN(config::Config cfg, config::LoadFile(o.config_file));

  FERRY_RETURN_IF_ERROR(PrepareStorage(o.storage_path));
  FERRY_RETURN_IF_ERROR(agent->OpenStorage());

  agent->client_ = std::make_unique<httpclient::Client>(httpclient::Client::Options{
      .user_agent = "ferry/" + std::string(kVersion)});
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  agent->scrape_ = std::make_unique<scrape::ScrapeManager>(
      *agent->wal_, *agent->client_,
      scrape::ScrapeManagerOptions{.user_agent = "ferry/" + std::string(kVersion), .hostname = host});
  // metadata_config: what the scrape caches hold, for RW 1.0 endpoints.
  // Shipping stops before scraping is destroyed (member order).
  scrape::ScrapeManager* scraper = agent->scrape_.get();
  agent->ship_ = std::make_unique<ship::ShipManager>(
      *agent->wal_, *agent->client_, agent->metrics_.registry(),
      ship::ShipperOptions{.flush_deadline = o.flush_deadline,
                           .metadata_source = [scraper] {
                             return ToRemoteMetadata(scraper->ListMetadata());
                           }});
  Agent* raw = agent.get();
  agent->discovery_ = std::make_unique<discovery::Manager>(
      *agent->client_,
      [raw](const std::string& job, std::vector<discovery::TargetGroup> groups) {
        raw->OnTargetGroups(job, std::move(groups));
      },
      nullptr, &agent->metrics_.registry());

  FERRY_RETURN_IF_ERROR(agent->ApplyConfig(cfg));
  {
    MutexLock l(agent->config_mu_);
    agent->config_ = std::make_shared<const config::Config>(std::move(cfg));
  }
  agent->metrics_.RecordReload(true, NowSeconds());
  log::Info(kComponent, "completed loading of configuration file", {{"filename", o.config_file}});

  // Replay on demand: resumes unfinished jobs of this WAL; remote_write
  // names resolve against the configuration in force when a job starts.
  FERRY_ASSIGN_OR_RETURN(agent->replay_,
                         replay::ReplayManager::Open(replay::ManagerOptions{
                             .wal = agent->wal_.get(), .config = [raw] { return raw->config(); }}));
  agent->metrics_.AddCollectable(agent->replay_->collector());

  agent->RegisterRoutes();
  FERRY_ASSIGN_OR_RETURN(agent->server_, http::HttpServer::Start(o.listen_address, agent->router_));
  log::Info(kComponent, "listening", {{"address", o.listen_address},
                                      {"port", agent->server_->port()}});
  agent->metrics_.SetReady(true);
  log::Info(kComponent, "agent is ready to receive web requests");
  return agent;
}

Status Agent::OpenStorage() {
  wal::Options wo;
  wo.dir = options_.storage_path;
  wo.durability = options_.durability;
  wo.sync_interval = options_.sync_interval;
  wo.max_age = options_.retention_max_time;
  wo.keep_shipped = options_.keep_shipped;
  wo.max_size = options_.wal_max_size;
  wo.samples_compression = options_.wal_compression;
  wo.listener = &wal_listener_;
  auto start = RealClock().MonotonicNow();
  auto opened = wal::Wal::Open(wo);
  if (!opened.ok()) return opened.status().WithContext("opening WAL in " + options_.storage_path);
  wal_ = std::move(opened).value();
  wal_collector_ = std::make_shared<WalCollector>(*wal_);
  metrics_.AddCollectable(wal_collector_);
  auto stats = wal_->GetStats();
  log::Info(kComponent, "wal opened",
            {{"dir", options_.storage_path}, {"series", stats.series},
             {"last_sequence", stats.last_sequence},
             {"duration", std::to_string(std::chrono::duration<double>(
                                             RealClock().MonotonicNow() - start).count()) + "s"}});
  return Status::Ok();
}

Status Agent::ApplyConfig(const config::Config& cfg) {
  // Discovery first: it refuses mechanisms ferry lacks (the likeliest
  // failure) before anything changes. Shipping validates every endpoint
  // before changing any. Scraping keeps target lists of jobs it does not
  // know yet, so this order loses no update.
  FERRY_RETURN_IF_ERROR(discovery_->ApplyConfig(cfg));
  FERRY_RETURN_IF_ERROR(ship_->ApplyConfig(cfg));
  FERRY_RETURN_IF_ERROR(scrape_->ApplyConfig(cfg));
  return Status::Ok();
}

void Agent::OnTargetGroups(const std::string& job, std::vector<discovery::TargetGroup> groups) {
  // Prometheus' targetsFromGroup: group labels apply unless the target sets
  // the same name.
  std::vector<labels::Labels> targets;
  for (const discovery::TargetGroup& g : groups) {
    for (const labels::Labels& t : g.targets) {
      labels::LabelsBuilder lb(g.labels);
      for (const labels::Label& l : t) lb.Set(l.name, l.value);
      targets.push_back(lb.Build());
    }
  }
  scrape_->UpdateTargets(job, std::move(targets));
}

Agent::~Agent() {
  metrics_.SetReady(false);
  if (server_) server_->Stop();
  // Replay jobs keep their progress and resume at the next start.
  if (replay_) replay_->Stop();
  if (discovery_) discovery_->Stop();
  if (scrape_) scrape_->Stop();
  // Flushes within --storage.remote.flush-deadline and persists cursors;
  // what is not acknowledged stays in the WAL for the next start.
  if (ship_) ship_->Stop();
  if (client_) client_->Stop();
  if (wal_) {
    Status s = wal_->Close();
    if (!s.ok()) log::Error(kComponent, "closing the WAL failed", {{"err", s.message()}});
  }
  log::Info(kComponent, "agent stopped");
}

std::shared_ptr<const config::Config> Agent::config() const {
  MutexLock l(config_mu_);
  return config_;
}

Status Agent::Reload() {
  MutexLock reload_lock(reload_mu_);
  auto start = RealClock().MonotonicNow();
  log::Info(kComponent, "loading configuration file", {{"filename", options_.config_file}});
  Result<config::Config> cfg = config::LoadFile(options_.config_file);
  Status applied = cfg.ok() ? ApplyConfig(*cfg) : cfg.status();
  if (!applied.ok()) {
    metrics_.RecordReload(false, NowSeconds());
    log::Error(kComponent, "error reloading config",
               {{"filename", options_.config_file}, {"err", applied.message()}});
    return applied;
  }
  {
    MutexLock l(config_mu_);
    config_ = std::make_shared<const config::Config>(std::move(cfg).value());
  }
  metrics_.RecordReload(true, NowSeconds());
  auto took = std::chrono::duration<double>(RealClock().MonotonicNow() - start).count();
  log::Info(kComponent, "completed loading of configuration file",
            {{"filename", options_.config_file}, {"totalDuration", std::to_string(took) + "s"}});
  return Status::Ok();
}

void Agent::RegisterRoutes() {
  router_.Add({"GET"}, "/-/healthy",
              [](const http::Request&) { return http::Response::Text(200, "Ferry Agent is Healthy.\n"); });
  router_.Add({"GET"}, "/-/ready", [this](const http::Request&) {
    // Start() registers routes before the server accepts requests and only
    // returns once everything is up, so a served request means ready.
    return http::Response::Text(200, "Ferry Agent is Ready.\n");
  });
  router_.Add({"POST", "PUT"}, "/-/reload",
              [this](const http::Request& r) { return HandleReload(r); });
  router_.Add({"POST", "PUT"}, "/-/quit", [this](const http::Request&) {
    if (!options_.enable_lifecycle) return http::Response::Text(403, "Lifecycle API is not enabled.");
    if (options_.on_quit) options_.on_quit();
    return http::Response::Text(200, "Requesting termination... Goodbye!");
  });
  router_.Add({"GET"}, "/metrics", [this](const http::Request&) {
    http::Response r = http::Response::Text(200, metrics_.Serialize());
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    return r;
  });
  router_.Add({"GET"}, "/api/v1/status/config",
              [this](const http::Request& r) { return HandleStatusConfig(r); });
  router_.Add({"GET"}, "/api/v1/status/flags",
              [this](const http::Request& r) { return HandleStatusFlags(r); });
  router_.Add({"GET"}, "/api/v1/targets",
              [this](const http::Request& r) { return HandleTargets(r); });
  replay::RegisterAdminRoutes(router_, replay_.get(), options_.enable_admin_api,
                              [] { return RealClock().NowMillis(); });
}

http::Response Agent::HandleReload(const http::Request&) {
  if (!options_.enable_lifecycle) return http::Response::Text(403, "Lifecycle API is not enabled.");
  Status s = Reload();
  if (!s.ok()) return http::Response::Text(500, "failed to reload config: " + s.message());
  return http::Response::Text(200, "");
}

http::Response Agent::HandleStatusConfig(const http::Request&) {
  nlohmann::json data = {{"yaml", config::ToYaml(*config())}};
  return http::Response::Json(200, http::ApiSuccess(data.dump()));
}

http::Response Agent::HandleStatusFlags(const http::Request&) {
  nlohmann::json data = nlohmann::json::object();
  for (const auto& [k, v] : options_.flags) data[k] = v;
  return http::Response::Json(200, http::ApiSuccess(data.dump()));
}

}  // namespace ferry::agent

namespace ferry::agent {

http::Response Agent::HandleTargets(const http::Request& req) {
  std::string state = req.Param("state");
  if (state.empty()) state = "any";
  if (state != "any" && state != "active" && state != "dropped") {
    return http::ApiError(400, "bad_data", "invalid state \"" + state + "\"");
  }
  return http::Response::Json(
      200, http::ApiSuccess(TargetsJson(state == "dropped" ? std::vector<scrape::TargetStatus>{}
                                                             : scrape_->ActiveTargets(),
                                        state == "active" ? std::vector<scrape::DroppedTarget>{}
                                                          : scrape_->DroppedTargets())));
}

}  // namespace ferry::agent
