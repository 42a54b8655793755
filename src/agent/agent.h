// Agent: wires configuration, storage, HTTP and (as they land) discovery,
// scraping and shipping into one process, and owns their lifecycle.
//
// Start() loads and validates the configuration (refusing an invalid one),
// prepares the storage directory, and starts the HTTP server. Reload()
// swaps in a new configuration only when it is valid; a failed reload keeps
// the running one. Shutdown happens in the destructor, in reverse order of
// start: HTTP first (no new admin work), then the pipelines, then storage.
//
// Thread-safety: Reload(), config() and http_port() are thread-safe (the
// HTTP handlers call them); Start() and the destructor are called by the
// owning thread only.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "src/agent/self_metrics.h"
#include "src/agent/wal_metrics.h"
#include "src/base/mutex.h"
#include "src/base/status.h"
#include "src/config/config.h"
#include "src/http/router.h"
#include "src/http/server.h"
#include "src/replay/manager.h"
#include "src/httpclient/client.h"
#include "src/scrape/scrape_manager.h"
#include "src/ship/ship_manager.h"
#include "wal/wal.h"

namespace ferry::discovery {
class Manager;
struct TargetGroup;
}  // namespace ferry::discovery

namespace ferry::agent {

struct AgentOptions {
  // --config.file. Default: "prometheus.yml" (as Prometheus).
  std::string config_file = "prometheus.yml";
  // --storage.agent.path. Default: "data-agent/" (as Prometheus agent mode).
  std::string storage_path = "data-agent/";
  // --web.listen-address. Default: "0.0.0.0:9090". Port 0 picks a free port.
  std::string listen_address = "0.0.0.0:9090";
  // --web.enable-lifecycle: allow POST /-/reload and /-/quit. Default: false.
  bool enable_lifecycle = false;
  // --web.enable-admin-api. Default: false.
  bool enable_admin_api = false;
  // WAL settings (--wal.*, --storage.agent.retention.*).
  wal::Durability durability = wal::Durability::kInterval;
  std::chrono::milliseconds sync_interval{1000};
  // 0: no age limit for unshipped samples.
  std::chrono::milliseconds retention_max_time{0};
  std::chrono::milliseconds keep_shipped{std::chrono::hours(2)};
  // 0: a fraction of the volume (wal::Options::max_size_fraction).
  uint64_t wal_max_size = 0;
  // --storage.agent.wal-compression: compression of the samples' SSTs.
  wal::Compression wal_compression = wal::Compression::kNone;
  // --storage.remote.flush-deadline.
  std::chrono::milliseconds flush_deadline{60000};
  // Every flag with its effective value, for /api/v1/status/flags.
  std::vector<std::pair<std::string, std::string>> flags;
  // Called when /-/quit is requested (with lifecycle enabled). May be empty.
  std::function<void()> on_quit;
};

class Agent {
 public:
  // Returns a running agent, or kInvalidArgument for a bad configuration
  // (message "FILE:LINE:COL: ..."), kIOError for an unusable storage path,
  // kUnavailable when the listen address cannot be bound.
  static Result<std::unique_ptr<Agent>> Start(AgentOptions options);
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Re-reads the configuration file. On error the running configuration stays
  // in force, the failure is logged and counted, and the error returned.
  Status Reload();

  // The configuration in force. Never null.
  std::shared_ptr<const config::Config> config() const;

  int http_port() const { return server_ ? server_->port() : 0; }
  SelfMetrics& metrics() { return metrics_; }

 private:
  explicit Agent(AgentOptions options);
  Status OpenStorage();
  // Applies "cfg" to discovery, shipping and scraping, in that order; the
  // first failure stops before anything later changes.
  Status ApplyConfig(const config::Config& cfg);
  void OnTargetGroups(const std::string& job, std::vector<discovery::TargetGroup> groups);
  void RegisterRoutes();
  http::Response HandleTargets(const http::Request& req);
  http::Response HandleReload(const http::Request& req);
  http::Response HandleStatusConfig(const http::Request& req);
  http::Response HandleStatusFlags(const http::Request& req);

  const AgentOptions options_;
  SelfMetrics metrics_;
  WalLogListener wal_listener_;
  // Pipeline, in start order; destroyed in reverse.
  std::unique_ptr<wal::Wal> wal_;
  std::shared_ptr<WalCollector> wal_collector_;
  std::unique_ptr<httpclient::Client> client_;
  std::unique_ptr<scrape::ScrapeManager> scrape_;
  std::unique_ptr<discovery::Manager> discovery_;
  std::unique_ptr<ship::ShipManager> ship_;
  std::unique_ptr<replay::ReplayManager> replay_;
  http::Router router_;
  std::unique_ptr<http::HttpServer> server_;

  Mutex reload_mu_;  // serialises Reload(); held across the file read, never by handlers' readers
  mutable Mutex config_mu_;
  std::shared_ptr<const config::Config> config_ FERRY_GUARDED_BY(config_mu_);
};

}  // namespace ferry::agent
