#include "src/ship/ship_manager.h"

#include <set>
#include <thread>

#include "src/base/log.h"

namespace ferry::ship {

namespace {
constexpr std::string_view kComponent = "remote";

// Stops every shipper in "list" at once, so the flush deadline is shared.
void StopAll(const std::vector<std::shared_ptr<Shipper>>& list) {
  std::vector<std::thread> threads;
  for (const auto& s : list) threads.emplace_back([s] { s->Stop(); });
  for (auto& t : threads) t.join();
}
}  // namespace

ShipManager::ShipManager(wal::Wal& wal, httpclient::Client& client,
                         prometheus::Registry& registry, ShipperOptions options)
    : wal_(wal), client_(client), options_(std::move(options)), families_(registry) {}

ShipManager::~ShipManager() { Stop(); }

ferry::Status ShipManager::ApplyConfig(const config::Config& cfg) {
  std::map<std::string, std::shared_ptr<const Endpoint>> wanted;
  for (size_t i = 0; i < cfg.remote_write.size(); ++i) {
    FERRY_ASSIGN_OR_RETURN(std::shared_ptr<const Endpoint> ep,
                           Endpoint::Compile(cfg.remote_write[i], cfg.global.external_labels, i));
    if (wanted.count(ep->identity) > 0) {
      return ferry::Status::InvalidArgument(
          "remote_write[" + std::to_string(i) + "] (url " + ep->config.url +
          "): duplicate remote write identity \"" + ep->identity +
          "\" (give the endpoints distinct names)");
    }
    wanted.emplace(ep->identity, std::move(ep));
  }

  MutexLock apply(apply_mu_);
  if (stopped_) return ferry::Status::FailedPrecondition("ship manager is stopped");
  std::vector<std::shared_ptr<Shipper>> to_stop;
  std::vector<std::shared_ptr<Shipper>> removed;
  std::vector<std::shared_ptr<const Endpoint>> to_start;
  {
    MutexLock l(mu_);
    for (auto it = shippers_.begin(); it != shippers_.end();) {
      auto w = wanted.find(it->first);
      if (w == wanted.end()) {
        removed.push_back(it->second);
        it = shippers_.erase(it);
      } else if (w->second->fingerprint != it->second->endpoint().fingerprint) {
        to_stop.push_back(it->second);
        to_start.push_back(w->second);
        it = shippers_.erase(it);
      } else {
        ++it;
      }
    }
    for (const auto& [id, ep] : wanted) {
      if (shippers_.count(id) == 0 &&
          std::find(to_start.begin(), to_start.end(), ep) == to_start.end()) {
        to_start.push_back(ep);
      }
    }
  }
  std::vector<std::shared_ptr<Shipper>> all_stop = to_stop;
  all_stop.insert(all_stop.end(), removed.begin(), removed.end());
  StopAll(all_stop);
  all_stop.clear();
  to_stop.clear();  // destroyed here, before their replacements register metrics

  ferry::Status first_error;
  for (const auto& s : removed) {
    const Endpoint& ep = s->endpoint();
    ferry::Status st = wal_.DeleteCursor(ep.CursorName());
    if (!st.ok() && !st.IsNotFound() && first_error.ok()) first_error = st;
    std::string prefix = MetaPrefix(ep.identity);
    Result<std::vector<std::pair<std::string, std::string>>> keys = wal_.ListMeta(prefix);
    if (keys.ok()) {
      for (const auto& [k, v] : *keys) wal_.DeleteMeta(prefix, k).IgnoreError();  // tidy only
    }
    log::Info(kComponent, "remote write endpoint removed",
              {{"remote_name", ep.identity}, {"url", ep.config.url}});
  }
  removed.clear();

  for (const auto& ep : to_start) {
    Result<std::unique_ptr<Shipper>> s = Shipper::Start(wal_, client_, families_, ep, options_);
    if (!s.ok()) {
      if (first_error.ok()) first_error = s.status().WithContext("starting " + ep->identity);
      continue;
    }
    log::Info(kComponent, "remote write endpoint started",
              {{"remote_name", ep->identity}, {"url", ep->config.url}});
    MutexLock l(mu_);
    shippers_[ep->identity] = std::shared_ptr<Shipper>(std::move(s).value());
  }
  return first_error;
}

void ShipManager::Stop() {
  MutexLock apply(apply_mu_);
  if (stopped_) return;
  stopped_ = true;
  std::vector<std::shared_ptr<Shipper>> all;
  {
    MutexLock l(mu_);
    for (auto& [id, s] : shippers_) all.push_back(s);
  }
  StopAll(all);
}

std::vector<ShipperStatus> ShipManager::Status() const {
  // Snapshots are taken under the lock (in-memory reads only) so that no
  // reference to a shipper outlives its removal from the map: a restarted
  // endpoint's new shipper shares its metric children (same labels), which
  // the old one removes when destroyed, so the old one must be gone first.
  std::vector<ShipperStatus> out;
  MutexLock l(mu_);
  for (const auto& [id, s] : shippers_) out.push_back(s->GetStatus());
  return out;
}

}  // namespace ferry::ship
