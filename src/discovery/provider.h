// Provider: one running discovery mechanism (one file_sd_configs or
// http_sd_configs entry of one job). Internal to the discovery module; the
// Manager owns providers and is the only caller.
//
// A provider refreshes on its own thread and reports every refresh through
// the ReportFn given to Start(): the time, the error text ("" when the
// refresh succeeded completely) and, when they changed, the COMPLETE groups
// it now provides (replacing everything it reported before). A failed
// refresh keeps the last good groups, so it reports no groups.
//
// [Threading] Start() and Stop() are called by one thread (the Manager).
// "report" runs on the provider's thread and never while the provider holds
// its own locks. After Stop() returns, "report" is never called again.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "src/discovery/target_group.h"

namespace ferry::discovery {

struct RefreshReport {
  std::chrono::system_clock::time_point time;
  // "" when the refresh succeeded; otherwise every problem, "; "-separated.
  std::string error;
  // Number of failed reads (files) or requests in this refresh.
  int failures = 0;
  // Set when the provider's groups changed.
  std::optional<std::vector<TargetGroup>> groups;
};

using ReportFn = std::function<void(RefreshReport)>;

class Provider {
 public:
  virtual ~Provider() = default;
  // Starts refreshing. The first refresh happens right away.
  virtual void Start(ReportFn report) = 0;
  // Stops and joins the provider's thread. Idempotent.
  virtual void Stop() = 0;
};

}  // namespace ferry::discovery
