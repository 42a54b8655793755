// Building and comparing the per-job settings of a scrape pool.
#pragma once

#include <memory>
#include <string>

#include "src/base/status.h"
#include "src/config/config.h"
#include "src/scrape/scrape_loop.h"

namespace ferry::scrape {

// Compiles the job's relabel rules, HTTP client options and Accept header.
Result<std::shared_ptr<const PoolSettings>> BuildPoolSettings(const config::ScrapeConfig& cfg,
                                                              const std::string& user_agent);

// A string that changes whenever anything in "cfg" changes, secrets included.
std::string Fingerprint(const config::ScrapeConfig& cfg);

// True when "a" and "b" turn the same body into the same samples: labels
// handling, timestamps, limits, metric relabeling and protocol fallback.
bool SameSampleSettings(const config::ScrapeConfig& a, const config::ScrapeConfig& b);

}  // namespace ferry::scrape
