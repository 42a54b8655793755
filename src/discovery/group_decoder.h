// Decoding of the target group documents read by file_sd (JSON or YAML) and
// http_sd (JSON):
//
//   [ { "targets": ["host:9100", ...], "labels": { "name": "value", ... } }, ... ]
//
// with the rules of Prometheus' targetgroup.Group: unknown keys are errors,
// "targets" and "labels" may be missing or null, a null group is an error
// ("nil target group item found"), label names are validated. A null or
// empty YAML document is an empty list; an empty JSON document is an error,
// as Go's encoding/json has it. ferry additionally refuses empty target
// strings (Prometheus would drop each such target later with "no address").
//
// Errors name the place: "line:col: ..." for syntax errors and, in YAML, for
// every error; JSON semantic errors name the element ("group 2: labels: ...").
// Sources are left empty: the caller names them.
//
// Thread-safety: pure functions. Never throws, never crashes on input.
#pragma once

#include <string_view>
#include <vector>

#include "src/base/status.h"
#include "src/discovery/target_group.h"

namespace ferry::discovery {

enum class LabelNameRules {
  kUtf8,    // any non-empty valid UTF-8 (current Prometheus' default)
  kLegacy,  // [a-zA-Z_][a-zA-Z0-9_]*
};

enum class GroupFormat { kJson, kYaml };

// Largest document accepted (file or HTTP body). Larger ones are refused
// rather than read into memory.
inline constexpr size_t kMaxGroupDocumentBytes = 64 << 20;

Result<std::vector<TargetGroup>> DecodeTargetGroups(std::string_view document, GroupFormat format,
                                                    LabelNameRules rules);

// True if "name" is a valid label name under "rules".
bool IsValidLabelName(std::string_view name, LabelNameRules rules);

}  // namespace ferry::discovery
