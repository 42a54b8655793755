#include "src/scrape/scrape_loop.h"

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

std::string HttpStatusText(int code) {
  switch (code) {
    case 400: return "400 Bad Request";
    case 401: return "401 Unauthorized";
    case 403: return "403 Forbidden";
    case 404: return "404 Not Found";
    case 429: return "429 Too Many Requests";
    case 500: return "500 Internal Server Error";
    case 502: return "502 Bad Gateway";
    case 503: return "503 Service Unavailable";
    case 504: return "504 Gateway Timeout";
    default: return std::to_string(code);
  }
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

void ScrapeLoop::SetStatus(const std::string& scrape_error, int64_t start_ms, double duration) {
  MutexLock l(status_mu_);
  status_.health = scrape_error.empty() ? "up" : "down";
  status_.last_error = scrape_error;
  status_.last_scrape_ms = start_ms;
  status_.last_duration_seconds = duration;
}

void ScrapeLoop::Process(const httpclient::Response& response, int64_t start_ms) {
  double duration = std::chrono::duration<double>(response.duration).count();
  std::string error;
  if (!response.status.ok()) {
    error = response.status.message();
  } else if (response.http_status != 200) {
    error = "server returned HTTP status " + HttpStatusText(response.http_status);
  }
  ScrapeOutcome outcome;
  std::string content_type = response.Header("content-type");
  auto build = [&](wal::Batch* b) {
    if (error.empty()) {
      outcome = appender_->AddScrape(response.body, content_type, start_ms, b);
    } else {
      outcome = appender_->AddFailedScrape(start_ms, b);
    }
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
  std::vector<labels::Labels> series;
  series.reserve(old.appender_->cache().previous().size());
  for (const ScrapeCache::Entry* e : old.appender_->cache().previous()) series.push_back(e->labels);
  appender_->InheritPrevious(std::move(series));
}

TargetStatus ScrapeLoop::GetStatus() const {
  MutexLock l(status_mu_);
  return status_;
}

}  // namespace ferry::scrape
