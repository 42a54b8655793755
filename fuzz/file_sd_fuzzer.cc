// Fuzzes the file_sd / http_sd target group decoder (group_decoder.h). The
// first byte picks the format (even: JSON, odd: YAML) and the label name
// rules (bit 1: legacy); the rest is the document. Any bytes must give
// groups or an InvalidArgument / ResourceExhausted status, never a crash, an
// escaped exception or a hang. Accepted groups must be well formed (non-empty
// __address__, valid names, no empty values, sorted unique labels) and must
// survive a round trip: encoded as JSON and decoded again, they are equal.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "src/discovery/group_decoder.h"

namespace {

using ferry::discovery::DecodeTargetGroups;
using ferry::discovery::GroupFormat;
using ferry::discovery::LabelNameRules;
using ferry::discovery::TargetGroup;

void Check(bool ok) {
  if (!ok) std::abort();
}

void CheckLabels(const ferry::labels::Labels& ls, LabelNameRules rules) {
  for (size_t i = 0; i < ls.size(); ++i) {
    Check(ferry::discovery::IsValidLabelName(ls[i].name, rules) || ls[i].name == "__address__");
    Check(!ls[i].value.empty());
    if (i > 0) Check(ls[i - 1].name < ls[i].name);
  }
}

std::string ToJson(const std::vector<TargetGroup>& groups) {
  nlohmann::json out = nlohmann::json::array();
  for (const TargetGroup& g : groups) {
    nlohmann::json j;
    j["targets"] = nlohmann::json::array();
    for (const auto& t : g.targets) j["targets"].push_back(std::string(t.Get("__address__")));
    j["labels"] = nlohmann::json::object();
    for (const auto& l : g.labels) j["labels"][l.name] = l.value;
    out.push_back(std::move(j));
  }
  return out.dump();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const GroupFormat format = (data[0] & 1) != 0 ? GroupFormat::kYaml : GroupFormat::kJson;
  const LabelNameRules rules = (data[0] & 2) != 0 ? LabelNameRules::kLegacy : LabelNameRules::kUtf8;
  const std::string_view doc(reinterpret_cast<const char*>(data + 1), size - 1);
  ferry::Result<std::vector<TargetGroup>> r = DecodeTargetGroups(doc, format, rules);
  if (!r.ok()) {
    Check(r.status().IsInvalidArgument() || r.status().IsResourceExhausted());
    Check(!r.status().message().empty());
    return 0;
  }
  for (const TargetGroup& g : r.value()) {
    Check(g.source.empty());
    CheckLabels(g.labels, rules);
    for (const auto& t : g.targets) {
      Check(t.size() == 1 && !t.Get("__address__").empty());
    }
  }
  const std::string json = ToJson(r.value());
  ferry::Result<std::vector<TargetGroup>> again =
      DecodeTargetGroups(json, GroupFormat::kJson, rules);
  Check(again.ok());
  Check(again.value() == r.value());
  return 0;
}
