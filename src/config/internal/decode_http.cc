// HTTP client settings shared by scrape configs, remote_write and service
// discovery: Prometheus' common/config HTTPClientConfig rules.
#include <filesystem>

#include "src/config/internal/decode.h"

namespace ferry::config::internal {
namespace {

Status DecodeTls(const Decoder& d, const YamlNode& node, const std::string& path,
                 TlsConfig* out) {
  FERRY_ASSIGN_OR_RETURN(Fields f, Fields::Open(d, node, path, "tls_config"));
  FERRY_RETURN_IF_ERROR(f.String("ca", &out->ca));
  FERRY_RETURN_IF_ERROR(f.String("cert", &out->cert));
  FERRY_RETURN_IF_ERROR(f.String("key", &out->key));
  FERRY_RETURN_IF_ERROR(f.String("ca_file", &out->ca_file));
  FERRY_RETURN_IF_ERROR(f.String("cert_file", &out->cert_file));
  FERRY_RETURN_IF_ERROR(f.String("key_file", &out->key_file));
  FERRY_RETURN_IF_ERROR(f.String("server_name", &out->server_name));
  FERRY_RETURN_IF_ERROR(f.Bool("insecure_skip_verify", &out->insecure_skip_verify));
  for (auto [key, field] : {std::pair{"min_version", &out->min_version},
                            std::pair{"max_version", &out->max_version}}) {
    FERRY_RETURN_IF_ERROR(f.String(key, field));
    if (!field->empty() && *field != "TLS10" && *field != "TLS11" && *field != "TLS12" &&
        *field != "TLS13") {
      return d.Error(*f.Get(key), f.Sub(key), "unknown TLS version: " + *field);
    }
  }
  FERRY_RETURN_IF_ERROR(f.Finish());
  if (!out->ca.empty() && !out->ca_file.empty()) {
    return d.Error(node, path, "at most one of ca and ca_file must be configured");
  }
  if (!out->cert.empty() && !out->cert_file.empty()) {
    return d.Error(node, path, "at most one of cert and cert_file must be configured");
  }
  if (!out->key.empty() && !out->key_file.empty()) {
    return d.Error(node, path, "at most one of key and key_file must be configured");
  }
  const bool cert = !out->cert.empty() || !out->cert_file.empty();
  const bool key = !out->key.empty() || !out->key_file.empty();
  if (cert && !key) {
    return d.Error(node, path,
                   "exactly one of key or key_file must be configured when a client "
                   "certificate is configured");
  }
  if (key && !cert) {
    return d.Error(node, path,
                   "exactly one of cert or cert_file must be configured when a client key is "
                   "configured");
  }
  return Status::Ok();
}

Status DecodeProxy(Fields& f, std::string* proxy_url, std::string* no_proxy,
                   bool* from_environment,
                   std::map<std::string, std::vector<std::string>>* connect_header) {
  const Decoder& d = f.decoder();
  FERRY_RETURN_IF_ERROR(f.String("proxy_url", proxy_url));
  if (!proxy_url->empty()) {
    if (std::string err = CheckAbsoluteUrl(*proxy_url); !err.empty()) {
      return d.Error(*f.Get("proxy_url"), f.Sub("proxy_url"), err);
    }
  }
  FERRY_RETURN_IF_ERROR(f.String("no_proxy", no_proxy));
  FERRY_RETURN_IF_ERROR(f.Bool("proxy_from_environment", from_environment));
  if (const YamlNode* n = f.Get("proxy_connect_header")) {
    FERRY_RETURN_IF_ERROR(d.ReadStringListMap(*n, f.Sub("proxy_connect_header"), connect_header));
  }
  const YamlMark at = f.node().mark;
  if (!connect_header->empty() && !*from_environment && proxy_url->empty()) {
    return d.Error(at, f.path(),
                   "if proxy_connect_header is configured, proxy_url or proxy_from_environment "
                   "must also be configured");
  }
  if (*from_environment && !proxy_url->empty()) {
    return d.Error(at, f.path(),
                   "if proxy_from_environment is configured, proxy_url must not be configured");
  }
  if (*from_environment && !no_proxy->empty()) {
    return d.Error(at, f.path(),
                   "if proxy_from_environment is configured, no_proxy must not be configured");
  }
  if (proxy_url->empty() && !no_proxy->empty()) {
    return d.Error(at, f.path(), "if no_proxy is configured, proxy_url must also be configured");
  }
  return Status::Ok();
}

Status DecodeOAuth2(const Decoder& d, const YamlNode& node, const std::string& path,
                    OAuth2* out) {
  FERRY_ASSIGN_OR_RETURN(Fields f, Fields::Open(d, node, path, "oauth2"));
  FERRY_RETURN_IF_ERROR(f.String("client_id", &out->client_id));
  FERRY_RETURN_IF_ERROR(f.String("client_secret", &out->client_secret));
  FERRY_RETURN_IF_ERROR(f.String("client_secret_file", &out->client_secret_file));
  FERRY_RETURN_IF_ERROR(f.StringList("scopes", &out->scopes));
  FERRY_RETURN_IF_ERROR(f.String("token_url", &out->token_url));
  FERRY_RETURN_IF_ERROR(f.StringMap("endpoint_params", &out->endpoint_params));
  TlsConfig tls;
  if (const YamlNode* n = f.Get("tls_config")) {
    FERRY_RETURN_IF_ERROR(DecodeTls(d, *n, f.Sub("tls_config"), &tls));
  }
  std::string proxy_url, no_proxy;
  bool from_env = false;
  std::map<std::string, std::vector<std::string>> connect_header;
  FERRY_RETURN_IF_ERROR(DecodeProxy(f, &proxy_url, &no_proxy, &from_env, &connect_header));
  FERRY_RETURN_IF_ERROR(f.Finish());
  if (out->client_id.empty()) return d.Error(node, path, "oauth2 client_id must be configured");
  if (out->token_url.empty()) return d.Error(node, path, "oauth2 token_url must be configured");
  if (!out->client_secret.empty() && !out->client_secret_file.empty()) {
    return d.Error(node, path,
                   "at most one of oauth2 client_secret & client_secret_file must be configured");
  }
  return Status::Ok();
}

Status DecodeHeaders(const Decoder& d, const YamlNode& node, const std::string& path,
                     std::map<std::string, HttpClientConfig::Header>* out) {
  if (node.IsNull()) return Status::Ok();
  if (node.kind != YamlNode::Kind::kMap) {
    return d.Error(node, path, "cannot unmarshal " + std::string(node.KindName()) + " into headers");
  }
  // common/config's ReservedHeaders, compared case-insensitively.
  static const char* const kReserved[] = {
      "authorization", "host", "content-encoding", "content-length", "content-type", "user-agent",
      "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "www-authenticate",
      "accept-encoding", "x-prometheus-remote-write-version", "x-prometheus-remote-read-version",
      "x-prometheus-scrape-timeout-seconds", "x-amz-date", "x-amz-security-token",
      "x-amz-content-sha256"};
  for (const auto& [k, v] : node.entries) {
    std::string name;
    FERRY_RETURN_IF_ERROR(d.ReadString(k, path, &name));
    std::string lower;
    for (char c : name) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    for (const char* r : kReserved) {
      if (lower == r) return d.Error(k, path, "setting header " + Quote(name) + " is not allowed");
    }
    const std::string sub = JoinPath(path, name);
    FERRY_ASSIGN_OR_RETURN(Fields hf, Fields::Open(d, v, sub, "header"));
    HttpClientConfig::Header& h = (*out)[name];
    FERRY_RETURN_IF_ERROR(hf.StringList("values", &h.values));
    FERRY_RETURN_IF_ERROR(hf.StringList("secrets", &h.secrets));
    FERRY_RETURN_IF_ERROR(hf.StringList("files", &h.files));
    FERRY_RETURN_IF_ERROR(hf.Finish());
  }
  return Status::Ok();
}

}  // namespace

Status DecodeHttpClient(Fields& f, HttpClientConfig* out) {
  const Decoder& d = f.decoder();
  if (const YamlNode* n = f.GetNonNull("basic_auth")) {
    FERRY_ASSIGN_OR_RETURN(Fields b, Fields::Open(d, *n, f.Sub("basic_auth"), "basic_auth"));
    BasicAuth ba;
    FERRY_RETURN_IF_ERROR(b.String("username", &ba.username));
    FERRY_RETURN_IF_ERROR(b.String("username_file", &ba.username_file));
    FERRY_RETURN_IF_ERROR(b.String("password", &ba.password));
    FERRY_RETURN_IF_ERROR(b.String("password_file", &ba.password_file));
    FERRY_RETURN_IF_ERROR(b.Finish());
    if (!ba.username.empty() && !ba.username_file.empty()) {
      return d.Error(*n, f.Sub("basic_auth"),
                     "at most one of basic_auth username & username_file must be configured");
    }
    if (!ba.password.empty() && !ba.password_file.empty()) {
      return d.Error(*n, f.Sub("basic_auth"),
                     "at most one of basic_auth password & password_file must be configured");
    }
    out->basic_auth = std::move(ba);
  }
  if (const YamlNode* n = f.GetNonNull("authorization")) {
    FERRY_ASSIGN_OR_RETURN(Fields a, Fields::Open(d, *n, f.Sub("authorization"), "authorization"));
    Authorization auth;
    auth.type.clear();
    FERRY_RETURN_IF_ERROR(a.String("type", &auth.type));
    FERRY_RETURN_IF_ERROR(a.String("credentials", &auth.credentials));
    FERRY_RETURN_IF_ERROR(a.String("credentials_file", &auth.credentials_file));
    FERRY_RETURN_IF_ERROR(a.Finish());
    out->authorization = std::move(auth);
  }
  const YamlNode* oauth2_node = f.GetNonNull("oauth2");
  if (oauth2_node != nullptr) {
    OAuth2 o;
    FERRY_RETURN_IF_ERROR(DecodeOAuth2(d, *oauth2_node, f.Sub("oauth2"), &o));
    out->oauth2 = std::move(o);
  }
  FERRY_RETURN_IF_ERROR(f.String("bearer_token", &out->bearer_token));
  FERRY_RETURN_IF_ERROR(f.String("bearer_token_file", &out->bearer_token_file));
  if (const YamlNode* n = f.Get("tls_config")) {
    FERRY_RETURN_IF_ERROR(DecodeTls(d, *n, f.Sub("tls_config"), &out->tls_config));
  }
  FERRY_RETURN_IF_ERROR(f.Bool("follow_redirects", &out->follow_redirects));
  FERRY_RETURN_IF_ERROR(f.Bool("enable_http2", &out->enable_http2));
  FERRY_RETURN_IF_ERROR(DecodeProxy(f, &out->proxy_url, &out->no_proxy,
                                    &out->proxy_from_environment, &out->proxy_connect_header));
  if (const YamlNode* n = f.Get("http_headers")) {
    FERRY_RETURN_IF_ERROR(DecodeHeaders(d, *n, f.Sub("http_headers"), &out->http_headers));
  }

  // common/config HTTPClientConfig.Validate, in its order.
  const YamlMark at = f.node().mark;
  const bool bearer = !out->bearer_token.empty() || !out->bearer_token_file.empty();
  if (!out->bearer_token.empty() && !out->bearer_token_file.empty()) {
    return d.Error(f.KeyMark("bearer_token_file"), f.path(),
                   "at most one of bearer_token & bearer_token_file must be configured");
  }
  if ((out->basic_auth || out->oauth2) && bearer) {
    return d.Error(at, f.path(),
                   "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be "
                   "configured");
  }
  if (out->authorization) {
    Authorization& auth = *out->authorization;
    if (bearer) {
      return d.Error(f.KeyMark("authorization"), f.Sub("authorization"),
                     "authorization is not compatible with bearer_token & bearer_token_file");
    }
    if (!auth.credentials.empty() && !auth.credentials_file.empty()) {
      return d.Error(f.KeyMark("authorization"), f.Sub("authorization"),
                     "at most one of authorization credentials & credentials_file must be "
                     "configured");
    }
    // strings.TrimSpace, then the "Bearer" default.
    const size_t b = auth.type.find_first_not_of(" \t\r\n\v\f");
    auth.type = b == std::string::npos
                    ? std::string()
                    : auth.type.substr(b, auth.type.find_last_not_of(" \t\r\n\v\f") - b + 1);
    if (auth.type.empty()) auth.type = "Bearer";
    std::string lower;
    for (char c : auth.type) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (lower == "basic") {
      return d.Error(f.KeyMark("authorization"), f.Sub("authorization"),
                     "authorization type cannot be set to \"basic\", use \"basic_auth\" instead");
    }
    if (out->basic_auth || out->oauth2) {
      return d.Error(at, f.path(),
                     "at most one of basic_auth, oauth2 & authorization must be configured");
    }
  } else if (bearer) {
    Authorization auth;
    auth.credentials = out->bearer_token;
    auth.credentials_file = out->bearer_token_file;
    out->authorization = std::move(auth);
  }
  if (out->oauth2 && out->basic_auth) {
    return d.Error(at, f.path(),
                   "at most one of basic_auth, oauth2 & authorization must be configured");
  }
  if (out->oauth2) {
    return d.Error(*oauth2_node, f.Sub("oauth2"),
                   "oauth2 is not supported yet by ferry; use authorization with "
                   "credentials_file (a token refreshed by a sidecar) instead");
  }
  return Status::Ok();
}

std::string CheckAbsoluteUrl(std::string_view url) {
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0) {
    return "invalid URL " + Quote(url) + ": missing scheme (expected scheme://host)";
  }
  for (size_t i = 0; i < sep; ++i) {
    const char c = url[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok) return "invalid URL " + Quote(url) + ": bad scheme";
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return "invalid URL " + Quote(url) + ": contains whitespace or control characters";
    }
  }
  std::string_view rest = url.substr(sep + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string_view host = authority;
  if (!host.empty() && host[0] == '[') {
    const size_t close = host.find(']');
    if (close == std::string_view::npos) return "invalid URL " + Quote(url) + ": bad IPv6 host";
    host = host.substr(0, close + 1);
    authority.remove_prefix(close + 1);
  } else {
    host = host.substr(0, host.find(':'));
    authority.remove_prefix(host.size());
  }
  if (host.empty()) return "host is missing in URL " + Quote(url);
  if (!authority.empty()) {  // ":port"
    std::string_view port = authority.substr(1);
    if (authority[0] != ':') return "invalid URL " + Quote(url) + ": bad host";
    for (char c : port) {
      if (c < '0' || c > '9') return "invalid port " + Quote(port) + " in URL " + Quote(url);
    }
  }
  return "";
}

