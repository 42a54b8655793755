// JSON for /api/v1/targets, in the shape Prometheus' API returns.
#pragma once

#include <string>
#include <vector>

#include "src/scrape/scrape_manager.h"

namespace ferry::agent {

// {"activeTargets":[...],"droppedTargets":[...]} (the "data" member).
std::string TargetsJson(const std::vector<scrape::TargetStatus>& active,
                        const std::vector<scrape::DroppedTarget>& dropped);

}  // namespace ferry::agent
