// The JSON (nlohmann) and YAML (yaml-cpp) adapters of group_decoder.h: their
// exceptions are caught here and turned into Status.
#include "src/discovery/group_decoder.h"

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "src/discovery/internal/text.h"

namespace ferry::discovery {
namespace {

using internal::IsValidUtf8;
using internal::LineCol;
using internal::Quote;

// Nesting allowed in a document. The schema needs 3 levels; the bound keeps
// hostile input from costing deep recursion anywhere.
constexpr int kMaxDepth = 64;

// Budget of targets plus labels per document. Without YAML aliases every
// target or label costs at least two bytes of input, so this bound only
// refuses alias bombs ("*a" repeated to expand one big list many times).
size_t EntryBudget(std::string_view doc) { return doc.size() + 16; }

// Depth of [ and { nesting outside strings, stopping once past "limit".
int JsonDepth(std::string_view doc, int limit) {
  int depth = 0, max_depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < doc.size(); ++i) {
    const char c = doc[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      max_depth = std::max(max_depth, ++depth);
      if (max_depth > limit) return max_depth;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return max_depth;
}

bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

class Builder {
 public:
  Builder(LabelNameRules rules, size_t budget) : rules_(rules), budget_(budget) {}

  // Each returns "" or the reason the item is refused.
  std::string AddTarget(TargetGroup* g, const std::string& target) {
    if (target.empty()) return "empty target address";
    if (!IsValidUtf8(target)) return "target " + Quote(target) + " is not valid UTF-8";
    if (!Spend()) return TooMany();
    g->targets.push_back(labels::Labels::Of({{kAddressLabel, target}}));
    return "";
  }
  std::string AddLabel(std::vector<labels::Label>* out, const std::string& name,
                       const std::string& value) {
    if (!IsValidLabelName(name, rules_)) return Quote(name) + " is not a valid label name";
    if (!IsValidUtf8(value)) return "value of label " + Quote(name) + " is not valid UTF-8";
    if (!Spend()) return TooMany();
    for (const labels::Label& l : *out) {
      if (l.name == name) return "duplicate label name " + Quote(name);
    }
    if (!value.empty()) out->push_back({name, value});  // empty means absent
    return "";
  }

 private:
  bool Spend() {
    if (budget_ == 0) return false;
    --budget_;
    return true;
  }
  static std::string TooMany() {
    return "more targets and labels than the document size allows (YAML alias expansion?)";
  }
  LabelNameRules rules_;
  size_t budget_;
};

std::string JsonType(const nlohmann::json& j) { return j.type_name(); }

Result<std::vector<TargetGroup>> DecodeJson(std::string_view doc, LabelNameRules rules) {
  if (JsonDepth(doc, kMaxDepth) > kMaxDepth) {
    return Status::InvalidArgument("JSON nesting deeper than " + std::to_string(kMaxDepth));
  }
  nlohmann::json root;
  try {
    root = nlohmann::json::parse(doc.begin(), doc.end());
  } catch (const nlohmann::json::parse_error& e) {
    const size_t byte = e.byte == 0 ? 0 : e.byte - 1;
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error ..."
    const size_t colon = what.find(": ", what.find("column"));
    if (colon != std::string::npos) what = what.substr(colon + 2);
    return Status::InvalidArgument(LineCol(doc, std::min(byte, doc.size())) + ": " + what);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("invalid JSON: ") + e.what());
  }
  std::vector<TargetGroup> out;
  if (root.is_null()) return out;
  if (!root.is_array()) {
    return Status::InvalidArgument("expected a JSON array of target groups, got " +
                                   JsonType(root));
  }
  Builder b(rules, EntryBudget(doc));
  for (size_t i = 0; i < root.size(); ++i) {
    const nlohmann::json& g = root[i];
    const std::string where = "group " + std::to_string(i) + ": ";
    if (g.is_null()) return Status::InvalidArgument(where + "nil target group item found");
    if (!g.is_object()) {
      return Status::InvalidArgument(where + "expected an object, got " + JsonType(g));
    }
    TargetGroup tg;
    std::vector<labels::Label> group_labels;
    // encoding/json matches field names case-insensitively and lets a later
    // duplicate win; nlohmann keeps one value per exact key.
    for (const auto& [key, value] : g.items()) {
      if (EqualsIgnoreAsciiCase(key, "targets")) {
        if (value.is_null()) continue;
        if (!value.is_array()) {
          return Status::InvalidArgument(where + "targets: expected an array, got " +
                                         JsonType(value));
        }
        tg.targets.clear();
        for (size_t t = 0; t < value.size(); ++t) {
          const std::string at = where + "targets[" + std::to_string(t) + "]: ";
          if (!value[t].is_string()) {
            return Status::InvalidArgument(at + "expected a string, got " + JsonType(value[t]));
          }
          if (std::string err = b.AddTarget(&tg, value[t].get<std::string>()); !err.empty()) {
            return Status::InvalidArgument(at + err);
          }
        }
      } else if (EqualsIgnoreAsciiCase(key, "labels")) {
        if (value.is_null()) continue;
        if (!value.is_object()) {
          return Status::InvalidArgument(where + "labels: expected an object, got " +
                                         JsonType(value));
        }
        group_labels.clear();
        for (const auto& [name, v] : value.items()) {
          std::string text;
          if (v.is_string()) {
            text = v.get<std::string>();
          } else if (!v.is_null()) {
            return Status::InvalidArgument(where + "labels: value of " + Quote(name) +
                                           ": expected a string, got " + JsonType(v));
          }
          if (std::string err = b.AddLabel(&group_labels, name, text); !err.empty()) {
            return Status::InvalidArgument(where + "labels: " + err);
          }
        }
      } else {
        return Status::InvalidArgument(where + "unknown field " + Quote(key));
      }
    }
    tg.labels = labels::Labels::FromUnsorted(std::move(group_labels));
    out.push_back(std::move(tg));
  }
  return out;
}

std::string At(const YAML::Node& n) {
  const YAML::Mark m = n.Mark();
  if (m.is_null()) return "";
  return std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) + ": ";
}

Status YamlError(const YAML::Node& n, const std::string& msg) {
  return Status::InvalidArgument(At(n) + msg);
}

// A scalar as a string; null scalars read as "" like Go's yaml.v2.
std::string ScalarText(const YAML::Node& n) { return n.IsNull() ? "" : n.Scalar(); }

Result<std::vector<TargetGroup>> DecodeYamlTree(const YAML::Node& root, LabelNameRules rules,
                                                size_t budget) {
  std::vector<TargetGroup> out;
  if (!root.IsDefined() || root.IsNull()) return out;
  if (!root.IsSequence()) return YamlError(root, "expected a list of target groups");
  Builder b(rules, budget);
  for (size_t i = 0; i < root.size(); ++i) {
    const YAML::Node g = root[i];
    if (g.IsNull()) return YamlError(g, "nil target group item found");
    if (!g.IsMap()) return YamlError(g, "target group must be a mapping");
    TargetGroup tg;
    std::vector<labels::Label> group_labels;
    bool seen_targets = false, seen_labels = false;
    for (const auto& kv : g) {
      const YAML::Node& key = kv.first;
      const YAML::Node& value = kv.second;
      if (!key.IsScalar()) return YamlError(key, "target group keys must be strings");
      const std::string& k = key.Scalar();
      if (k == "targets") {
        if (seen_targets) return YamlError(key, "key \"targets\" already set in map");
        seen_targets = true;
        if (value.IsNull()) continue;
        if (!value.IsSequence()) return YamlError(value, "targets must be a list of strings");
        for (const auto& t : value) {
          if (!t.IsScalar() && !t.IsNull()) return YamlError(t, "target must be a string");
          if (std::string err = b.AddTarget(&tg, ScalarText(t)); !err.empty()) {
            return YamlError(t, err);
          }
        }
      } else if (k == "labels") {
        if (seen_labels) return YamlError(key, "key \"labels\" already set in map");
        seen_labels = true;
        if (value.IsNull()) continue;
        if (!value.IsMap()) return YamlError(value, "labels must be a mapping");
        for (const auto& lv : value) {
          if (!lv.first.IsScalar()) return YamlError(lv.first, "label names must be strings");
          if (!lv.second.IsScalar() && !lv.second.IsNull()) {
            return YamlError(lv.second, "label value must be a string");
          }
          if (std::string err = b.AddLabel(&group_labels, lv.first.Scalar(),
                                           ScalarText(lv.second));
              !err.empty()) {
            return YamlError(lv.first, err);
          }
        }
      } else {
        return YamlError(key, "field " + k + " not found in type struct");
      }
    }
    tg.labels = labels::Labels::FromUnsorted(std::move(group_labels));
    out.push_back(std::move(tg));
  }
  return out;
}

Result<std::vector<TargetGroup>> DecodeYaml(std::string_view doc, LabelNameRules rules) {
  try {
    const YAML::Node root = YAML::Load(std::string(doc));
    return DecodeYamlTree(root, rules, EntryBudget(doc));
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null()) return Status::InvalidArgument("yaml: " + e.msg);
    return Status::InvalidArgument(std::to_string(e.mark.line + 1) + ":" +
                                   std::to_string(e.mark.column + 1) + ": yaml: " + e.msg);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("yaml: ") + e.what());
  }
}

}  // namespace

bool IsValidLabelName(std::string_view name, LabelNameRules rules) {
  if (name.empty()) return false;
  if (rules == LabelNameRules::kUtf8) return IsValidUtf8(name);
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && (i == 0 || c < '0' || c > '9')) return false;
  }
  return true;
}

Result<std::vector<TargetGroup>> DecodeTargetGroups(std::string_view document, GroupFormat format,
                                                    LabelNameRules rules) {
  if (document.size() > kMaxGroupDocumentBytes) {
    return Status::ResourceExhausted("document of " + std::to_string(document.size()) +
                                     " bytes exceeds the limit of " +
                                     std::to_string(kMaxGroupDocumentBytes));
  }
  return format == GroupFormat::kJson ? DecodeJson(document, rules) : DecodeYaml(document, rules);
}

}  // namespace ferry::discovery
