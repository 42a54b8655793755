#include "src/scrape/scrape_loop.h"

#include <algorithm>
#include <cstdio>

#include "src/base/log.h"

namespace ferry::scrape {
namespace {

constexpr std::string_view kComponent = "scrape";

ScrapeSettings SettingsFor(const PoolSettings& pool) {
  const config::ScrapeConfig& c = *pool.config;
  ScrapeSettings s;
  s.honor_labels = c.honor_labels;
  s.honor_timestamps = c.honor_timestamps;
  s.track_timestamps_staleness = c.track_timestamps_staleness;
  s.sample_limit = c.sample_limit;
  s.label_limit = c.label_limit;
  s.label_name_length_limit = c.label_name_length_limit;
  s.label_value_length_limit = c.label_value_length_limit;
  s.metric_relabeler = pool.metric_relabeler.get();
  if (!c.fallback_scrape_protocol.empty()) {
    auto p = parse::ParseScrapeProtocol(c.fallback_scrape_protocol);
    if (p.ok()) s.fallback_protocol = *p;
  }
  return s;
}

// "<code> <reason>" as Go's resp.Status shows it for the reason phrases of
// net/http (which standard servers send); other codes show the number only.
std::string HttpStatusText(int code) {
  static constexpr std::pair<int, std::string_view> kReasons[] = {
      {100, "Continue"}, {101, "Switching Protocols"}, {200, "OK"}, {201, "Created"},
      {202, "Accepted"}, {203, "Non-Authoritative Information"}, {204, "No Content"},
      {205, "Reset Content"}, {206, "Partial Content"}, {300, "Multiple Choices"},
      {301, "Moved Permanently"}, {302, "Found"}, {303, "See Other"}, {304, "Not Modified"},
      {305, "Use Proxy"}, {307, "Temporary Redirect"}, {308, "Permanent Redirect"},
      {400, "Bad Request"}, {401, "Unauthorized"}, {402, "Payment Required"},
      {403, "Forbidden"}, {404, "Not Found"}, {405, "Method Not Allowed"},
      {406, "Not Acceptable"}, {407, "Proxy Authentication Required"},
      {408, "Request Timeout"}, {409, "Conflict"}, {410, "Gone"}, {411, "Length Required"},
      {412, "Precondition Failed"}, {413, "Request Entity Too Large"},
      {414, "Request URI Too Long"}, {415, "Unsupported Media Type"},
      {416, "Requested Range Not Satisfiable"}, {417, "Expectation Failed"},
      {418, "I'm a teapot"}, {421, "Misdirected Request"}, {422, "Unprocessable Entity"},
      {423, "Locked"}, {424, "Failed Dependency"}, {425, "Too Early"},
      {426, "Upgrade Required"}, {428, "Precondition Required"}, {429, "Too Many Requests"},
      {431, "Request Header Fields Too Large"}, {451, "Unavailable For Legal Reasons"},
      {500, "Internal Server Error"}, {501, "Not Implemented"}, {502, "Bad Gateway"},
      {503, "Service Unavailable"}, {504, "Gateway Timeout"},
      {505, "HTTP Version Not Supported"}, {506, "Variant Also Negotiates"},
      {507, "Insufficient Storage"}, {508, "Loop Detected"}, {510, "Not Extended"},
      {511, "Network Authentication Required"}};
  for (const auto& [c, reason] : kReasons) {
    if (c == code) return std::to_string(code) + " " + std::string(reason);
  }
  return std::to_string(code);
}

}  // namespace

ScrapeLoop::ScrapeLoop(Target target, std::shared_ptr<const PoolSettings> pool, wal::Wal& wal)
    : target_(std::move(target)), wal_(wal), appender_pool_(pool), pool_(std::move(pool)) {
  appender_ = std::make_unique<ScrapeAppender>(target_.SampleLabels(), SettingsFor(*appender_pool_));
  status_.job = appender_pool_->job;
  status_.target = target_;
}

std::shared_ptr<const PoolSettings> ScrapeLoop::pool() const {
  MutexLock l(pool_mu_);
  return pool_;
}

void ScrapeLoop::UpdatePool(std::shared_ptr<const PoolSettings> pool) {
  MutexLock l(pool_mu_);
  pool_ = std::move(pool);
}

Result<httpclient::Request> ScrapeLoop::Prepare() {
  std::shared_ptr<const PoolSettings> p = pool();
  httpclient::Request r;
  r.url = target_.url;
  r.timeout = target_.timeout;
  const config::ScrapeConfig& c = *p->config;
  r.accept_gzip = c.enable_compression;
  // Prometheus fails a body of body_size_limit bytes or more (n >= limit);
  // the client fails bodies larger than max_body_bytes.
  r.max_body_bytes = c.body_size_limit > 1 ? static_cast<uint64_t>(c.body_size_limit) - 1
                     : c.body_size_limit == 1 ? 1 : 0;
  r.headers.emplace_back("Accept", p->accept_header);
  char timeout_s[32];
  std::snprintf(timeout_s, sizeof timeout_s, "%g",
                std::chrono::duration<double>(target_.timeout).count());
  r.headers.emplace_back("X-Prometheus-Scrape-Timeout-Seconds", timeout_s);
  r.headers.emplace_back("User-Agent", p->user_agent);
  for (const auto& h : p->http->static_headers()) r.headers.push_back(h);
  FERRY_ASSIGN_OR_RETURN(r.options, p->http->Get());
  return r;
}

Status ScrapeLoop::AppendWithRetry(wal::Batch& batch,
                                   const std::function<void(wal::Batch*)>& rebuild) {
  if (batch.empty()) return Status::Ok();
  auto seq = wal_.Append(batch);
  if (seq.ok()) {
    appender_->Committed(batch);
    return Status::Ok();
  }
  appender_->Aborted();
  if (!seq.status().IsInvalidArgument()) return seq.status();
  // The WAL garbage-collected a ref this cache held: rebuild by labels.
  appender_->mutable_cache().ForgetRefs();
  batch.Clear();
  rebuild(&batch);
  auto again = wal_.Append(batch);
  if (!again.ok()) {
    appender_->Aborted();
    return again.status();
  }
  appender_->Committed(batch);
  return Status::Ok();
}

void ScrapeLoop::AppendMetadata(std::vector<MetricMetadata>* out) const {
  // appender_ is set once in the constructor; the store's List() is
  // thread-safe.
  appender_->cache().metadata().List(out);
}

void ScrapeLoop::SetStatus(const std::string& scrape_error, int64_t start_ms, double duration) {
  MutexLock l(status_mu_);
  status_.health = scrape_error.empty() ? "up" : "down";
  status_.last_error = scrape_error;
  status_.last_scrape_ms = start_ms;
  status_.last_duration_seconds = duration;
}

void ScrapeLoop::Process(const httpclient::Response& response, int64_t start_ms) {
  // Like Prometheus, scrape_duration_seconds covers the fetch and turning the
  // body into samples (not the WAL commit).
  const double fetch_seconds = std::chrono::duration<double>(response.duration).count();
  double duration = fetch_seconds;
  std::string error;
  if (!response.status.ok()) {
    error = response.status.message();
  } else if (response.http_status != 200) {
    error = "server returned HTTP status " + HttpStatusText(response.http_status);
  }
  ScrapeOutcome outcome;
  std::string content_type = response.Header("content-type");
  auto build = [&](wal::Batch* b) {
    const auto parse_start = std::chrono::steady_clock::now();
    if (error.empty()) {
      outcome = appender_->AddScrape(response.body, content_type, start_ms, b);
    } else {
      outcome = appender_->AddFailedScrape(start_ms, b);
    }
    duration = fetch_seconds + std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                             parse_start).count();
    std::string scrape_error = error.empty() && !outcome.error.ok() ? outcome.error.message() : error;
    ReportValues report{.up = scrape_error.empty(),
                        .duration_seconds = duration,
                        .samples_scraped = outcome.total,
                        .samples_post_relabeling = outcome.added,
                        .series_added = outcome.series_added};
    appender_->AddReport(start_ms, report, b);
  };
  wal::Batch batch(target_.hash);
  build(&batch);
  if (error.empty() && !outcome.error.ok()) error = outcome.error.message();
  Status s = AppendWithRetry(batch, build);
  if (!s.ok()) {
    log::Error(kComponent, "append to the WAL failed; scrape lost",
               {{"target", target_.url}, {"err", s.message()}});
    if (error.empty()) error = "append failed: " + s.message();
  }
  if (!error.empty()) {
    log::Debug(kComponent, "scrape failed", {{"scrape_pool", appender_pool_->job},
                                             {"target", target_.url}, {"err", error}});
  }
  SetStatus(error, start_ms, duration);
}

