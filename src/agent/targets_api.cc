#include "src/agent/targets_api.h"

#include <ctime>

#include <nlohmann/json.hpp>

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
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
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
