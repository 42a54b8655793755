// TargetGroup: one group of scrape targets, as Prometheus' targetgroup.Group.
//
// Each target is a label set holding at least __address__ (plus per-target
// labels such as __meta_*); "labels" apply to every target of the group;
// "source" names the group uniquely within its discovery mechanism ("0" for
// static_configs[0], "<file>:<index>" for file_sd, "<url>:<index>" for http_sd).
//
// Thread-safety: a plain value type.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "src/labels/labels.h"

namespace ferry::discovery {

inline constexpr std::string_view kAddressLabel = "__address__";
// Added by file_sd to every group's labels: the file it was read from.
inline constexpr std::string_view kFilepathLabel = "__meta_filepath";
// Added by http_sd to every group's labels: the URL it was fetched from.
inline constexpr std::string_view kUrlLabel = "__meta_url";

struct TargetGroup {
  std::string source;
  std::vector<labels::Labels> targets;
  labels::Labels labels;

  friend bool operator==(const TargetGroup&, const TargetGroup&) = default;
};

}  // namespace ferry::discovery
