// scrape_configs[i]: Prometheus' ScrapeConfig.UnmarshalYAML and Validate.
#include <set>

#include "src/config/internal/decode.h"

namespace ferry::config::internal {
namespace {

// Service discovery mechanisms Prometheus knows but ferry does not implement:
// refused by name rather than as unknown fields.
bool IsUnsupportedSd(std::string_view key) {
  static const std::set<std::string_view> kKnown = {
      "azure_sd_configs",     "consul_sd_configs",     "digitalocean_sd_configs",
      "docker_sd_configs",    "dockerswarm_sd_configs", "dns_sd_configs",
      "ec2_sd_configs",       "eureka_sd_configs",     "gce_sd_configs",
      "hetzner_sd_configs",   "ionos_sd_configs",      "kuma_sd_configs",
      "lightsail_sd_configs", "linode_sd_configs",     "marathon_sd_configs",
      "nerve_sd_configs",     "nomad_sd_configs",      "openstack_sd_configs",
      "ovhcloud_sd_configs",  "puppetdb_sd_configs",   "scaleway_sd_configs",
      "serverset_sd_configs", "triton_sd_configs",     "uyuni_sd_configs",
      "vultr_sd_configs",     "stackit_sd_configs"};
  return kKnown.count(key) != 0;
}

Status DecodeStaticConfigs(const Decoder& d, const YamlNode& node, const std::string& path,
                           NameValidation scheme, std::vector<TargetGroup>* out) {
  FERRY_RETURN_IF_ERROR(d.RequireSequence(node, path));
  for (size_t i = 0; i < node.items.size(); ++i) {
    const std::string p = IndexPath(path, i);
    FERRY_ASSIGN_OR_RETURN(Fields f, Fields::Open(d, node.items[i], p, "static config"));
    TargetGroup tg;
    tg.source = std::to_string(i);
    if (const YamlNode* n = f.Get("targets")) {
      FERRY_RETURN_IF_ERROR(d.ReadStringList(*n, f.Sub("targets"), &tg.targets));
    }
    if (const YamlNode* n = f.Get("labels")) {
      FERRY_RETURN_IF_ERROR(d.ReadLabels(*n, f.Sub("labels"), scheme, &tg.labels));
    }
    FERRY_RETURN_IF_ERROR(f.Finish());
    out->push_back(std::move(tg));
  }
  return Status::Ok();
}

template <typename T, typename Fn>
Status DecodeList(const Decoder& d, const YamlNode& node, const std::string& path,
                  std::vector<T>* out, Fn decode_one) {
  FERRY_RETURN_IF_ERROR(d.RequireSequence(node, path));
  for (size_t i = 0; i < node.items.size(); ++i) {
    T value;
    FERRY_RETURN_IF_ERROR(decode_one(d, node.items[i], IndexPath(path, i), &value));
    out->push_back(std::move(value));
  }
  return Status::Ok();
}

}  // namespace

Status DecodeScrapeConfig(const Decoder& d, const YamlNode& node, const std::string& path,
                          const GlobalConfig& global, ScrapeConfig* out) {
  *out = ScrapeConfig();
  if (node.IsNull()) return d.Error(node, path, "empty or null scrape config section");
  FERRY_ASSIGN_OR_RETURN(Fields f, Fields::Open(d, node, path, "scrape config"));
  ScrapeConfig& c = *out;
  FERRY_RETURN_IF_ERROR(f.String("job_name", &c.job_name));
  FERRY_RETURN_IF_ERROR(f.Bool("honor_labels", &c.honor_labels));
  FERRY_RETURN_IF_ERROR(f.Bool("honor_timestamps", &c.honor_timestamps));
  FERRY_RETURN_IF_ERROR(f.Bool("track_timestamps_staleness", &c.track_timestamps_staleness));
  if (const YamlNode* n = f.Get("params")) {
    FERRY_RETURN_IF_ERROR(d.ReadStringListMap(*n, f.Sub("params"), &c.params));
  }
  FERRY_RETURN_IF_ERROR(f.Dur("scrape_interval", &c.scrape_interval));
  FERRY_RETURN_IF_ERROR(f.Dur("scrape_timeout", &c.scrape_timeout));
  const YamlNode* protocols = f.GetNonNull("scrape_protocols");
  if (protocols != nullptr) {
    FERRY_RETURN_IF_ERROR(
        d.ReadStringList(*protocols, f.Sub("scrape_protocols"), &c.scrape_protocols));
  }
  FERRY_RETURN_IF_ERROR(f.String("fallback_scrape_protocol", &c.fallback_scrape_protocol));
  std::optional<bool> native, always_classic, nhcb, extra;
  for (auto [key, slot] : {std::pair{"scrape_native_histograms", &native},
                           std::pair{"always_scrape_classic_histograms", &always_classic},
                           std::pair{"convert_classic_histograms_to_nhcb", &nhcb},
                           std::pair{"extra_scrape_metrics", &extra}}) {
    if (const YamlNode* n = f.GetNonNull(key)) {
      bool b = false;
      FERRY_RETURN_IF_ERROR(d.ReadBool(*n, f.Sub(key), &b));
      *slot = b;
    }
  }
  FERRY_RETURN_IF_ERROR(f.String("scrape_failure_log_file", &c.scrape_failure_log_file));
  FERRY_RETURN_IF_ERROR(f.String("metrics_path", &c.metrics_path));
  FERRY_RETURN_IF_ERROR(f.String("scheme", &c.scheme));
  FERRY_RETURN_IF_ERROR(f.Bool("enable_compression", &c.enable_compression));
  FERRY_RETURN_IF_ERROR(f.Bytes("body_size_limit", &c.body_size_limit));
  FERRY_RETURN_IF_ERROR(f.Uint("sample_limit", &c.sample_limit));
  FERRY_RETURN_IF_ERROR(f.Uint("target_limit", &c.target_limit));
  FERRY_RETURN_IF_ERROR(f.Uint("label_limit", &c.label_limit));
  FERRY_RETURN_IF_ERROR(f.Uint("label_name_length_limit", &c.label_name_length_limit));
  FERRY_RETURN_IF_ERROR(f.Uint("label_value_length_limit", &c.label_value_length_limit));
  FERRY_RETURN_IF_ERROR(
      f.Uint("native_histogram_bucket_limit", &c.native_histogram_bucket_limit));
  FERRY_RETURN_IF_ERROR(
      f.Double("native_histogram_min_bucket_factor", &c.native_histogram_min_bucket_factor));
  FERRY_RETURN_IF_ERROR(f.Uint("keep_dropped_targets", &c.keep_dropped_targets));
  bool validation_set = false;
  FERRY_RETURN_IF_ERROR(ReadNameValidation(f, &c.metric_name_validation_scheme, &validation_set));
  if (!validation_set) c.metric_name_validation_scheme = global.metric_name_validation_scheme;
  FERRY_RETURN_IF_ERROR(ReadEscapingScheme(f, &c.metric_name_escaping_scheme));
  FERRY_RETURN_IF_ERROR(DecodeHttpClient(f, &c.http));

  const NameValidation scheme = c.metric_name_validation_scheme;
  if (const YamlNode* n = f.Get("static_configs")) {
    FERRY_RETURN_IF_ERROR(
        DecodeStaticConfigs(d, *n, f.Sub("static_configs"), scheme, &c.static_configs));
  }
  if (const YamlNode* n = f.Get("file_sd_configs")) {
    FERRY_RETURN_IF_ERROR(
        DecodeList(d, *n, f.Sub("file_sd_configs"), &c.file_sd_configs, DecodeFileSd));
  }
  if (const YamlNode* n = f.Get("http_sd_configs")) {
    FERRY_RETURN_IF_ERROR(
        DecodeList(d, *n, f.Sub("http_sd_configs"), &c.http_sd_configs, DecodeHttpSd));
  }
  if (const YamlNode* n = f.Get("kubernetes_sd_configs")) {
    FERRY_RETURN_IF_ERROR(DecodeList(d, *n, f.Sub("kubernetes_sd_configs"),
                                     &c.kubernetes_sd_configs, DecodeKubernetesSd));
  }
  if (const YamlNode* n = f.Get("relabel_configs")) {
    FERRY_RETURN_IF_ERROR(DecodeRelabelConfigs(d, *n, f.Sub("relabel_configs"), scheme,
                                               "empty or null target relabeling rule in scrape "
                                               "config",
                                               &c.relabel_configs));
  }
  if (const YamlNode* n = f.Get("metric_relabel_configs")) {
    FERRY_RETURN_IF_ERROR(DecodeRelabelConfigs(d, *n, f.Sub("metric_relabel_configs"), scheme,
                                               "empty or null metric relabeling rule in scrape "
                                               "config",
                                               &c.metric_relabel_configs));
  }
  for (const auto& [k, v] : node.entries) {
    if (IsUnsupportedSd(k.scalar)) {
      return d.Error(k.mark, path,
                     k.scalar +
                         " is not supported by ferry (supported: static_configs, "
                         "file_sd_configs, http_sd_configs, kubernetes_sd_configs)");
    }
  }
  FERRY_RETURN_IF_ERROR(f.Finish());

  // ScrapeConfig.UnmarshalYAML.
  if (c.job_name.empty()) return d.Error(f.KeyMark("job_name"), path, "job_name is empty");
  const std::string job = Quote(c.job_name);
  if (c.scheme != "http" && c.scheme != "https") {
    return d.Error(f.KeyMark("scheme"), f.Sub("scheme"),
                   "invalid scheme " + Quote(c.scheme) + ", must be \"http\" or \"https\"");
  }
  if (c.relabel_configs.empty()) {
    // checkStaticTargets: a URL in a target group is a common mistake.
    const YamlNode* sc = f.Get("static_configs");
    for (size_t i = 0; i < c.static_configs.size(); ++i) {
      for (size_t t = 0; t < c.static_configs[i].targets.size(); ++t) {
        const std::string& target = c.static_configs[i].targets[t];
        if (target.find('/') != std::string::npos) {
          const YamlNode* tn = &sc->items[i];
          for (const auto& [k, v] : sc->items[i].entries) {
            if (k.scalar == "targets" && t < v.items.size()) tn = &v.items[t];
          }
          return d.Error(*tn,
                         IndexPath(IndexPath(f.Sub("static_configs"), i) + ".targets", t),
                         Quote(target) + " is not a valid hostname");
        }
      }
    }
  }

  // ScrapeConfig.Validate(global): inheritance.
  if (c.scrape_interval.count() == 0) c.scrape_interval = global.scrape_interval;
  if (c.scrape_timeout > c.scrape_interval) {
    return d.Error(f.KeyMark("scrape_timeout"), f.Sub("scrape_timeout"),
                   "scrape timeout " + FormatDuration(c.scrape_timeout) +
                       " greater than scrape interval " + FormatDuration(c.scrape_interval) +
                       " for scrape config with job name " + job);
  }
  if (c.scrape_timeout.count() == 0) {
    c.scrape_timeout = std::min(global.scrape_timeout, c.scrape_interval);
  }
  if (c.body_size_limit == 0) c.body_size_limit = global.body_size_limit;
  if (c.sample_limit == 0) c.sample_limit = global.sample_limit;
  if (c.target_limit == 0) c.target_limit = global.target_limit;
  if (c.label_limit == 0) c.label_limit = global.label_limit;
  if (c.label_name_length_limit == 0) c.label_name_length_limit = global.label_name_length_limit;
  if (c.label_value_length_limit == 0) {
    c.label_value_length_limit = global.label_value_length_limit;
  }
  if (c.keep_dropped_targets == 0) c.keep_dropped_targets = global.keep_dropped_targets;
  if (c.scrape_failure_log_file.empty()) c.scrape_failure_log_file = global.scrape_failure_log_file;
  c.scrape_native_histograms = native.value_or(global.scrape_native_histograms);
  c.extra_scrape_metrics = extra.value_or(global.extra_scrape_metrics);
  c.convert_classic_histograms_to_nhcb = nhcb.value_or(global.convert_classic_histograms_to_nhcb);
  c.always_scrape_classic_histograms =
      always_classic.value_or(global.always_scrape_classic_histograms);
  if (protocols == nullptr) {
    if (!global.scrape_protocols.empty()) {
      c.scrape_protocols = global.scrape_protocols;
    } else if (c.scrape_native_histograms) {
      c.scrape_protocols = {"PrometheusProto", "OpenMetricsText1.0.0", "OpenMetricsText0.0.1",
                            "PrometheusText1.0.0", "PrometheusText0.0.4"};
    } else {
      c.scrape_protocols = {"OpenMetricsText1.0.0", "OpenMetricsText0.0.1",
                            "PrometheusText1.0.0", "PrometheusText0.0.4"};
    }
  }
  FERRY_RETURN_IF_ERROR(ValidateScrapeProtocols(
      d, protocols != nullptr ? protocols->mark : f.node().mark, f.Sub("scrape_protocols"),
      c.scrape_protocols, " for scrape config with job name " + job));
  if (!c.fallback_scrape_protocol.empty()) {
    Status s = ValidateScrapeProtocols(d, f.KeyMark("fallback_scrape_protocol"),
                                       f.Sub("fallback_scrape_protocol"),
                                       {c.fallback_scrape_protocol}, "");
    if (!s.ok()) {
      return d.Error(f.KeyMark("fallback_scrape_protocol"), f.Sub("fallback_scrape_protocol"),
                     "invalid fallback_scrape_protocol for scrape config with job name " + job +
                         ": unknown scrape protocol " + c.fallback_scrape_protocol);
    }
  }
  // Escaping follows the validation scheme when left blank.
  std::string global_escaping = global.metric_name_escaping_scheme;
  if (global_escaping.empty()) {
    global_escaping =
        global.metric_name_validation_scheme == NameValidation::kLegacy ? "underscores"
                                                                        : "allow-utf-8";
  }
  if (c.metric_name_escaping_scheme.empty()) {
    if (!validation_set) {
      c.metric_name_escaping_scheme = global_escaping;
    } else {
      c.metric_name_escaping_scheme =
          scheme == NameValidation::kLegacy ? "underscores" : "allow-utf-8";
    }
  }
  if (c.metric_name_escaping_scheme == "allow-utf-8" && scheme != NameValidation::kUtf8) {
    return d.Error(f.KeyMark("metric_name_escaping_scheme"), f.Sub("metric_name_escaping_scheme"),
                   "utf8 metric names requested but validation scheme is not set to UTF8");
  }
  return Status::Ok();
}

void SetDirectory(const std::string& dir, ScrapeConfig* scrape) {
  SetDirectory(dir, &scrape->http);
  scrape->scrape_failure_log_file = JoinDir(dir, scrape->scrape_failure_log_file);
  for (FileSdConfig& fsd : scrape->file_sd_configs) {
    for (std::string& file : fsd.files) file = JoinDir(dir, file);
  }
  for (HttpSdConfig& hsd : scrape->http_sd_configs) SetDirectory(dir, &hsd.http);
  for (KubernetesSdConfig& k : scrape->kubernetes_sd_configs) {
    SetDirectory(dir, &k.http);
    k.kubeconfig_file = JoinDir(dir, k.kubeconfig_file);
  }
}

}  // namespace ferry::config::internal
