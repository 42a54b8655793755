// RelabelConfig: one relabeling rule as written in prometheus.yml
// (relabel_configs, metric_relabel_configs, write_relabel_configs), with
// Prometheus' defaults. src/config fills it from YAML; src/relabel validates
// and compiles it. Plain value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/status.h"

namespace ferry::relabel {

enum class Action {
  kReplace,  // default
  kKeep,
  kDrop,
  kKeepEqual,
  kDropEqual,
  kHashMod,
  kLabelMap,
  kLabelDrop,
  kLabelKeep,
  kLowercase,
  kUppercase,
};

struct RelabelConfig {
  // Labels whose values are joined with "separator" to form the input.
  std::vector<std::string> source_labels;
  // Default: ";"
  std::string separator = ";";
  // RE2 syntax, fully anchored when applied ("^(?:" + regex + ")$").
  // Default: "(.*)"
  std::string regex = "(.*)";
  // Default: 0 (required > 0 for hashmod)
  uint64_t modulus = 0;
  // Required for replace, hashmod, lowercase, uppercase, keepequal, dropequal.
  std::string target_label;
  // Default: "$1"
  std::string replacement = "$1";
  // Default: replace
  Action action = Action::kReplace;
};

// "replace", "keep", ... as in prometheus.yml (lower case). Prometheus accepts
// the action name case-insensitively.
std::string_view ActionName(Action action);
Result<Action> ParseAction(std::string_view name);

// Checks "config" with Prometheus' rules (model/relabel Config.Validate and
// UnmarshalYAML): regex compiles, target_label present where required and a
// valid label name (or template for replace), modulus for hashmod, etc.
// Returns kInvalidArgument with a message naming the field, without file
// position: the caller (src/config) prefixes FILE:LINE:COL.
Status Validate(const RelabelConfig& config);

}  // namespace ferry::relabel