std::string CheckHttpUrl(std::string_view url) {
  const size_t sep = url.find("://");
  std::string scheme(url.substr(0, sep == std::string_view::npos ? 0 : sep));
  for (char& c : scheme) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (scheme != "http" && scheme != "https") {
    return "URL scheme must be 'http' or 'https', got " + Quote(url);
  }
  return CheckAbsoluteUrl(url);
}

std::string JoinDir(const std::string& dir, const std::string& path) {
  if (path.empty() || dir.empty() || path[0] == '/') return path;
  return (std::filesystem::path(dir) / path).lexically_normal().string();
}

void SetDirectory(const std::string& dir, HttpClientConfig* http) {
  TlsConfig& tls = http->tls_config;
  tls.ca_file = JoinDir(dir, tls.ca_file);
  tls.cert_file = JoinDir(dir, tls.cert_file);
  tls.key_file = JoinDir(dir, tls.key_file);
  if (http->basic_auth) {
    http->basic_auth->username_file = JoinDir(dir, http->basic_auth->username_file);
    http->basic_auth->password_file = JoinDir(dir, http->basic_auth->password_file);
  }
  if (http->authorization) {
    http->authorization->credentials_file = JoinDir(dir, http->authorization->credentials_file);
  }
  if (http->oauth2) {
    http->oauth2->client_secret_file = JoinDir(dir, http->oauth2->client_secret_file);
  }
  http->bearer_token_file = JoinDir(dir, http->bearer_token_file);
  for (auto& [name, header] : http->http_headers) {
    for (std::string& file : header.files) file = JoinDir(dir, file);
  }
}

HttpClientConfig DefaultRemoteWriteHttpClientConfig() {
  HttpClientConfig c;
  c.follow_redirects = true;
  c.enable_http2 = false;
  return c;
}

}  // namespace ferry::config::internal

namespace ferry::config {
HttpClientConfig DefaultRemoteWriteHttpClientConfig() {
  return internal::DefaultRemoteWriteHttpClientConfig();
}
}  // namespace ferry::config
