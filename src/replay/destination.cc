#include "src/replay/destination.h"

namespace ferry::replay {

Result<std::shared_ptr<const ship::Endpoint>> ResolveEndpoint(const JobSpec& spec,
                                                              const config::Config* cfg) {
  config::RemoteWriteConfig rw;
  labels::Labels external;
  if (!spec.remote_write_name.empty()) {
    const config::RemoteWriteConfig* found = nullptr;
    if (cfg != nullptr) {
      for (const config::RemoteWriteConfig& c : cfg->remote_write) {
        std::string identity = c.name.empty() ? ship::UrlIdentity(c.url) : c.name;
        if (identity == spec.remote_write_name) found = &c;
      }
    }
    if (found == nullptr) {
      return Status::NotFound("remote_write_name: no remote_write section named \"" +
                              spec.remote_write_name + "\" in the configuration");
    }
    rw = *found;
    external = cfg->global.external_labels;
  } else {
    const UrlDestination& u = spec.url;
    rw.url = u.url;
    rw.name = "replay-url";
    rw.http = config::DefaultRemoteWriteHttpClientConfig();
    if (!u.bearer_token_file.empty()) {
      config::Authorization a;
      a.credentials_file = u.bearer_token_file;
      rw.http.authorization = a;
    }
    if (!u.basic_auth_user.empty()) {
      config::BasicAuth b;
      b.username = u.basic_auth_user;
      b.password_file = u.basic_auth_password_file;
      rw.http.basic_auth = b;
    }
    rw.http.tls_config.ca_file = u.tls_ca_file;
    rw.http.tls_config.cert_file = u.tls_cert_file;
    rw.http.tls_config.key_file = u.tls_key_file;
    rw.http.tls_config.server_name = u.tls_server_name;
    rw.http.tls_config.insecure_skip_verify = u.tls_insecure_skip_verify;
    rw.headers = u.headers;
  }
  if (spec.protocol) {
    rw.protobuf_message = std::string(*spec.protocol == Protocol::kV2 ? config::kProtobufMessageV2
                                                                      : config::kProtobufMessageV1);
  }
  return ship::Endpoint::Compile(rw, external, 0);
}

}  // namespace ferry::replay
