// global: and relabel rules.
#include <cstdlib>
#include <set>

#include "src/config/internal/decode.h"

namespace ferry::config::internal {
namespace {

const std::vector<std::string>& KnownScrapeProtocols() {
  static const std::vector<std::string> kProtocols = {
      "OpenMetricsText0.0.1", "OpenMetricsText1.0.0", "PrometheusProto", "PrometheusText0.0.4",
      "PrometheusText1.0.0"};
  return kProtocols;
}

}  // namespace

Status ValidateScrapeProtocols(const Decoder& d, const YamlMark& at, const std::string& path,
                               const std::vector<std::string>& protocols,
                               std::string_view suffix) {
  if (protocols.empty()) {
    return d.Error(at, path, "scrape_protocols cannot be empty" + std::string(suffix));
  }
  std::set<std::string> seen;
  for (const std::string& p : protocols) {
    std::string lower;
    for (char c : p) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (!seen.insert(lower).second) {
      std::string all;
      for (const std::string& q : protocols) all += (all.empty() ? "" : " ") + q;
      return d.Error(at, path,
                     "duplicated protocol in scrape_protocols, got [" + all + "]" +
                         std::string(suffix));
    }
    bool known = false;
    for (const std::string& k : KnownScrapeProtocols()) known = known || k == p;
    if (!known) {
      std::string all;
      for (const std::string& k : KnownScrapeProtocols()) all += (all.empty() ? "" : " ") + k;
      return d.Error(at, path,
                     "scrape_protocols: unknown scrape protocol " + p + ", supported: [" + all +
                         "]" + std::string(suffix));
    }
  }
  return Status::Ok();
}

Status ReadNameValidation(Fields& f, NameValidation* out, bool* set) {
  std::string s;
  FERRY_RETURN_IF_ERROR(f.String("metric_name_validation_scheme", &s));
  if (set != nullptr) *set = !s.empty();
  if (s.empty()) return Status::Ok();
  if (s == "utf8") {
    *out = NameValidation::kUtf8;
  } else if (s == "legacy") {
    *out = NameValidation::kLegacy;
  } else {
    return f.decoder().Error(*f.Get("metric_name_validation_scheme"),
                             f.Sub("metric_name_validation_scheme"),
                             "unknown name validation method " + Quote(s) +
                                 ", must be either 'legacy' or 'utf8'");
  }
  return Status::Ok();
}

Status ReadEscapingScheme(Fields& f, std::string* out) {
  FERRY_RETURN_IF_ERROR(f.String("metric_name_escaping_scheme", out));
  if (out->empty() || *out == "allow-utf-8" || *out == "underscores" || *out == "dots" ||
      *out == "values") {
    return Status::Ok();
  }
  return f.decoder().Error(*f.Get("metric_name_escaping_scheme"),
                           f.Sub("metric_name_escaping_scheme"),
                           "unknown name escaping method specified, must be one of "
                           "'allow-utf-8', 'underscores', 'dots', or 'values', got " +
                               Quote(*out));
}

Status DecodeGlobal(const Decoder& d, const YamlNode& node, GlobalConfig* out) {
  *out = GlobalConfig();
  FERRY_ASSIGN_OR_RETURN(Fields f, Fields::Open(d, node, "global", "global config"));
  Duration interval{0}, timeout{0}, evaluation{0};
  FERRY_RETURN_IF_ERROR(f.Dur("scrape_interval", &interval));
  FERRY_RETURN_IF_ERROR(f.Dur("scrape_timeout", &timeout));
  FERRY_RETURN_IF_ERROR(f.Dur("evaluation_interval", &evaluation));
  FERRY_RETURN_IF_ERROR(f.Dur("rule_query_offset", &out->rule_query_offset));
  FERRY_RETURN_IF_ERROR(f.String("query_log_file", &out->query_log_file));
  FERRY_RETURN_IF_ERROR(f.String("scrape_failure_log_file", &out->scrape_failure_log_file));
  FERRY_RETURN_IF_ERROR(ReadNameValidation(f, &out->metric_name_validation_scheme, nullptr));
  FERRY_RETURN_IF_ERROR(ReadEscapingScheme(f, &out->metric_name_escaping_scheme));
  if (const YamlNode* n = f.Get("external_labels")) {
    FERRY_RETURN_IF_ERROR(d.ReadLabels(*n, f.Sub("external_labels"),
                                       out->metric_name_validation_scheme,
                                       &out->external_labels));
    // Prometheus' Load(): environment variables in values are expanded;
    // an unset variable expands to "".
    std::vector<labels::Label> expanded;
    for (const labels::Label& l : out->external_labels) {
      expanded.push_back({l.name, ExpandEnv(l.value, [](std::string_view name) {
                            const char* v = std::getenv(std::string(name).c_str());
                            return std::string(v != nullptr ? v : "");
                          })});
    }
    out->external_labels = labels::Labels::FromSorted(std::move(expanded));
  }
  const YamlNode* protocols = f.GetNonNull("scrape_protocols");
  if (protocols != nullptr) {
    FERRY_RETURN_IF_ERROR(d.ReadStringList(*protocols, f.Sub("scrape_protocols"),
                                           &out->scrape_protocols));
  }
  FERRY_RETURN_IF_ERROR(f.Bytes("body_size_limit", &out->body_size_limit));
  FERRY_RETURN_IF_ERROR(f.Uint("sample_limit", &out->sample_limit));
  FERRY_RETURN_IF_ERROR(f.Uint("target_limit", &out->target_limit));
  FERRY_RETURN_IF_ERROR(f.Uint("label_limit", &out->label_limit));
  FERRY_RETURN_IF_ERROR(f.Uint("label_name_length_limit", &out->label_name_length_limit));
  FERRY_RETURN_IF_ERROR(f.Uint("label_value_length_limit", &out->label_value_length_limit));
  FERRY_RETURN_IF_ERROR(f.Uint("keep_dropped_targets", &out->keep_dropped_targets));
  FERRY_RETURN_IF_ERROR(f.Bool("scrape_native_histograms", &out->scrape_native_histograms));
  FERRY_RETURN_IF_ERROR(
      f.Bool("convert_classic_histograms_to_nhcb", &out->convert_classic_histograms_to_nhcb));
  FERRY_RETURN_IF_ERROR(
      f.Bool("always_scrape_classic_histograms", &out->always_scrape_classic_histograms));
  FERRY_RETURN_IF_ERROR(f.Bool("extra_scrape_metrics", &out->extra_scrape_metrics));
  FERRY_RETURN_IF_ERROR(f.Finish());

  // GlobalConfig.UnmarshalYAML: interval first, then the timeout against it.
  out->scrape_interval = interval.count() != 0 ? interval : std::chrono::minutes(1);
  if (timeout > out->scrape_interval) {
    return d.Error(f.KeyMark("scrape_timeout"), f.Sub("scrape_timeout"),
                   "global scrape timeout greater than scrape interval");
  }
  out->scrape_timeout = timeout.count() != 0
                            ? timeout
                            : std::min<Duration>(std::chrono::seconds(10), out->scrape_interval);
  out->evaluation_interval = evaluation.count() != 0 ? evaluation : std::chrono::minutes(1);
  if (protocols != nullptr) {
    FERRY_RETURN_IF_ERROR(ValidateScrapeProtocols(d, protocols->mark, f.Sub("scrape_protocols"),
                                                  out->scrape_protocols, " for global config"));
  }
  return Status::Ok();
}

Status DecodeRelabelConfigs(const Decoder& d, const YamlNode& node, const std::string& path,
                            NameValidation scheme, std::string_view null_message,
                            std::vector<relabel::RelabelConfig>* out) {
  FERRY_RETURN_IF_ERROR(d.RequireSequence(node, path));
  out->clear();
  for (size_t i = 0; i < node.items.size(); ++i) {
    const YamlNode& item = node.items[i];
    const std::string p = IndexPath(path, i);
    if (item.IsNull()) return d.Error(item, p, null_message);
    FERRY_ASSIGN_OR_RETURN(Fields f, Fields::Open(d, item, p, "relabel config"));
    relabel::RelabelConfig rc;
    if (const YamlNode* n = f.Get("source_labels")) {
      FERRY_RETURN_IF_ERROR(d.ReadStringList(*n, f.Sub("source_labels"), &rc.source_labels));
      for (size_t k = 0; k < rc.source_labels.size(); ++k) {
        if (!IsValidLabelName(rc.source_labels[k], scheme)) {
          return d.Error(n->items[k], IndexPath(f.Sub("source_labels"), k),
                         Quote(rc.source_labels[k]) + " is not a valid label name");
        }
      }
    }
    FERRY_RETURN_IF_ERROR(f.String("separator", &rc.separator));
    FERRY_RETURN_IF_ERROR(f.String("regex", &rc.regex));
    FERRY_RETURN_IF_ERROR(f.Uint("modulus", &rc.modulus));
    FERRY_RETURN_IF_ERROR(f.String("target_label", &rc.target_label));
    FERRY_RETURN_IF_ERROR(f.String("replacement", &rc.replacement));
    if (const YamlNode* n = f.GetNonNull("action")) {
      std::string action;
      FERRY_RETURN_IF_ERROR(d.ReadString(*n, f.Sub("action"), &action));
      Result<relabel::Action> a = relabel::ParseAction(action);
      if (!a.ok()) return d.Error(*n, f.Sub("action"), a.status().message());
      rc.action = *a;
    }
    FERRY_RETURN_IF_ERROR(f.Finish());
    if (Status s = relabel::Validate(rc); !s.ok()) return d.Error(item, p, s.message());
    out->push_back(std::move(rc));
  }
  return Status::Ok();
}

}  // namespace ferry::config::internal
