#include "src/ship/endpoint.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "src/config/dump.h"

namespace ferry::ship {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Prometheus' reservedHeaders (config/config.go), lower-cased.
constexpr std::array<std::string_view, 11> kReservedHeaders = {
    "authorization", "host", "content-encoding", "content-length", "content-type",
    "user-agent", "connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
    "www-authenticate"};

bool IsReserved(std::string_view name) {
  std::string l = Lower(name);
  if (l == "x-prometheus-remote-write-version") return true;
  return std::find(kReservedHeaders.begin(), kReservedHeaders.end(), l) != kReservedHeaders.end();
}

// The secrets ToYaml() masks, appended so that rotating one counts as a
// change of the endpoint.
void AppendSecrets(const config::HttpClientConfig& h, std::string* out) {
  auto add = [out](std::string_view s) {
    out->append(std::to_string(s.size()));
    out->push_back(':');
    out->append(s);
  };
  if (h.basic_auth) add(h.basic_auth->password);
  if (h.authorization) add(h.authorization->credentials);
  add(h.bearer_token);
  if (h.oauth2) add(h.oauth2->client_secret);
  add(h.tls_config.key);
  for (const auto& [name, hdr] : h.http_headers) {
    for (const std::string& s : hdr.secrets) add(s);
  }
  for (const auto& [name, values] : h.proxy_connect_header) {
    for (const std::string& s : values) add(s);
  }
}

}  // namespace

std::string UrlIdentity(const std::string& url) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(url.data(), url.size(), md, &len, EVP_md5(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < 3 && i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

Result<std::shared_ptr<const Endpoint>> Endpoint::Compile(const config::RemoteWriteConfig& rw,
                                                          const labels::Labels& external_labels,
                                                          size_t index) {
  std::string where = "remote_write[" + std::to_string(index) + "] (url " + rw.url + ")";
  auto bad = [&where](const std::string& what) {
    return Status::InvalidArgument(where + ": " + what);
  };
  if (rw.url.empty()) return bad("url is empty");
  std::string lurl = Lower(rw.url.substr(0, 8));
  if (lurl.rfind("http://", 0) != 0 && lurl.rfind("https://", 0) != 0) {
    return bad("url scheme must be http or https");
  }
  const config::QueueConfig& q = rw.queue_config;
  if (q.min_shards < 1) return bad("queue_config.min_shards must be at least 1");
  if (q.max_shards < 1) return bad("queue_config.max_shards must be at least 1");
  if (q.min_shards > q.max_shards) {
    return bad("queue_config.min_shards " + std::to_string(q.min_shards) +
               " exceeds max_shards " + std::to_string(q.max_shards));
  }
  if (q.max_shards > 10000) return bad("queue_config.max_shards above 10000");
  if (q.max_samples_per_send < 1) return bad("queue_config.max_samples_per_send must be positive");
  if (q.capacity < 1) return bad("queue_config.capacity must be positive");
  if (q.min_backoff.count() <= 0) return bad("queue_config.min_backoff must be positive");
  if (q.min_backoff > q.max_backoff) return bad("queue_config.min_backoff exceeds max_backoff");
  if (q.batch_send_deadline.count() <= 0) {
    return bad("queue_config.batch_send_deadline must be positive");
  }
  if (rw.remote_timeout.count() <= 0) return bad("remote_timeout must be positive");
  if (q.sample_age_limit.count() < 0) return bad("queue_config.sample_age_limit is negative");

  auto ep = std::make_shared<Endpoint>();
  ep->config = rw;
  ep->external_labels = external_labels;
  ep->identity = rw.name.empty() ? UrlIdentity(rw.url) : rw.name;
  Result<remote::ProtoMessage> proto = remote::ParseProtoMessage(rw.protobuf_message);
  if (!proto.ok()) return bad("protobuf_message: " + proto.status().message());
  ep->proto = *proto;
  for (const auto& [name, value] : rw.headers) {
    if (IsReserved(name)) return bad("header \"" + name + "\" is reserved");
    ep->headers.emplace_back(name, value);
  }
  Result<std::unique_ptr<relabel::Relabeler>> rl =
      relabel::Relabeler::Compile(rw.write_relabel_configs);
  if (!rl.ok()) return bad("write_relabel_configs: " + rl.status().message());
  ep->relabeler = std::move(rl).value();

  config::Config one;
  one.global.external_labels = external_labels;
  one.remote_write.push_back(rw);
  ep->fingerprint = config::ToYaml(one);
  AppendSecrets(rw.http, &ep->fingerprint);
  return std::shared_ptr<const Endpoint>(std::move(ep));
}

bool Endpoint::SendLabels(const labels::Labels& series, labels::LabelsBuilder* lb,
                          labels::Labels* out) const {
  lb->Reset(series);
  for (const labels::Label& l : external_labels) {
    if (!lb->Has(l.name)) lb->Set(l.name, l.value);
  }
  if (!relabeler->empty() && !relabeler->Process(lb)) return false;
  *out = lb->Build();
  return !out->empty();
}

}  // namespace ferry::ship
