#include "src/agent/agent.h"

#include <chrono>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "src/base/clock.h"
#include "src/base/log.h"
#include "src/config/dump.h"
#include "src/config/loader.h"

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
}  // namespace

Agent::Agent(AgentOptions options) : options_(std::move(options)) {}

Result<std::unique_ptr<Agent>> Agent::Start(AgentOptions options) {
  std::unique_ptr<Agent> agent(new Agent(std::move(options)));
  const AgentOptions& o = agent->options_;
  log::Info(kComponent, "loading configuration file", {{"filename", o.config_file}});
  FERRY_ASSIGN_OR_RETURN(config::Config cfg, config::LoadFile(o.config_file));
  {
    MutexLock l(agent->config_mu_);
    agent->config_ = std::make_shared<const config::Config>(std::move(cfg));
  }
  agent->metrics_.RecordReload(true, NowSeconds());
  log::Info(kComponent, "completed loading of configuration file", {{"filename", o.config_file}});

  FERRY_RETURN_IF_ERROR(PrepareStorage(o.storage_path));

  agent->RegisterRoutes();
  FERRY_ASSIGN_OR_RETURN(agent->server_, http::HttpServer::Start(o.listen_address, agent->router_));
  log::Info(kComponent, "listening", {{"address", o.listen_address},
                                      {"port", agent->server_->port()}});
  agent->metrics_.SetReady(true);
  log::Info(kComponent, "agent is ready to receive web requests");
  return agent;
}

Agent::~Agent() {
  metrics_.SetReady(false);
  if (server_) server_->Stop();
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
  if (!cfg.ok()) {
    metrics_.RecordReload(false, NowSeconds());
    log::Error(kComponent, "error reloading config",
               {{"filename", options_.config_file}, {"err", cfg.status().message()}});
    return cfg.status();
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
