// ClientOptionsSource: turns a prometheus.yml HTTP client configuration
// (config::HttpClientConfig) into httpclient::ClientOptions, re-reading the
// secret files it names (bearer_token_file, basic_auth.password_file,
// authorization.credentials_file, ...) when they change on disk, as
// Prometheus does, so rotated Kubernetes service-account tokens are picked up
// without a reload.
//
// Thread-safety: Get() is thread-safe; the returned options are immutable.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "src/base/mutex.h"
#include "src/base/status.h"
#include "src/config/config.h"
#include "src/httpclient/client.h"

namespace ferry::httpclient {

class ClientOptionsSource {
 public:
  explicit ClientOptionsSource(config::HttpClientConfig config);

  // Current options. Files are checked at most once per second (by mtime
  // and size); an unreadable secret file is an error naming the file, and
  // the caller fails the request with it (Prometheus fails the scrape).
  Result<std::shared_ptr<const ClientOptions>> Get();

  // Extra request headers from http_headers (values, secrets, files).
  const std::vector<std::pair<std::string, std::string>>& static_headers() const {
    return static_headers_;
  }

 private:
  struct FileState {
    std::string path;
    int64_t mtime_ns = -1;
    int64_t size = -1;
  };
  Status Rebuild() FERRY_REQUIRES(mu_);
  bool FilesChanged() FERRY_REQUIRES(mu_);

  const config::HttpClientConfig config_;
  std::vector<std::pair<std::string, std::string>> static_headers_;
  Mutex mu_;
  std::vector<FileState> files_ FERRY_GUARDED_BY(mu_);
  std::shared_ptr<const ClientOptions> current_ FERRY_GUARDED_BY(mu_);
  std::chrono::steady_clock::time_point last_check_ FERRY_GUARDED_BY(mu_);
};

// Reads a secret file, trimming surrounding whitespace like Prometheus
// (strings.TrimSpace). Errors name the file.
Result<std::string> ReadSecretFile(const std::string& path);

}  // namespace ferry::httpclient
