// The section decoders behind LoadString(): each turns one YAML section into
// its struct, applies Prometheus' defaults and validation, and reports
// errors as "FILE:LINE:COL: path: message". Internal to src/config.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "src/base/status.h"
#include "src/config/config.h"
#include "src/config/duration.h"
#include "src/config/internal/decoder.h"
#include "src/config/internal/yaml_tree.h"
#include "src/relabel/relabel_config.h"

namespace ferry::config::internal {

// Prometheus' validateAcceptScrapeProtocols; "suffix" is appended to the
// message (" for global config", " for scrape config with job name ...").
Status ValidateScrapeProtocols(const Decoder& d, const YamlMark& at, const std::string& path,
                               const std::vector<std::string>& protocols,
                               std::string_view suffix);
// metric_name_validation_scheme / metric_name_escaping_scheme of "f";
// "*set" tells whether the key was given (nullable).
Status ReadNameValidation(Fields& f, NameValidation* out, bool* set);
Status ReadEscapingScheme(Fields& f, std::string* out);

// global:
Status DecodeGlobal(const Decoder& d, const YamlNode& node, GlobalConfig* out);

// The HTTP client keys that Prometheus inlines into scrape, remote_write and
// SD sections (basic_auth, authorization, oauth2, bearer_token[_file],
// tls_config, proxy_*, follow_redirects, enable_http2, http_headers), read
// from "f" and validated with common/config's rules. Legacy bearer_token*
// are folded into authorization. oauth2 is validated, then refused.
Status DecodeHttpClient(Fields& f, HttpClientConfig* out);

// A list of relabel rules. "null_message" is Prometheus' error for a null
// element (e.g. "empty or null target relabeling rule in scrape config").
Status DecodeRelabelConfigs(const Decoder& d, const YamlNode& node, const std::string& path,
                            NameValidation scheme, std::string_view null_message,
                            std::vector<relabel::RelabelConfig>* out);

// One element of scrape_configs, with the inheritance from "global" applied.
Status DecodeScrapeConfig(const Decoder& d, const YamlNode& node, const std::string& path,
                          const GlobalConfig& global, ScrapeConfig* out);

// Service discovery sections (elements of the *_sd_configs lists).
Status DecodeFileSd(const Decoder& d, const YamlNode& node, const std::string& path,
                    FileSdConfig* out);
Status DecodeHttpSd(const Decoder& d, const YamlNode& node, const std::string& path,
                    HttpSdConfig* out);
Status DecodeKubernetesSd(const Decoder& d, const YamlNode& node, const std::string& path,
                          KubernetesSdConfig* out);

// One element of remote_write.
Status DecodeRemoteWrite(const Decoder& d, const YamlNode& node, const std::string& path,
                         NameValidation scheme, RemoteWriteConfig* out);

// Checks an http(s) URL: a scheme of http or https and a host. Returns the
// problem as text ("" when fine), worded like Prometheus' http_sd checks.
std::string CheckHttpUrl(std::string_view url);
// Checks any absolute URL (proxy_url, api_server): scheme://host.
std::string CheckAbsoluteUrl(std::string_view url);

// Prometheus' SetDirectory: joins relative file paths with "dir".
std::string JoinDir(const std::string& dir, const std::string& path);
void SetDirectory(const std::string& dir, HttpClientConfig* http);
void SetDirectory(const std::string& dir, ScrapeConfig* scrape);

}  // namespace ferry::config::internal
