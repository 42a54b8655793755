// Service discovery sections: file_sd_configs, http_sd_configs and
// kubernetes_sd_configs, with the checks of Prometheus' discovery/* packages.
#include <map>
#include <regex>
#include <set>

#include "src/config/internal/decode.h"

namespace ferry::config::internal {

Status DecodeFileSd(const Decoder& d, const YamlNode& node, const std::string& path,
                    FileSdConfig* out) {
  FERRY_ASSIGN_OR_RETURN(Fields f, Fields::Open(d, node, path, "file_sd config"));
  const YamlNode* files = f.Get("files");
  if (files != nullptr) FERRY_RETURN_IF_ERROR(d.ReadStringList(*files, f.Sub("files"), &out->files));
  FERRY_RETURN_IF_ERROR(f.Dur("refresh_interval", &out->refresh_interval));
  FERRY_RETURN_IF_ERROR(f.Finish());
  if (out->files.empty()) {
    return d.Error(node, path, "file service discovery config must contain at least one path name");
  }
  // discovery/file's patFileSDName: ^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$
  static const std::regex kPattern(R"(^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$)");
  for (size_t i = 0; i < out->files.size(); ++i) {
    const std::string& name = out->files[i];
    if (!std::regex_match(name, kPattern)) {
      return d.Error(files->items[i], IndexPath(f.Sub("files"), i),
                     "path name " + Quote(name) + " is not valid for file discovery");
    }
  }
  return Status::Ok();
}

Status DecodeHttpSd(const Decoder& d, const YamlNode& node, const std::string& path,
                    HttpSdConfig* out) {
  FERRY_ASSIGN_OR_RETURN(Fields f, Fields::Open(d, node, path, "http_sd config"));
  FERRY_RETURN_IF_ERROR(f.String("url", &out->url));
  FERRY_RETURN_IF_ERROR(f.Dur("refresh_interval", &out->refresh_interval));
  FERRY_RETURN_IF_ERROR(DecodeHttpClient(f, &out->http));
  FERRY_RETURN_IF_ERROR(f.Finish());
  if (out->url.empty()) return d.Error(node, JoinPath(path, "url"), "URL is missing");
  if (std::string err = CheckHttpUrl(out->url); !err.empty()) {
    return d.Error(*f.Get("url"), f.Sub("url"), err);
  }
  return Status::Ok();
}

namespace {

// A syntax check of Kubernetes label and field selectors: comma-separated
// requirements "key", "!key", "key=v", "key==v", "key!=v", "key in (a,b)",
// "key notin (a,b)". The API server does the full check at run time.
bool PlausibleSelector(const std::string& s) {
  static const std::regex kRequirement(
      R"(\s*!?\s*[A-Za-z0-9][-A-Za-z0-9_./]*\s*((==|=|!=)\s*[-A-Za-z0-9_.]*|\s+(in|notin)\s*\(\s*[-A-Za-z0-9_.]*(\s*,\s*[-A-Za-z0-9_.]*)*\s*\))?\s*)");
  if (s.empty()) return true;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i < s.size() && s[i] == '(') ++depth;
    if (i < s.size() && s[i] == ')') --depth;
    if (i == s.size() || (s[i] == ',' && depth == 0)) {
      if (!std::regex_match(s.substr(start, i - start), kRequirement)) return false;
      start = i + 1;
    }
  }
  return depth == 0;
}

}  // namespace

