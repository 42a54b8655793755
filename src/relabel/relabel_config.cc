#include "src/relabel/relabel_config.h"

#include <array>
#include <string>

#include "src/relabel/internal/regex.h"

namespace ferry::relabel {
namespace {

struct ActionEntry {
  Action action;
  std::string_view name;
};

constexpr std::array<ActionEntry, 11> kActions = {{
    {Action::kReplace, "replace"},
    {Action::kKeep, "keep"},
    {Action::kDrop, "drop"},
    {Action::kKeepEqual, "keepequal"},
    {Action::kDropEqual, "dropequal"},
    {Action::kHashMod, "hashmod"},
    {Action::kLabelMap, "labelmap"},
    {Action::kLabelDrop, "labeldrop"},
    {Action::kLabelKeep, "labelkeep"},
    {Action::kLowercase, "lowercase"},
    {Action::kUppercase, "uppercase"},
}};

// Go's strings.ToLower followed by a comparison: only ASCII letters can
// match an action name, so an ASCII fold is exact here (non-ASCII input
// never equals one of the names).
bool EqualsFoldAscii(std::string_view input, std::string_view lower_name) {
  if (input.size() != lower_name.size()) return false;
  for (size_t i = 0; i < input.size(); ++i) {
    char c = input[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower_name[i]) return false;
  }
  return true;
}

// Go %q for messages: a quoted, escaped string.
std::string Quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

const RelabelConfig& Defaults() {
  static const RelabelConfig kDefaults;
  return kDefaults;
}

Status Invalid(std::string msg) { return Status::InvalidArgument(std::move(msg)); }

}  // namespace

std::string_view ActionName(Action action) {
  for (const ActionEntry& e : kActions) {
    if (e.action == action) return e.name;
  }
  return "unknown";
}

Result<Action> ParseAction(std::string_view name) {
  for (const ActionEntry& e : kActions) {
    if (EqualsFoldAscii(name, e.name)) return e.action;
  }
  if (name.empty()) return Invalid("'action': relabel action cannot be empty");
  return Invalid("'action': unknown relabel action " + Quote(name));
}

Status Validate(const RelabelConfig& c) {
  const Action a = c.action;
  const std::string action(ActionName(a));
  const RelabelConfig& d = Defaults();
  if (action == "unknown") {
    return Invalid("'action': unknown relabel action " + std::to_string(static_cast<int>(a)));
  }

  // source_labels entries are model.LabelName values in Prometheus, each
  // checked when the YAML is read.
  for (size_t i = 0; i < c.source_labels.size(); ++i) {
    if (!internal::IsValidLabelName(c.source_labels[i])) {
      return Invalid("'source_labels[" + std::to_string(i) + "]': " + Quote(c.source_labels[i]) +
                     " is not a valid label name");
    }
  }

  std::unique_ptr<RE2> re = internal::CompileAnchored(c.regex);
  if (!re->ok()) {
    return Invalid("'regex' " + Quote(c.regex) + " does not compile: " + re->error());
  }
  if (internal::UsesAnyByteEscape(c.regex)) {
    return Invalid("'regex' " + Quote(c.regex) +
                   " does not compile: invalid escape sequence \\C (Go's regexp has none)");
  }

  if (a == Action::kHashMod && c.modulus == 0) {
    return Invalid("'modulus': relabel configuration for hashmod requires non-zero modulus");
  }
  const bool needs_target = a == Action::kReplace || a == Action::kHashMod ||
                            a == Action::kLowercase || a == Action::kUppercase ||
                            a == Action::kKeepEqual || a == Action::kDropEqual;
  if (needs_target && c.target_label.empty()) {
    return Invalid("'target_label': relabel configuration for " + action +
                   " action requires 'target_label' value");
  }
  const bool has_dollar = c.target_label.find('$') != std::string::npos;
  if (a == Action::kReplace && !has_dollar && !internal::IsValidLabelName(c.target_label)) {
    return Invalid("'target_label': " + Quote(c.target_label) + " is invalid 'target_label' for " +
                   action + " action");
  }
  if (a == Action::kReplace && has_dollar && !internal::IsValidRelabelTarget(c.target_label)) {
    return Invalid("'target_label': " + Quote(c.target_label) + " is invalid 'target_label' for " +
                   action + " action");
  }
  const bool case_or_equal = a == Action::kLowercase || a == Action::kUppercase ||
                             a == Action::kKeepEqual || a == Action::kDropEqual;
  if (case_or_equal && !internal::IsValidLabelName(c.target_label)) {
    return Invalid("'target_label': " + Quote(c.target_label) + " is invalid 'target_label' for " +
                   action + " action");
  }
  if (case_or_equal && c.replacement != d.replacement) {
    return Invalid("'replacement' can not be set for " + action + " action");
  }
  if (a == Action::kLabelMap && !internal::IsValidRelabelTarget(c.replacement)) {
    return Invalid("'replacement': " + Quote(c.replacement) + " is invalid 'replacement' for " +
                   action + " action");
  }
  if (a == Action::kHashMod && !internal::IsValidLabelName(c.target_label)) {
    return Invalid("'target_label': " + Quote(c.target_label) + " is invalid 'target_label' for " +
                   action + " action");
  }
  if (a == Action::kKeepEqual || a == Action::kDropEqual) {
    if (c.regex != d.regex || c.modulus != d.modulus || c.separator != d.separator ||
        c.replacement != d.replacement) {
      return Invalid(action +
                     " action requires only 'source_labels' and 'target_label', and no other "
                     "fields (regex, modulus, separator, replacement)");
    }
  }
  if (a == Action::kLabelDrop || a == Action::kLabelKeep) {
    if (!c.source_labels.empty() || c.target_label != d.target_label ||
        c.modulus != d.modulus || c.separator != d.separator || c.replacement != d.replacement) {
      return Invalid(action +
                     " action requires only 'regex', and no other fields (source_labels, "
                     "target_label, modulus, separator, replacement)");
    }
  }
  return Status::Ok();
}

}  // namespace ferry::relabel
