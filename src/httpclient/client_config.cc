#include "src/httpclient/client_config.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ferry::httpclient {
namespace {

std::string Trim(std::string s) {
  const char* ws = " \t\r\n\v\f";
  s.erase(0, s.find_first_not_of(ws));
  s.erase(s.find_last_not_of(ws) + 1);
  return s;
}

}  // namespace

Result<std::string> ReadSecretFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::InvalidArgument("unable to read secret file " + path + ": " +
                                   std::strerror(errno));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return Trim(ss.str());
}

ClientOptionsSource::ClientOptionsSource(config::HttpClientConfig config)
    : config_(std::move(config)) {
  for (const auto& [name, h] : config_.http_headers) {
    for (const auto& v : h.values) static_headers_.emplace_back(name, v);
    for (const auto& v : h.secrets) static_headers_.emplace_back(name, v);
  }
  MutexLock l(mu_);
  auto add = [this](const std::string& p) FERRY_REQUIRES(mu_) {
    if (!p.empty()) files_.push_back({p});
  };
  add(config_.bearer_token_file);
  if (config_.basic_auth) {
    add(config_.basic_auth->password_file);
    add(config_.basic_auth->username_file);
  }
  if (config_.authorization) add(config_.authorization->credentials_file);
}

bool ClientOptionsSource::FilesChanged() {
  bool changed = false;
  for (FileState& f : files_) {
    struct stat st {};
    int64_t mtime = -2, size = -2;
    if (stat(f.path.c_str(), &st) == 0) {
      mtime = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
      size = st.st_size;
    }
    if (mtime != f.mtime_ns || size != f.size) {
      f.mtime_ns = mtime;
      f.size = size;
      changed = true;
    }
  }
  return changed;
}

Status ClientOptionsSource::Rebuild() {
  auto o = std::make_shared<ClientOptions>();
  const config::HttpClientConfig& c = config_;
  if (c.basic_auth) {
    o->basic_auth_user = c.basic_auth->username;
    if (!c.basic_auth->username_file.empty()) {
      FERRY_ASSIGN_OR_RETURN(o->basic_auth_user, ReadSecretFile(c.basic_auth->username_file));
    }
    o->basic_auth_password = c.basic_auth->password;
    if (!c.basic_auth->password_file.empty()) {
      FERRY_ASSIGN_OR_RETURN(o->basic_auth_password, ReadSecretFile(c.basic_auth->password_file));
    }
  }
  if (c.authorization) {
    std::string creds = c.authorization->credentials;
    if (!c.authorization->credentials_file.empty()) {
      FERRY_ASSIGN_OR_RETURN(creds, ReadSecretFile(c.authorization->credentials_file));
    }
    if (!creds.empty()) o->authorization = c.authorization->type + " " + creds;
  }
  if (!c.bearer_token.empty()) o->authorization = "Bearer " + c.bearer_token;
  if (!c.bearer_token_file.empty()) {
    FERRY_ASSIGN_OR_RETURN(std::string token, ReadSecretFile(c.bearer_token_file));
    o->authorization = "Bearer " + token;
  }
  if (c.oauth2) return Status::InvalidArgument("oauth2 is not supported yet");
  const config::TlsConfig& t = c.tls_config;
  o->tls.ca_file = t.ca_file;
  o->tls.cert_file = t.cert_file;
  o->tls.key_file = t.key_file;
  o->tls.ca_pem = t.ca;
  o->tls.cert_pem = t.cert;
  o->tls.key_pem = t.key;
  o->tls.server_name = t.server_name;
  o->tls.insecure_skip_verify = t.insecure_skip_verify;
  o->tls.min_version = t.min_version;
  o->proxy_url = c.proxy_url;
  o->no_proxy = c.no_proxy;
  o->follow_redirects = c.follow_redirects;
  o->enable_http2 = c.enable_http2;
  current_ = std::move(o);
  return Status::Ok();
}

Result<std::shared_ptr<const ClientOptions>> ClientOptionsSource::Get() {
  MutexLock l(mu_);
  auto now = std::chrono::steady_clock::now();
  if (current_ && now - last_check_ < std::chrono::seconds(1)) return current_;
  last_check_ = now;
  if (FilesChanged() || !current_) {
    Status s = Rebuild();
    if (!s.ok()) {
      current_.reset();  // retry the files on the next call
      return s;
    }
  }
  return current_;
}

}  // namespace ferry::httpclient
