// Internal to src/relabel: one rule after compilation, and the per-action
// functions that apply it.
//
// Thread-safety: a CompiledRule is immutable after Compile(); Apply() keeps
// its scratch space in thread_local buffers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <re2/re2.h>

#include "src/base/status.h"
#include "src/labels/labels.h"
#include "src/relabel/internal/template.h"
#include "src/relabel/relabel_config.h"

namespace ferry::relabel::internal {

struct CompiledRule {
  Action action = Action::kReplace;
  std::vector<std::string> source_labels;
  std::string separator;
  std::unique_ptr<RE2> re;     // "^(?:regex)$"
  bool default_regex = false;  // regex is "(.*)": enables the replace fast path
  uint64_t modulus = 0;
  std::string target_label;      // raw text
  ExpandTemplate target;         // target_label as a template (replace)
  ExpandTemplate replacement;    // replacement as a template (replace, labelmap)
  int submatches = 0;            // submatch entries the templates read
  // When set, every string "re" matches lies in [range_min, range_max]
  // (RE2::PossibleMatchRange), so strings outside are rejected without
  // running the regex: most label names never reach RE2 in a labelmap of
  // "__meta_kubernetes_pod_label_(.+)".
  bool has_range = false;
  std::string range_min, range_max;

  // Go's MatchString on the anchored regex.
  [[nodiscard]] bool Matches(std::string_view s) const;

  // Builds the rule. REQUIRES: Validate(config).ok().
  static Result<std::unique_ptr<CompiledRule>> Build(const RelabelConfig& config);

  // Applies the rule to "*lb"; returns false when it drops the set.
  [[nodiscard]] bool Apply(labels::LabelsBuilder* lb) const;
};

}  // namespace ferry::relabel::internal