void ScrapeLoop::ProcessError(const Status& error, int64_t start_ms) {
  httpclient::Response r;
  r.status = error;
  Process(r, start_ms);
}

void ScrapeLoop::WriteStaleMarkers(int64_t ts_ms) {
  wal::Batch batch(target_.hash);
  appender_->AddStaleAll(ts_ms, &batch);
  Status s = AppendWithRetry(batch, [&](wal::Batch* b) { appender_->AddStaleAll(ts_ms, b); });
  if (!s.ok()) {
    log::Warn(kComponent, "could not write staleness markers",
              {{"target", target_.url}, {"err", s.message()}});
  }
}

void ScrapeLoop::InheritSeries(const ScrapeLoop& old) {
  appender_->InheritPrevious(old.appender_->PreviousSeries());
}

int64_t ScrapeLoop::AlignedTimestamp(int64_t now_ms) {
  const int64_t interval = target_.interval.count();
  if (aligned_ms_ == 0 || interval <= 0 || now_ms < aligned_ms_) {
    aligned_ms_ = now_ms;
    return now_ms;
  }
  aligned_ms_ += (now_ms - aligned_ms_) / interval * interval;
  const int64_t tolerance = std::min<int64_t>(interval / 100, 2);
  return now_ms - aligned_ms_ <= tolerance ? aligned_ms_ : now_ms;
}

TargetStatus ScrapeLoop::GetStatus() const {
  MutexLock l(status_mu_);
  return status_;
}

}  // namespace ferry::scrape
