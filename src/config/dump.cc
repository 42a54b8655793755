#include "src/config/dump.h"

#include <cstdio>

#include "src/config/duration.h"

namespace ferry::config {
namespace {

// A plain scalar when YAML reads it back as the same string, else a
// double-quoted one with escapes.
std::string Scalar(std::string_view s) {
  static const char* const kSpecial[] = {"true", "false", "yes", "no", "on",  "off", "null",
                                         "y",    "n",     "~",   "True", "False", "Yes", "No",
                                         "On",   "Off",   "NULL", "Null", "TRUE", "FALSE",
                                         "YES",  "NO",    "ON",  "OFF", "Y", "N"};
  bool plain = !s.empty();
  for (const char* k : kSpecial) plain = plain && s != k;
  if (plain) {
    const char first = s[0];
    plain = (first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') || first == '/' ||
            first == '_' || first == '<';
    if (first == '<') plain = s == kSecretMask;
  }
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.' || c == '/' || c == '<' || c == '>';
    plain = plain && ok;
  }
  if (plain) return std::string(s);
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

std::string Secret(const std::string& s) { return s.empty() ? "" : std::string(kSecretMask); }

class Writer {
 public:
  void Line(int indent, std::string_view key, std::string_view value) {
    out_.append(static_cast<size_t>(indent), ' ');
    out_ += key;
    out_ += ": ";
    out_ += value;
    out_ += '\n';
  }
  void Str(int indent, std::string_view key, const std::string& value) {
    if (!value.empty()) Line(indent, key, Scalar(value));
  }
  void Bool(int indent, std::string_view key, bool v) { Line(indent, key, v ? "true" : "false"); }
  void Num(int indent, std::string_view key, uint64_t v) {
    Line(indent, key, std::to_string(v));
  }
  void NumIfSet(int indent, std::string_view key, uint64_t v) {
    if (v != 0) Num(indent, key, v);
  }
  void Dur(int indent, std::string_view key, Duration d) { Line(indent, key, FormatDuration(d)); }
  void Open(int indent, std::string_view key) {
    out_.append(static_cast<size_t>(indent), ' ');
    out_ += key;
    out_ += ":\n";
  }
  void List(int indent, std::string_view key, const std::vector<std::string>& values) {
    if (values.empty()) return;
    Open(indent, key);
    for (const std::string& v : values) {
      out_.append(static_cast<size_t>(indent), ' ');
      out_ += "- " + Scalar(v) + "\n";
    }
  }
  void Labels(int indent, std::string_view key, const labels::Labels& ls) {
    if (ls.empty()) return;
    Open(indent, key);
    for (const labels::Label& l : ls) Line(indent + 2, Scalar(l.name), Scalar(l.value));
  }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

// Writes a list of mappings under "key": each item is written into its own
// Writer at indent 0, then re-indented with "- " before its first line.
template <typename Fn>
void Items(Writer& w, int indent, std::string_view key, size_t n, Fn write_item) {
  if (n == 0) return;
  w.Open(indent, key);
  for (size_t i = 0; i < n; ++i) {
    Writer sub;
    write_item(sub, i);
    std::string text = sub.out();
    if (text.empty()) text = "{}\n";
    bool first = true;
    size_t pos = 0;
    while (pos < text.size()) {
      const size_t end = text.find('\n', pos);
      const std::string line = text.substr(pos, end - pos);
      w.out().append(static_cast<size_t>(indent), ' ');
      w.out() += first ? "- " : "  ";
      w.out() += line + "\n";
      first = false;
      pos = end + 1;
    }
  }
}

void WriteTls(Writer& w, int in, const TlsConfig& t) {
  w.Open(in, "tls_config");
  w.Str(in + 2, "ca", t.ca);
  w.Str(in + 2, "cert", t.cert);
  w.Str(in + 2, "key", Secret(t.key));
  w.Str(in + 2, "ca_file", t.ca_file);
  w.Str(in + 2, "cert_file", t.cert_file);
  w.Str(in + 2, "key_file", t.key_file);
  w.Str(in + 2, "server_name", t.server_name);
  w.Bool(in + 2, "insecure_skip_verify", t.insecure_skip_verify);
  w.Str(in + 2, "min_version", t.min_version);
  w.Str(in + 2, "max_version", t.max_version);
}

void WriteHttp(Writer& w, int in, const HttpClientConfig& h) {
  if (h.basic_auth) {
    const BasicAuth& b = *h.basic_auth;
    if (b.username.empty() && b.username_file.empty() && b.password.empty() &&
        b.password_file.empty()) {
      w.Line(in, "basic_auth", "{}");  // present but empty must stay present
    } else {
      w.Open(in, "basic_auth");
    }
    w.Str(in + 2, "username", h.basic_auth->username);
    w.Str(in + 2, "username_file", h.basic_auth->username_file);
    w.Str(in + 2, "password", Secret(h.basic_auth->password));
    w.Str(in + 2, "password_file", h.basic_auth->password_file);
  }
  // Legacy bearer_token* are folded into authorization, as Prometheus prints.
  if (h.authorization) {
    w.Open(in, "authorization");
    w.Str(in + 2, "type", h.authorization->type);
    w.Str(in + 2, "credentials", Secret(h.authorization->credentials));
    w.Str(in + 2, "credentials_file", h.authorization->credentials_file);
  }
  if (h.oauth2) {
    w.Open(in, "oauth2");
    w.Str(in + 2, "client_id", h.oauth2->client_id);
    w.Str(in + 2, "client_secret", Secret(h.oauth2->client_secret));
    w.Str(in + 2, "client_secret_file", h.oauth2->client_secret_file);
    w.List(in + 2, "scopes", h.oauth2->scopes);
    w.Str(in + 2, "token_url", h.oauth2->token_url);
  }
  WriteTls(w, in, h.tls_config);
  w.Str(in, "proxy_url", h.proxy_url);
  w.Str(in, "no_proxy", h.no_proxy);
  if (h.proxy_from_environment) w.Bool(in, "proxy_from_environment", true);
  if (!h.proxy_connect_header.empty()) {
    w.Open(in, "proxy_connect_header");
    for (const auto& [name, values] : h.proxy_connect_header) {
      std::vector<std::string> masked(values.size(), std::string(kSecretMask));
      w.List(in + 2, Scalar(name), masked);
    }
  }
  w.Bool(in, "follow_redirects", h.follow_redirects);
  w.Bool(in, "enable_http2", h.enable_http2);
  if (!h.http_headers.empty()) {
    w.Open(in, "http_headers");
    for (const auto& [name, header] : h.http_headers) {
      w.Open(in + 2, Scalar(name));
      w.List(in + 4, "values", header.values);
      std::vector<std::string> masked(header.secrets.size(), std::string(kSecretMask));
      w.List(in + 4, "secrets", masked);
      w.List(in + 4, "files", header.files);
    }
  }
}

void WriteRelabel(Writer& w, int in, std::string_view key,
                  const std::vector<relabel::RelabelConfig>& rules) {
  Items(w, in, key, rules.size(), [&](Writer& s, size_t i) {
    const relabel::RelabelConfig& r = rules[i];
    if (!r.source_labels.empty()) {
      std::string list = "[";
      for (size_t k = 0; k < r.source_labels.size(); ++k) {
        list += (k ? ", " : "") + Scalar(r.source_labels[k]);
      }
      s.Line(0, "source_labels", list + "]");
    }
    s.Line(0, "separator", Scalar(r.separator));
    s.Line(0, "regex", Scalar(r.regex));
    if (r.modulus != 0) s.Num(0, "modulus", r.modulus);
    s.Str(0, "target_label", r.target_label);
    s.Line(0, "replacement", Scalar(r.replacement));
    s.Line(0, "action", std::string(relabel::ActionName(r.action)));
  });
}

void WriteScrape(Writer& w, const ScrapeConfig& c) {
  w.Str(0, "job_name", c.job_name);
  w.Bool(0, "honor_labels", c.honor_labels);
  w.Bool(0, "honor_timestamps", c.honor_timestamps);
  w.Bool(0, "track_timestamps_staleness", c.track_timestamps_staleness);
  if (!c.params.empty()) {
    w.Open(0, "params");
    for (const auto& [k, v] : c.params) w.List(2, Scalar(k), v);
  }
  w.Dur(0, "scrape_interval", c.scrape_interval);
  w.Dur(0, "scrape_timeout", c.scrape_timeout);
  w.List(0, "scrape_protocols", c.scrape_protocols);
  w.Str(0, "fallback_scrape_protocol", c.fallback_scrape_protocol);
  w.Bool(0, "scrape_native_histograms", c.scrape_native_histograms);
  w.Bool(0, "always_scrape_classic_histograms", c.always_scrape_classic_histograms);
  w.Bool(0, "convert_classic_histograms_to_nhcb", c.convert_classic_histograms_to_nhcb);
  w.Bool(0, "extra_scrape_metrics", c.extra_scrape_metrics);
  w.Str(0, "scrape_failure_log_file", c.scrape_failure_log_file);
  w.Str(0, "metrics_path", c.metrics_path);
  w.Str(0, "scheme", c.scheme);
  w.Bool(0, "enable_compression", c.enable_compression);
  if (c.body_size_limit != 0) w.Line(0, "body_size_limit", FormatBase2Bytes(c.body_size_limit));
  w.NumIfSet(0, "sample_limit", c.sample_limit);
  w.NumIfSet(0, "target_limit", c.target_limit);
  w.NumIfSet(0, "label_limit", c.label_limit);
  w.NumIfSet(0, "label_name_length_limit", c.label_name_length_limit);
  w.NumIfSet(0, "label_value_length_limit", c.label_value_length_limit);
  w.NumIfSet(0, "native_histogram_bucket_limit", c.native_histogram_bucket_limit);
  if (c.native_histogram_min_bucket_factor != 0) {
    w.Line(0, "native_histogram_min_bucket_factor",
           std::to_string(c.native_histogram_min_bucket_factor));
  }
  w.NumIfSet(0, "keep_dropped_targets", c.keep_dropped_targets);
  w.Line(0, "metric_name_validation_scheme",
         c.metric_name_validation_scheme == NameValidation::kLegacy ? "legacy" : "utf8");
  w.Str(0, "metric_name_escaping_scheme", c.metric_name_escaping_scheme);
  WriteHttp(w, 0, c.http);
  Items(w, 0, "static_configs", c.static_configs.size(), [&](Writer& s, size_t i) {
    s.List(0, "targets", c.static_configs[i].targets);
    s.Labels(0, "labels", c.static_configs[i].labels);
  });
  Items(w, 0, "file_sd_configs", c.file_sd_configs.size(), [&](Writer& s, size_t i) {
    s.List(0, "files", c.file_sd_configs[i].files);
    s.Dur(0, "refresh_interval", c.file_sd_configs[i].refresh_interval);
  });
  Items(w, 0, "http_sd_configs", c.http_sd_configs.size(), [&](Writer& s, size_t i) {
    s.Str(0, "url", c.http_sd_configs[i].url);
    s.Dur(0, "refresh_interval", c.http_sd_configs[i].refresh_interval);
    WriteHttp(s, 0, c.http_sd_configs[i].http);
  });
  Items(w, 0, "kubernetes_sd_configs", c.kubernetes_sd_configs.size(), [&](Writer& s, size_t i) {
    const KubernetesSdConfig& k = c.kubernetes_sd_configs[i];
    s.Str(0, "api_server", k.api_server);
    s.Str(0, "role", k.role);
    s.Str(0, "kubeconfig_file", k.kubeconfig_file);
    s.Open(0, "namespaces");
    s.Bool(2, "own_namespace", k.namespaces.own_namespace);
    s.List(2, "names", k.namespaces.names);
    Items(s, 0, "selectors", k.selectors.size(), [&](Writer& t, size_t j) {
      t.Str(0, "role", k.selectors[j].role);
      t.Str(0, "label", k.selectors[j].label);
      t.Str(0, "field", k.selectors[j].field);
    });
    s.Open(0, "attach_metadata");
    s.Bool(2, "node", k.attach_metadata.node);
    s.Bool(2, "namespace", k.attach_metadata.namespace_);
    WriteHttp(s, 0, k.http);
  });
  WriteRelabel(w, 0, "relabel_configs", c.relabel_configs);
  WriteRelabel(w, 0, "metric_relabel_configs", c.metric_relabel_configs);
}

void WriteRemoteWrite(Writer& w, const RemoteWriteConfig& r) {
  w.Str(0, "url", r.url);
  w.Dur(0, "remote_timeout", r.remote_timeout);
  if (!r.headers.empty()) {
    w.Open(0, "headers");
    for (const auto& [k, v] : r.headers) w.Line(2, Scalar(k), Scalar(v));
  }
  WriteRelabel(w, 0, "write_relabel_configs", r.write_relabel_configs);
  w.Str(0, "name", r.name);
  w.Bool(0, "send_exemplars", r.send_exemplars);
  w.Bool(0, "send_native_histograms", r.send_native_histograms);
  if (r.round_robin_dns) w.Bool(0, "round_robin_dns", true);
  w.Str(0, "protobuf_message", r.protobuf_message);
  WriteHttp(w, 0, r.http);
  const QueueConfig& q = r.queue_config;
  w.Open(0, "queue_config");
  w.Num(2, "capacity", static_cast<uint64_t>(q.capacity));
  w.Num(2, "max_shards", static_cast<uint64_t>(q.max_shards));
  w.Num(2, "min_shards", static_cast<uint64_t>(q.min_shards));
  w.Num(2, "max_samples_per_send", static_cast<uint64_t>(q.max_samples_per_send));
  w.Dur(2, "batch_send_deadline", q.batch_send_deadline);
  w.Dur(2, "min_backoff", q.min_backoff);
  w.Dur(2, "max_backoff", q.max_backoff);
  w.Bool(2, "retry_on_http_429", q.retry_on_http_429);
  w.Dur(2, "sample_age_limit", q.sample_age_limit);
  const MetadataConfig& m = r.metadata_config;
  w.Open(0, "metadata_config");
  w.Bool(2, "send", m.send);
  w.Dur(2, "send_interval", m.send_interval);
  w.Num(2, "max_samples_per_send", static_cast<uint64_t>(m.max_samples_per_send));
}

}  // namespace

std::string ToYaml(const Config& config) {
  Writer w;
  const GlobalConfig& g = config.global;
  w.Open(0, "global");
  w.Dur(2, "scrape_interval", g.scrape_interval);
  w.Dur(2, "scrape_timeout", g.scrape_timeout);
  w.List(2, "scrape_protocols", g.scrape_protocols);
  w.Dur(2, "evaluation_interval", g.evaluation_interval);
  if (g.rule_query_offset.count() != 0) w.Dur(2, "rule_query_offset", g.rule_query_offset);
  w.Str(2, "query_log_file", g.query_log_file);
  w.Str(2, "scrape_failure_log_file", g.scrape_failure_log_file);
  w.Labels(2, "external_labels", g.external_labels);
  if (g.body_size_limit != 0) w.Line(2, "body_size_limit", FormatBase2Bytes(g.body_size_limit));
  w.NumIfSet(2, "sample_limit", g.sample_limit);
  w.NumIfSet(2, "target_limit", g.target_limit);
  w.NumIfSet(2, "label_limit", g.label_limit);
  w.NumIfSet(2, "label_name_length_limit", g.label_name_length_limit);
  w.NumIfSet(2, "label_value_length_limit", g.label_value_length_limit);
  w.NumIfSet(2, "keep_dropped_targets", g.keep_dropped_targets);
  w.Line(2, "metric_name_validation_scheme",
         g.metric_name_validation_scheme == NameValidation::kLegacy ? "legacy" : "utf8");
  w.Str(2, "metric_name_escaping_scheme", g.metric_name_escaping_scheme);
  w.Bool(2, "scrape_native_histograms", g.scrape_native_histograms);
  w.Bool(2, "convert_classic_histograms_to_nhcb", g.convert_classic_histograms_to_nhcb);
  w.Bool(2, "always_scrape_classic_histograms", g.always_scrape_classic_histograms);
  w.Bool(2, "extra_scrape_metrics", g.extra_scrape_metrics);
  // The jobs of scrape_config_files are already merged into scrape_configs;
  // the patterns are kept as a comment so the output loads back unchanged.
  for (const std::string& pattern : config.scrape_config_files) {
    w.out() += "# scrape_config_files (merged below): " + pattern + "\n";
  }
  Items(w, 0, "scrape_configs", config.scrape_configs.size(),
        [&](Writer& s, size_t i) { WriteScrape(s, config.scrape_configs[i]); });
  Items(w, 0, "remote_write", config.remote_write.size(),
        [&](Writer& s, size_t i) { WriteRemoteWrite(s, config.remote_write[i]); });
  return std::move(w.out());
}

}  // namespace ferry::config
