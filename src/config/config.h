// Config: the parsed form of an unchanged Prometheus prometheus.yml, as far as
// agent mode uses it.
//
// Plain value types. Every field already holds Prometheus' default when the
// file leaves it out, and every scrape config has the global values it
// inherits filled in (interval, timeout, limits), so consumers never look at
// GlobalConfig to resolve a scrape setting. Durations are milliseconds;
// relative *_file paths are already joined with the config file's directory.
// Nothing here is YAML-specific. Secrets (passwords, tokens, keys) are kept
// verbatim because the scraper and shipper need them: never log them, use
// ToYaml() (src/config/dump.h) which masks them as "<secret>".
//
// Thread-safety: plain values; share a loaded Config across threads as
// std::shared_ptr<const Config>.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "src/labels/labels.h"
#include "src/relabel/relabel_config.h"

namespace ferry::config {

using Duration = std::chrono::milliseconds;

// Name validation for label names (external_labels, static_configs labels,
// relabel source labels). Current Prometheus defaults to kUtf8 (any non-empty
// valid UTF-8); kLegacy is [a-zA-Z_][a-zA-Z0-9_]*.
enum class NameValidation { kUtf8, kLegacy };

struct GlobalConfig {
  // Default: 1m
  Duration scrape_interval{std::chrono::minutes(1)};
  // Default: min(10s, scrape_interval)
  Duration scrape_timeout{std::chrono::seconds(10)};
  // Parsed for compatibility; agents do not evaluate rules. Default: 1m
  Duration evaluation_interval{std::chrono::minutes(1)};
  // Parsed for compatibility. Default: 0s
  Duration rule_query_offset{0};
  // Parsed for compatibility (agent mode has no PromQL). Default: ""
  std::string query_log_file;
  // Default: "" (no scrape failure log)
  std::string scrape_failure_log_file;
  // Attached to every series sent by remote write. Default: none
  labels::Labels external_labels;
  // Content negotiation order. Empty means "not set": each scrape config then
  // picks Prometheus' default list. Values: PrometheusProto,
  // OpenMetricsText1.0.0, OpenMetricsText0.0.1, PrometheusText1.0.0,
  // PrometheusText0.0.4.
  std::vector<std::string> scrape_protocols;
  // Limits; 0 means no limit. Defaults: 0
  int64_t body_size_limit = 0;  // bytes
  uint64_t sample_limit = 0;
  uint64_t label_limit = 0;
  uint64_t label_name_length_limit = 0;
  uint64_t label_value_length_limit = 0;
  uint64_t target_limit = 0;
  uint64_t keep_dropped_targets = 0;
  // Default: kUtf8 ("utf8")
  NameValidation metric_name_validation_scheme = NameValidation::kUtf8;
  // "allow-utf-8", "underscores", "dots" or "values". Default: "" (derived:
  // allow-utf-8 under utf8 validation, underscores under legacy).
  std::string metric_name_escaping_scheme;
  // Defaults: false
  bool scrape_native_histograms = false;
  bool convert_classic_histograms_to_nhcb = false;
  bool always_scrape_classic_histograms = false;
  bool extra_scrape_metrics = false;
};

struct BasicAuth {
  std::string username;
  std::string username_file;
  std::string password;  // secret
  std::string password_file;
};

struct Authorization {
  // Default: "Bearer"
  std::string type = "Bearer";
  std::string credentials;  // secret
  std::string credentials_file;
};

// OAuth2 is parsed and validated but ferry refuses to run with it (LoadFile
// returns "oauth2 is not supported yet"); the struct exists for ToYaml().
struct OAuth2 {
  std::string client_id;
  std::string client_secret;  // secret
  std::string client_secret_file;
  std::vector<std::string> scopes;
  std::string token_url;
  std::map<std::string, std::string> endpoint_params;
};

struct TlsConfig {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string ca;    // PEM text
  std::string cert;  // PEM text
  std::string key;   // PEM text, secret
  std::string server_name;
  // Default: false
  bool insecure_skip_verify = false;
  // "TLS10".."TLS13" or "" (library default).
  std::string min_version;
  std::string max_version;
};

struct HttpClientConfig {
  std::optional<BasicAuth> basic_auth;
  // Also set when the legacy bearer_token / bearer_token_file is used: like
  // Prometheus, they are folded into authorization{type: Bearer}.
  std::optional<Authorization> authorization;
  // The legacy fields as written (kept for ToYaml and for callers that want
  // to know); after loading, authorization carries the same values.
  std::string bearer_token;  // secret
  std::string bearer_token_file;
  std::optional<OAuth2> oauth2;
  TlsConfig tls_config;
  std::string proxy_url;
  std::string no_proxy;
  bool proxy_from_environment = false;
  std::map<std::string, std::vector<std::string>> proxy_connect_header;  // values are secrets
  // Extra request headers (http_headers): name -> values. Values given as
  // "secrets" are stored here too; "files" are paths joined with the config dir.
  struct Header {
    std::vector<std::string> values;
    std::vector<std::string> secrets;
    std::vector<std::string> files;
  };
  std::map<std::string, Header> http_headers;
  // Default: true
  bool follow_redirects = true;
  // Default: true (false for remote_write, as in Prometheus)
  bool enable_http2 = true;
};

struct TargetGroup {
  // "host:port" strings.
  std::vector<std::string> targets;
  labels::Labels labels;
  // Where the group came from, e.g. "0" for static_configs[0] (Prometheus
  // uses the index); discovery mechanisms set their own.
  std::string source;
};

struct FileSdConfig {
  std::vector<std::string> files;  // glob patterns, joined with the config dir
  // Default: 5m
  Duration refresh_interval{std::chrono::minutes(5)};
};

struct HttpSdConfig {
  std::string url;
  // Default: 1m
  Duration refresh_interval{std::chrono::minutes(1)};
  HttpClientConfig http;
};

struct KubernetesSdConfig {
  // "pod", "service", "endpoints", "endpointslice", "node" or "ingress".
  std::string role;
  std::string api_server;  // "" = in-cluster config
  std::string kubeconfig_file;
  struct Namespaces {
    bool own_namespace = false;
    std::vector<std::string> names;
  } namespaces;
  struct Selector {
    std::string role;
    std::string label;
    std::string field;
  };
  std::vector<Selector> selectors;
  struct AttachMetadata {
    bool node = false;
    bool namespace_ = false;  // yaml: "namespace"
  } attach_metadata;
  HttpClientConfig http;
};

struct ScrapeConfig {
  std::string job_name;
  // Default: false
  bool honor_labels = false;
  // Default: true
  bool honor_timestamps = true;
  // Default: false
  bool track_timestamps_staleness = false;
  // URL query parameters: name -> values.
  std::map<std::string, std::vector<std::string>> params;
  // Default: global.scrape_interval
  Duration scrape_interval{0};
  // Default: min(global.scrape_timeout, scrape_interval)
  Duration scrape_timeout{0};
  // Default: global.scrape_protocols, else Prometheus' default order
  // (PrometheusProto first when scrape_native_histograms is on).
  std::vector<std::string> scrape_protocols;
  // Default: "" (none)
  std::string fallback_scrape_protocol;
  // Defaults: the global values
  bool scrape_native_histograms = false;
  bool always_scrape_classic_histograms = false;
  bool convert_classic_histograms_to_nhcb = false;
  bool extra_scrape_metrics = false;
  std::string scrape_failure_log_file;
  // Default: "/metrics"
  std::string metrics_path = "/metrics";
  // "http" or "https". Default: "http"
  std::string scheme = "http";
  // Default: true
  bool enable_compression = true;
  // Limits; 0 = no limit. Defaults: the global values.
  int64_t body_size_limit = 0;
  uint64_t sample_limit = 0;
  uint64_t target_limit = 0;
  uint64_t label_limit = 0;
  uint64_t label_name_length_limit = 0;
  uint64_t label_value_length_limit = 0;
  uint64_t native_histogram_bucket_limit = 0;
  double native_histogram_min_bucket_factor = 0;
  uint64_t keep_dropped_targets = 0;
  // Default: the global value.
  NameValidation metric_name_validation_scheme = NameValidation::kUtf8;
  // Resolved: "allow-utf-8", "underscores", "dots" or "values".
  std::string metric_name_escaping_scheme;
  HttpClientConfig http;
  std::vector<TargetGroup> static_configs;
  std::vector<FileSdConfig> file_sd_configs;
  std::vector<HttpSdConfig> http_sd_configs;
  std::vector<KubernetesSdConfig> kubernetes_sd_configs;
  std::vector<relabel::RelabelConfig> relabel_configs;
  std::vector<relabel::RelabelConfig> metric_relabel_configs;
};

struct QueueConfig {
  // Default: 10000
  int64_t capacity = 10000;
  // Default: 50
  int64_t max_shards = 50;
  // Default: 1
  int64_t min_shards = 1;
  // Default: 2000
  int64_t max_samples_per_send = 2000;
  // Default: 5s
  Duration batch_send_deadline{std::chrono::seconds(5)};
  // Default: 30ms
  Duration min_backoff{30};
  // Default: 5s
  Duration max_backoff{std::chrono::seconds(5)};
  // Default: true (ferry; Prometheus defaults to false, see docs/configuration.md)
  bool retry_on_http_429 = true;
  // 0 = no limit. Default: 0s
  Duration sample_age_limit{0};
};

struct MetadataConfig {
  // Default: true
  bool send = true;
  // Default: 1m
  Duration send_interval{std::chrono::minutes(1)};
  // Default: 2000 (current Prometheus; 2.42 used 500)
  int64_t max_samples_per_send = 2000;
};

inline constexpr std::string_view kProtobufMessageV1 = "prometheus.WriteRequest";
inline constexpr std::string_view kProtobufMessageV2 = "io.prometheus.write.v2.Request";

struct RemoteWriteConfig {
  std::string url;
  // Default: "" (Prometheus then names the queue by a hash of the config)
  std::string name;
  // Default: 30s
  Duration remote_timeout{std::chrono::seconds(30)};
  std::map<std::string, std::string> headers;
  std::vector<relabel::RelabelConfig> write_relabel_configs;
  // follow_redirects true, enable_http2 false by default (Prometheus'
  // DefaultRemoteWriteHTTPClientConfig).
  HttpClientConfig http;
  QueueConfig queue_config;
  MetadataConfig metadata_config;
  // Defaults: false
  bool send_exemplars = false;
  bool send_native_histograms = false;
  bool round_robin_dns = false;
  // kProtobufMessageV1 (default) or kProtobufMessageV2.
  std::string protobuf_message = std::string(kProtobufMessageV1);
};

struct Config {
  GlobalConfig global;
  // The main file's scrape configs followed by those of scrape_config_files,
  // in file order (globs expanded in sorted order, as Go's filepath.Glob).
  std::vector<ScrapeConfig> scrape_configs;
  std::vector<RemoteWriteConfig> remote_write;
  // The patterns as written, joined with the config dir.
  std::vector<std::string> scrape_config_files;
  // The file this was loaded from ("" for LoadString with an empty filename).
  std::string source_file;
};

// The HttpClientConfig defaults of a remote_write section.
HttpClientConfig DefaultRemoteWriteHttpClientConfig();

}  // namespace ferry::config
