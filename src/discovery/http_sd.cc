#include "src/discovery/http_sd.h"

#include <algorithm>
#include <optional>

#include "src/base/mutex.h"
#include "src/discovery/internal/text.h"

namespace ferry::discovery {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// Go's http.Response.Status text for the common codes ("500 Internal Server Error").
std::string StatusText(int code) {
  static const std::pair<int, const char*> kTexts[] = {
      {301, "Moved Permanently"}, {302, "Found"},         {304, "Not Modified"},
      {400, "Bad Request"},       {401, "Unauthorized"},  {403, "Forbidden"},
      {404, "Not Found"},         {429, "Too Many Requests"}, {500, "Internal Server Error"},
      {502, "Bad Gateway"},       {503, "Service Unavailable"}, {504, "Gateway Timeout"}};
  for (const auto& [c, text] : kTexts) {
    if (c == code) return std::to_string(code) + " " + text;
  }
  return std::to_string(code);
}

}  // namespace

bool IsJsonContentType(std::string_view content_type) {
  const std::string s = Lower(Trim(content_type));
  constexpr std::string_view kBase = "application/json";
  if (s == kBase) return true;
  if (s.compare(0, kBase.size(), kBase) != 0 || s.size() == kBase.size() || s[kBase.size()] != ';') {
    return false;
  }
  std::string_view rest = std::string_view(s).substr(kBase.size() + 1);
  while (!rest.empty() && IsSpace(rest.front())) rest.remove_prefix(1);
  return rest == "charset=utf-8" || rest == "charset=\"utf-8\"";
}

Result<std::vector<TargetGroup>> DecodeHttpSdBody(std::string_view body, const std::string& url,
                                                  LabelNameRules rules) {
  FERRY_ASSIGN_OR_RETURN(std::vector<TargetGroup> groups,
                         DecodeTargetGroups(body, GroupFormat::kJson, rules));
  for (size_t i = 0; i < groups.size(); ++i) {
    groups[i].source = url + ":" + std::to_string(i);
    labels::LabelsBuilder b(groups[i].labels);
    b.Set(kUrlLabel, url);
    groups[i].labels = b.Build();
  }
  return groups;
}

struct HttpProvider::Shared {
  Mutex mu;
  CondVar cv;
  bool stop FERRY_GUARDED_BY(mu) = false;
  uint64_t generation FERRY_GUARDED_BY(mu) = 0;  // which request "response" answers
  std::optional<httpclient::Response> response FERRY_GUARDED_BY(mu);
};

HttpProvider::HttpProvider(config::HttpSdConfig config, LabelNameRules rules,
                           httpclient::Client& client, Clock& clock)
    : config_(std::move(config)),
      rules_(rules),
      client_(client),
      clock_(clock),
      options_(config_.http),
      shared_(std::make_shared<Shared>()) {}

HttpProvider::~HttpProvider() { Stop(); }

void HttpProvider::Start(ReportFn report) {
  report_ = std::move(report);
  thread_ = std::jthread([this](std::stop_token st) { Run(st); });
}

void HttpProvider::Stop() {
  if (!thread_.joinable()) return;
  {
    MutexLock l(shared_->mu);
    shared_->stop = true;
  }
  shared_->cv.NotifyAll();
  thread_.request_stop();
  thread_.join();
}

void HttpProvider::Run(std::stop_token stop) {
  const auto interval = std::max(config_.refresh_interval, std::chrono::milliseconds(1));
  while (!stop.stop_requested()) {
    RefreshReport r = Refresh();
    {
      MutexLock l(shared_->mu);
      if (shared_->stop) return;  // a refresh cut short by Stop() is not reported
    }
    report_(std::move(r));
    MutexLock l(shared_->mu);
    const auto deadline = std::chrono::steady_clock::now() + interval;
    while (!shared_->stop && std::chrono::steady_clock::now() < deadline) {
      shared_->cv.WaitFor(shared_->mu, deadline - std::chrono::steady_clock::now(),
                          [&]() FERRY_REQUIRES(shared_->mu) { return shared_->stop; });
    }
    if (shared_->stop) return;
  }
}

Result<std::vector<TargetGroup>> HttpProvider::Fetch() {
  FERRY_ASSIGN_OR_RETURN(std::shared_ptr<const httpclient::ClientOptions> options,
                         options_.Get());
  httpclient::Request req;
  req.method = "GET";
  req.url = config_.url;
  req.headers = options_.static_headers();
  req.headers.emplace_back("Accept", "application/json");
  req.headers.emplace_back("X-Prometheus-Refresh-Interval-Seconds",
                           internal::FormatSeconds(config_.refresh_interval.count()));
  // A refresh never outlasts its interval, nor waits longer than a minute.
  req.timeout = std::clamp(config_.refresh_interval, std::chrono::milliseconds(1000),
                           std::chrono::milliseconds(60'000));
  req.max_body_bytes = kMaxGroupDocumentBytes;
  req.accept_gzip = true;
  req.options = std::move(options);

  uint64_t gen;
  {
    MutexLock l(shared_->mu);
    gen = ++shared_->generation;
    shared_->response.reset();
  }
  std::shared_ptr<Shared> shared = shared_;
  client_.Submit(std::move(req), [shared, gen](httpclient::Response&& resp) {
    {
      MutexLock l(shared->mu);
      if (shared->generation != gen) return;
      shared->response = std::move(resp);
    }
    shared->cv.NotifyAll();
  });
  httpclient::Response resp;
  {
    MutexLock l(shared_->mu);
    shared_->cv.Wait(shared_->mu, [&]() FERRY_REQUIRES(shared_->mu) {
      return shared_->stop || shared_->response.has_value();
    });
    if (!shared_->response.has_value()) return Status::Cancelled("discovery stopped");
    resp = std::move(*shared_->response);
    shared_->response.reset();
  }
  if (!resp.status.ok()) return resp.status;
  if (resp.http_status != 200) {
    return Status::Unavailable("server returned HTTP status " + StatusText(resp.http_status));
  }
  const std::string content_type = resp.Header("content-type");
  if (!IsJsonContentType(content_type)) {
    return Status::InvalidArgument("unsupported content type " + internal::Quote(content_type));
  }
  return DecodeHttpSdBody(resp.body, config_.url, rules_);
}

RefreshReport HttpProvider::Refresh() {
  RefreshReport report;
  Result<std::vector<TargetGroup>> groups = Fetch();
  report.time = clock_.SystemNow();
  if (!groups.ok()) {
    report.failures = 1;
    report.error = groups.status().message();
    return report;
  }
  if (!reported_once_ || groups.value() != last_reported_) {
    reported_once_ = true;
    last_reported_ = groups.value();
    report.groups = std::move(groups.value());
  }
  return report;
}

}  // namespace ferry::discovery
