#include "src/discovery/internal/fingerprint.h"

#include <map>
#include <vector>

namespace ferry::discovery::internal {
namespace {

// Length-prefixed fields, so no value can imitate a separator.
class Writer {
 public:
  Writer& Add(const std::string& s) {
    out_ += std::to_string(s.size());
    out_ += ':';
    out_ += s;
    return *this;
  }
  Writer& Add(bool b) { return Add(std::string(b ? "1" : "0")); }
  Writer& Add(int64_t n) { return Add(std::to_string(n)); }
  Writer& Add(const std::vector<std::string>& v) {
    Add(static_cast<int64_t>(v.size()));
    for (const std::string& s : v) Add(s);
    return *this;
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

void AddHttp(Writer& w, const config::HttpClientConfig& h) {
  w.Add(h.basic_auth.has_value());
  if (h.basic_auth) {
    w.Add(h.basic_auth->username).Add(h.basic_auth->username_file);
    w.Add(h.basic_auth->password).Add(h.basic_auth->password_file);
  }
  w.Add(h.authorization.has_value());
  if (h.authorization) {
    w.Add(h.authorization->type).Add(h.authorization->credentials);
    w.Add(h.authorization->credentials_file);
  }
  w.Add(h.bearer_token).Add(h.bearer_token_file);
  w.Add(h.oauth2.has_value());
  if (h.oauth2) {
    w.Add(h.oauth2->client_id).Add(h.oauth2->client_secret).Add(h.oauth2->client_secret_file);
    w.Add(h.oauth2->scopes).Add(h.oauth2->token_url);
    for (const auto& [k, v] : h.oauth2->endpoint_params) w.Add(k).Add(v);
  }
  const config::TlsConfig& t = h.tls_config;
  w.Add(t.ca_file).Add(t.cert_file).Add(t.key_file).Add(t.ca).Add(t.cert).Add(t.key);
  w.Add(t.server_name).Add(t.insecure_skip_verify).Add(t.min_version).Add(t.max_version);
  w.Add(h.proxy_url).Add(h.no_proxy).Add(h.proxy_from_environment);
  w.Add(static_cast<int64_t>(h.proxy_connect_header.size()));
  for (const auto& [k, v] : h.proxy_connect_header) w.Add(k).Add(v);
  w.Add(static_cast<int64_t>(h.http_headers.size()));
  for (const auto& [k, v] : h.http_headers) w.Add(k).Add(v.values).Add(v.secrets).Add(v.files);
  w.Add(h.follow_redirects).Add(h.enable_http2);
}

}  // namespace

std::string Fingerprint(const config::FileSdConfig& c, config::NameValidation names) {
  Writer w;
  w.Add(std::string("file")).Add(names == config::NameValidation::kLegacy);
  w.Add(c.files).Add(static_cast<int64_t>(c.refresh_interval.count()));
  return w.Take();
}

std::string Fingerprint(const config::HttpSdConfig& c, config::NameValidation names) {
  Writer w;
  w.Add(std::string("http")).Add(names == config::NameValidation::kLegacy);
  w.Add(c.url).Add(static_cast<int64_t>(c.refresh_interval.count()));
  AddHttp(w, c.http);
  return w.Take();
}

}  // namespace ferry::discovery::internal
