// remote_write[i]: Prometheus' RemoteWriteConfig.UnmarshalYAML plus ferry's
// own checks on queue_config.
#include "src/config/internal/decode.h"

namespace ferry::config::internal {
namespace {

std::string Lower(std::string_view s) {
  std::string out;
  for (char c : s) out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

Status DecodeQueue(const Decoder& d, const YamlNode& node, const std::string& path,
                   QueueConfig* q) {
  FERRY_ASSIGN_OR_RETURN(Fields f, Fields::Open(d, node, path, "queue_config"));
  FERRY_RETURN_IF_ERROR(f.Int("capacity", &q->capacity));
  FERRY_RETURN_IF_ERROR(f.Int("max_shards", &q->max_shards));
  FERRY_RETURN_IF_ERROR(f.Int("min_shards", &q->min_shards));
  FERRY_RETURN_IF_ERROR(f.Int("max_samples_per_send", &q->max_samples_per_send));
  FERRY_RETURN_IF_ERROR(f.Dur("batch_send_deadline", &q->batch_send_deadline));
  FERRY_RETURN_IF_ERROR(f.Dur("min_backoff", &q->min_backoff));
  FERRY_RETURN_IF_ERROR(f.Dur("max_backoff", &q->max_backoff));
  FERRY_RETURN_IF_ERROR(f.Bool("retry_on_http_429", &q->retry_on_http_429));
  FERRY_RETURN_IF_ERROR(f.Dur("sample_age_limit", &q->sample_age_limit));
  FERRY_RETURN_IF_ERROR(f.Finish());
  // ferry refuses what Prometheus would silently misbehave with.
  for (auto [key, value] : {std::pair{"capacity", q->capacity},
                            std::pair{"max_shards", q->max_shards},
                            std::pair{"min_shards", q->min_shards},
                            std::pair{"max_samples_per_send", q->max_samples_per_send}}) {
    if (value < 1) {
      return d.Error(f.KeyMark(key), f.Sub(key),
                     "must be at least 1, got " + std::to_string(value));
    }
  }
  if (q->min_shards > q->max_shards) {
    return d.Error(f.KeyMark("min_shards"), f.Sub("min_shards"),
                   "min_shards (" + std::to_string(q->min_shards) +
                       ") must not be greater than max_shards (" +
                       std::to_string(q->max_shards) + ")");
  }
  if (q->min_backoff > q->max_backoff) {
    return d.Error(f.KeyMark("min_backoff"), f.Sub("min_backoff"),
                   "min_backoff (" + FormatDuration(q->min_backoff) +
                       ") must not be greater than max_backoff (" +
                       FormatDuration(q->max_backoff) + ")");
  }
  return Status::Ok();
}

Status DecodeMetadata(const Decoder& d, const YamlNode& node, const std::string& path,
                      MetadataConfig* m) {
  FERRY_ASSIGN_OR_RETURN(Fields f, Fields::Open(d, node, path, "metadata_config"));
  FERRY_RETURN_IF_ERROR(f.Bool("send", &m->send));
  FERRY_RETURN_IF_ERROR(f.Dur("send_interval", &m->send_interval));
  FERRY_RETURN_IF_ERROR(f.Int("max_samples_per_send", &m->max_samples_per_send));
  return f.Finish();
}

}  // namespace

Status DecodeRemoteWrite(const Decoder& d, const YamlNode& node, const std::string& path,
                         NameValidation scheme, RemoteWriteConfig* out) {
  *out = RemoteWriteConfig();
  out->http = DefaultRemoteWriteHttpClientConfig();
  if (node.IsNull()) return d.Error(node, path, "empty or null remote write config section");
  FERRY_ASSIGN_OR_RETURN(Fields f, Fields::Open(d, node, path, "remote write config"));
  const YamlNode* url = f.GetNonNull("url");
  if (url != nullptr) FERRY_RETURN_IF_ERROR(d.ReadString(*url, f.Sub("url"), &out->url));
  FERRY_RETURN_IF_ERROR(f.Dur("remote_timeout", &out->remote_timeout));
  const YamlNode* headers = f.Get("headers");
  if (headers != nullptr) {
    FERRY_RETURN_IF_ERROR(d.ReadStringMap(*headers, f.Sub("headers"), &out->headers));
  }
  FERRY_RETURN_IF_ERROR(f.String("name", &out->name));
  FERRY_RETURN_IF_ERROR(f.Bool("send_exemplars", &out->send_exemplars));
  FERRY_RETURN_IF_ERROR(f.Bool("send_native_histograms", &out->send_native_histograms));
  FERRY_RETURN_IF_ERROR(f.Bool("round_robin_dns", &out->round_robin_dns));
  FERRY_RETURN_IF_ERROR(f.String("protobuf_message", &out->protobuf_message));
  if (const YamlNode* n = f.Get("queue_config")) {
    FERRY_RETURN_IF_ERROR(DecodeQueue(d, *n, f.Sub("queue_config"), &out->queue_config));
  }
  if (const YamlNode* n = f.Get("metadata_config")) {
    FERRY_RETURN_IF_ERROR(DecodeMetadata(d, *n, f.Sub("metadata_config"), &out->metadata_config));
  }
  std::vector<std::string> cloud_auth;
  for (const char* key : {"sigv4", "azuread", "google_iam"}) {
    if (f.GetNonNull(key) != nullptr) cloud_auth.push_back(key);
  }
  FERRY_RETURN_IF_ERROR(DecodeHttpClient(f, &out->http));
  if (const YamlNode* n = f.Get("write_relabel_configs")) {
    FERRY_RETURN_IF_ERROR(DecodeRelabelConfigs(d, *n, f.Sub("write_relabel_configs"), scheme,
                                               "empty or null relabeling rule in remote write "
                                               "config",
                                               &out->write_relabel_configs));
  }
  FERRY_RETURN_IF_ERROR(f.Finish());

  if (url == nullptr) return d.Error(node, path, "url for remote_write is empty");
  if (std::string err = CheckHttpUrl(out->url); !err.empty()) {
    return d.Error(*url, f.Sub("url"), err);
  }
  for (const auto& [k, v] : headers != nullptr ? headers->entries
                                               : std::vector<YamlEntry>{}) {
    const std::string lower = Lower(k.scalar);
    if (lower == "authorization") {
      return d.Error(k, f.Sub("headers"),
                     "authorization header must be changed via the basic_auth, authorization, "
                     "oauth2, sigv4, azuread or google_iam parameter");
    }
    static const char* const kReserved[] = {
        "host", "content-encoding", "content-length", "content-type", "user-agent", "connection",
        "keep-alive", "proxy-authenticate", "proxy-authorization", "www-authenticate",
        "accept-encoding", "x-prometheus-remote-write-version",
        "x-prometheus-remote-read-version", "x-amz-date", "x-amz-security-token",
        "x-amz-content-sha256"};
    for (const char* r : kReserved) {
      if (lower == r) {
        return d.Error(k, f.Sub("headers"),
                       k.scalar + " is a reserved header. It must not be changed");
      }
    }
  }
  if (out->protobuf_message != kProtobufMessageV1 && out->protobuf_message != kProtobufMessageV2) {
    return d.Error(*f.Get("protobuf_message"), f.Sub("protobuf_message"),
                   "invalid protobuf_message value: unknown remote write protobuf message " +
                       out->protobuf_message + ", supported: " + std::string(kProtobufMessageV1) +
                       ", " + std::string(kProtobufMessageV2));
  }
  // validateAuthConfigs.
  std::vector<std::string> auth;
  if (out->http.basic_auth) auth.push_back("basic_auth");
  if (out->http.authorization && out->http.bearer_token.empty() &&
      out->http.bearer_token_file.empty()) {
    auth.push_back("authorization");
  }
  if (out->http.oauth2) auth.push_back("oauth2");
  auth.insert(auth.end(), cloud_auth.begin(), cloud_auth.end());
  if (auth.size() > 1) {
    std::string list;
    for (const std::string& a : auth) list += (list.empty() ? "" : " ") + a;
    return d.Error(node, path,
                   "at most one of basic_auth, authorization, oauth2, sigv4, azuread or "
                   "google_iam must be configured. Currently configured: [" +
                       list + "]");
  }
  if (!cloud_auth.empty()) {
    return d.Error(f.KeyMark(cloud_auth[0]), f.Sub(cloud_auth[0]),
                   cloud_auth[0] + " is not supported yet by ferry");
  }
  return Status::Ok();
}

}  // namespace ferry::config::internal
