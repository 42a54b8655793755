#include "src/agent/targets_api.h"

#include <nlohmann/json.hpp>

#include "src/base/time_format.h"
#include "src/config/duration.h"

namespace ferry::agent {
namespace {

nlohmann::json LabelsJson(const labels::Labels& l) {
  nlohmann::json j = nlohmann::json::object();
  for (const labels::Label& x : l) j[x.name] = x.value;
  return j;
}

std::string Rfc3339(int64_t ms) {
  if (ms <= 0) return "0001-01-01T00:00:00Z";  // Go's zero time, as Prometheus prints it
  return FormatRfc3339Millis(ms);
}

}  // namespace

std::string TargetsJson(const std::vector<scrape::TargetStatus>& active,
                        const std::vector<scrape::DroppedTarget>& dropped) {
  nlohmann::json a = nlohmann::json::array();
  for (const scrape::TargetStatus& t : active) {
    a.push_back({{"discoveredLabels", LabelsJson(t.target.discovered_labels)},
                 {"labels", LabelsJson(t.target.SampleLabels())},
                 {"scrapePool", t.job},
                 {"scrapeUrl", t.target.url},
                 {"globalUrl", t.target.url},
                 {"lastError", t.last_error},
                 {"lastScrape", Rfc3339(t.last_scrape_ms)},
                 {"lastScrapeDuration", t.last_duration_seconds},
                 {"health", t.health},
                 {"scrapeInterval", config::FormatDuration(t.target.interval)},
                 {"scrapeTimeout", config::FormatDuration(t.target.timeout)}});
  }
  nlohmann::json d = nlohmann::json::array();
  for (const scrape::DroppedTarget& t : dropped) {
    d.push_back({{"discoveredLabels", LabelsJson(t.discovered_labels)}});
  }
  nlohmann::json out = {{"activeTargets", a}, {"droppedTargets", d}};
  return out.dump();
}

}  // namespace ferry::agent
