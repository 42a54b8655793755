// HttpProvider: http_sd_configs, as Prometheus' discovery/http.
//
// Every refresh_interval (and once at start) it GETs the URL through the
// shared httpclient::Client with the entry's auth/TLS/proxy settings
// (ClientOptionsSource, so rotated secret files are re-read), sending
// "Accept: application/json" and "X-Prometheus-Refresh-Interval-Seconds".
// The answer must be HTTP 200 with Content-Type application/json (optionally
// ";charset=utf-8") and a JSON list of target groups (group_decoder.h). Group
// sources are "<url>:<index>" and labels gain __meta_url.
//
// Any failure (network, non-200, content type, bad body, secret file) keeps
// the last good groups and is reported ("server returned HTTP status 500
// Internal Server Error").
//
// [Threading] One thread per provider; see provider.h. A request in flight
// when Stop() is called is abandoned (its completion is ignored).
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "src/base/clock.h"
#include "src/config/config.h"
#include "src/discovery/group_decoder.h"
#include "src/discovery/provider.h"
#include "src/httpclient/client.h"
#include "src/httpclient/client_config.h"

namespace ferry::discovery {

// Checks a Content-Type header as Prometheus' matchContentType:
// ^(?i:application/json(;\s*charset=("utf-8"|utf-8))?)$ after trimming.
bool IsJsonContentType(std::string_view content_type);

// Decodes an http_sd body for "url": sources "<url>:<i>", __meta_url added.
Result<std::vector<TargetGroup>> DecodeHttpSdBody(std::string_view body, const std::string& url,
                                                  LabelNameRules rules);

class HttpProvider final : public Provider {
 public:
  // "client" must outlive the provider.
  HttpProvider(config::HttpSdConfig config, LabelNameRules rules, httpclient::Client& client,
               Clock& clock);
  ~HttpProvider() override;
  HttpProvider(const HttpProvider&) = delete;
  HttpProvider& operator=(const HttpProvider&) = delete;

  void Start(ReportFn report) override;
  void Stop() override;

 private:
  struct Shared;
  void Run(std::stop_token stop);
  RefreshReport Refresh();
  // The groups, or why this refresh failed.
  Result<std::vector<TargetGroup>> Fetch();

  const config::HttpSdConfig config_;
  const LabelNameRules rules_;
  httpclient::Client& client_;
  Clock& clock_;
  httpclient::ClientOptionsSource options_;
  std::shared_ptr<Shared> shared_;  // also held by in-flight request callbacks
  ReportFn report_;
  // Owned by the provider thread:
  std::vector<TargetGroup> last_reported_;
  bool reported_once_ = false;
  std::jthread thread_;
};

}  // namespace ferry::discovery