Status DecodeKubernetesSd(const Decoder& d, const YamlNode& node, const std::string& path,
                          KubernetesSdConfig* out) {
  FERRY_ASSIGN_OR_RETURN(Fields f, Fields::Open(d, node, path, "kubernetes_sd config"));
  const YamlNode* role = f.GetNonNull("role");
  if (role != nullptr) FERRY_RETURN_IF_ERROR(d.ReadString(*role, f.Sub("role"), &out->role));
  static const std::set<std::string> kRoles = {"pod",  "service", "endpoints", "endpointslice",
                                               "node", "ingress"};
  if (role != nullptr && kRoles.count(out->role) == 0) {
    return d.Error(*role, f.Sub("role"), "unknown Kubernetes SD role " + Quote(out->role));
  }
  FERRY_RETURN_IF_ERROR(f.String("api_server", &out->api_server));
  if (!out->api_server.empty()) {
    if (std::string err = CheckHttpUrl(out->api_server); !err.empty()) {
      return d.Error(*f.Get("api_server"), f.Sub("api_server"), err);
    }
  }
  FERRY_RETURN_IF_ERROR(f.String("kubeconfig_file", &out->kubeconfig_file));
  if (const YamlNode* n = f.Get("namespaces")) {
    FERRY_ASSIGN_OR_RETURN(Fields nf, Fields::Open(d, *n, f.Sub("namespaces"), "namespaces"));
    FERRY_RETURN_IF_ERROR(nf.Bool("own_namespace", &out->namespaces.own_namespace));
    FERRY_RETURN_IF_ERROR(nf.StringList("names", &out->namespaces.names));
    FERRY_RETURN_IF_ERROR(nf.Finish());
  }
  const YamlNode* selectors = f.Get("selectors");
  if (selectors != nullptr) {
    FERRY_RETURN_IF_ERROR(d.RequireSequence(*selectors, f.Sub("selectors")));
    for (size_t i = 0; i < selectors->items.size(); ++i) {
      const std::string p = IndexPath(f.Sub("selectors"), i);
      FERRY_ASSIGN_OR_RETURN(Fields sf, Fields::Open(d, selectors->items[i], p, "selector"));
      KubernetesSdConfig::Selector s;
      FERRY_RETURN_IF_ERROR(sf.String("role", &s.role));
      FERRY_RETURN_IF_ERROR(sf.String("label", &s.label));
      FERRY_RETURN_IF_ERROR(sf.String("field", &s.field));
      FERRY_RETURN_IF_ERROR(sf.Finish());
      if (!s.role.empty() && kRoles.count(s.role) == 0) {
        return d.Error(*sf.Get("role"), p + ".role", "unknown Kubernetes SD role " + Quote(s.role));
      }
      if (!PlausibleSelector(s.label)) {
        return d.Error(*sf.Get("label"), p + ".label", "invalid label selector " + Quote(s.label));
      }
      if (!PlausibleSelector(s.field)) {
        return d.Error(*sf.Get("field"), p + ".field", "invalid field selector " + Quote(s.field));
      }
      out->selectors.push_back(std::move(s));
    }
  }
  if (const YamlNode* n = f.Get("attach_metadata")) {
    FERRY_ASSIGN_OR_RETURN(Fields af,
                           Fields::Open(d, *n, f.Sub("attach_metadata"), "attach_metadata"));
    FERRY_RETURN_IF_ERROR(af.Bool("node", &out->attach_metadata.node));
    FERRY_RETURN_IF_ERROR(af.Bool("namespace", &out->attach_metadata.namespace_));
    FERRY_RETURN_IF_ERROR(af.Finish());
  }
  FERRY_RETURN_IF_ERROR(DecodeHttpClient(f, &out->http));
  FERRY_RETURN_IF_ERROR(f.Finish());

  // discovery/kubernetes SDConfig.UnmarshalYAML.
  if (out->role.empty()) {
    return d.Error(node, path,
                   "role missing (one of: pod, service, endpoints, endpointslice, node, ingress)");
  }
  const bool custom_http = out->http.basic_auth || out->http.authorization ||
                           !out->http.tls_config.ca_file.empty() ||
                           !out->http.tls_config.ca.empty() ||
                           !out->http.tls_config.cert_file.empty() ||
                           !out->http.tls_config.cert.empty() ||
                           !out->http.tls_config.server_name.empty() ||
                           out->http.tls_config.insecure_skip_verify ||
                           !out->http.proxy_url.empty() || out->http.proxy_from_environment ||
                           !out->http.follow_redirects || !out->http.enable_http2 ||
                           !out->http.http_headers.empty();
  if (out->api_server.empty() && custom_http) {
    return d.Error(node, path,
                   "to use custom HTTP client configuration please provide the 'api_server' URL "
                   "explicitly");
  }
  if (!out->api_server.empty() && !out->kubeconfig_file.empty()) {
    return d.Error(node, path, "cannot use 'kubeconfig_file' and 'api_server' simultaneously");
  }
  if (!out->kubeconfig_file.empty() && custom_http) {
    return d.Error(node, path,
                   "cannot use a custom HTTP client configuration together with 'kubeconfig_file'");
  }
  static const std::map<std::string, std::set<std::string>> kAllowed = {
      {"pod", {"pod"}},
      {"service", {"service"}},
      {"endpointslice", {"pod", "service", "endpointslice"}},
      {"endpoints", {"pod", "service", "endpoints"}},
      {"node", {"node"}},
      {"ingress", {"ingress"}}};
  static const std::map<std::string, std::string> kAllowedText = {
      {"pod", "pod"},
      {"service", "service"},
      {"endpointslice", "pod, service, endpointslice"},
      {"endpoints", "pod, service, endpoints"},
      {"node", "node"},
      {"ingress", "ingress"}};
  std::set<std::string> seen;
  for (size_t i = 0; i < out->selectors.size(); ++i) {
    const std::string& r = out->selectors[i].role;
    const YamlNode& sn = selectors->items[i];
    if (!seen.insert(r).second) {
      return d.Error(sn, IndexPath(f.Sub("selectors"), i), "duplicated selector role: " + r);
    }
    if (kAllowed.at(out->role).count(r) == 0) {
      return d.Error(sn, IndexPath(f.Sub("selectors"), i),
                     out->role + " role supports only " + kAllowedText.at(out->role) +
                         " selectors");
    }
  }
  return Status::Ok();
}

}  // namespace ferry::config::internal
