#include "src/ship/metadata_sender.h"

#include <algorithm>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "src/base/log.h"
#include "src/base/thread_name.h"
#include "src/remote/compression.h"
#include "src/remote/write_request_v1.h"
#include "src/ship/write_request.h"

namespace ferry::ship {

namespace {

using std::chrono::milliseconds;

constexpr std::string_view kComponent = "remote";
constexpr int64_t kLogEveryMs = 10'000;
constexpr size_t kLoggedBodyBytes = 256;

prometheus::Labels EndpointLabels(const Endpoint& ep) {
  return {{"remote_name", ep.identity}, {"url", ep.config.url}};
}

// Prometheus dedups on the whole entry; keep the first occurrence's order.
std::vector<remote::MetricMetadata> Dedup(const std::vector<remote::MetricMetadata>& in) {
  auto key = [](const remote::MetricMetadata& m) {
    return std::tie(m.metric_family_name, m.type, m.help, m.unit);
  };
  auto less = [&](size_t a, size_t b) { return key(in[a]) < key(in[b]); };
  std::set<size_t, decltype(less)> seen(less);
  std::vector<remote::MetricMetadata> out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (seen.insert(i).second) out.push_back(in[i]);
  }
  return out;
}

}  // namespace

bool SendsMetadata(const Endpoint& endpoint) {
  return endpoint.config.metadata_config.send &&
         endpoint.proto == remote::ProtoMessage::kV1WriteRequest;
}

MetadataSender::MetadataSender(httpclient::Client& client, ShipMetrics& families,
                               std::shared_ptr<const Endpoint> endpoint, MetadataSource source,
                               Clock& clock, UniformRng rng)
    : client_(client),
      endpoint_(std::move(endpoint)),
      source_(std::move(source)),
      clock_(clock),
      client_options_(endpoint_->config.http),
      backoff_(endpoint_->config.queue_config.min_backoff,
               endpoint_->config.queue_config.max_backoff, std::move(rng)),
      metadata_total_(families.metadata_total.Add(EndpointLabels(*endpoint_))),
      failed_total_(families.metadata_failed_total.Add(EndpointLabels(*endpoint_))),
      retried_total_(families.metadata_retried_total.Add(EndpointLabels(*endpoint_))),
      bytes_total_(families.metadata_bytes_total.Add(EndpointLabels(*endpoint_))),
      families_(families) {
  thread_ = std::thread([this] {
    SetThreadName("ship-metadata");
    Loop();
  });
}

MetadataSender::~MetadataSender() {
  Stop();
  families_.metadata_total.Remove(&metadata_total_);
  families_.metadata_failed_total.Remove(&failed_total_);
  families_.metadata_retried_total.Remove(&retried_total_);
  families_.metadata_bytes_total.Remove(&bytes_total_);
}

void MetadataSender::Stop() {
  {
    MutexLock l(mu_);
    stop_ = true;
  }
  cv_.NotifyAll();
  if (!stopped_.exchange(true) && thread_.joinable()) thread_.join();
}

void MetadataSender::Loop() {
  const milliseconds interval = endpoint_->config.metadata_config.send_interval;
  for (;;) {
    {
      MutexLock l(mu_);
      if (cv_.WaitFor(mu_, interval, [this]() FERRY_REQUIRES(mu_) { return stop_; })) return;
    }
    (void)SendNow();  // errors are counted and logged there
  }
}

Status MetadataSender::SendNow() {
  MutexLock round(send_mu_);
  std::vector<remote::MetricMetadata> all = Dedup(source_());
  const size_t per_request =
      static_cast<size_t>(std::max<int64_t>(1, endpoint_->config.metadata_config.max_samples_per_send));
  Status first_error;
  for (size_t i = 0; i < all.size(); i += per_request) {
    std::vector<remote::MetricMetadata> chunk(
        all.begin() + static_cast<std::ptrdiff_t>(i),
        all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), i + per_request)));
    Status s = SendRequest(chunk);
    if (s.code() == StatusCode::kCancelled) return s;
    if (!s.ok() && first_error.ok()) first_error = s;
  }
  return first_error;
}

Status MetadataSender::SendRequest(const std::vector<remote::MetricMetadata>& entries) {
  const Endpoint& ep = *endpoint_;
  const config::QueueConfig& q = ep.config.queue_config;
  remote::WriteRequestBuilder builder;
  for (const remote::MetricMetadata& m : entries) builder.AddMetadata(m);
  std::string body;
  remote::Compress(builder.Finish(), &body);
  const double n = static_cast<double>(entries.size());
  backoff_.Reset();
  for (;;) {
    std::optional<milliseconds> retry_after;
    Status failure;
    Result<std::shared_ptr<const httpclient::ClientOptions>> opts = client_options_.Get();
    if (!opts.ok()) {
      failure = opts.status().WithContext("client options");
    } else {
      std::optional<httpclient::Response> answer =
          SendAndWait(client_, NewWriteRequest(ep, client_options_, *opts, body), [this] {
            MutexLock l(mu_);
            return stop_;
          });
      if (!answer) return Status(StatusCode::kCancelled, "metadata sender stopped");
      const httpclient::Response& resp = *answer;
      const int code = resp.http_status;
      if (resp.status.ok() && code >= 200 && code < 300) {
        metadata_total_.Increment(n);
        bytes_total_.Increment(static_cast<double>(body.size()));
        sent_.fetch_add(entries.size());
        return Status();
      }
      if (!resp.status.ok()) {
        failure = resp.status.WithContext("request failed");
      } else if (code >= 500 || (code == 429 && q.retry_on_http_429)) {
        retry_after = ParseRetryAfter(resp.Header("retry-after"), clock_.SystemNow());
        failure = Status(StatusCode::kUnavailable,
                         "server returned HTTP status " + std::to_string(code) + ": " +
                             resp.body.substr(0, kLoggedBodyBytes));
      } else {
        Status err(StatusCode::kRejected,
                   "server returned HTTP status " + std::to_string(code) + ": " +
                       resp.body.substr(0, kLoggedBodyBytes));
        failed_total_.Increment(n);
        Report("metadata request dropped: " + err.message());
        return err;
      }
    }
    retried_total_.Increment(n);
    Report("metadata request retried: " + failure.ToString());
    const milliseconds wait = backoff_.Next(retry_after);
    MutexLock l(mu_);
    if (cv_.WaitFor(mu_, wait, [this]() FERRY_REQUIRES(mu_) { return stop_; })) {
      return Status(StatusCode::kCancelled, "metadata sender stopped");
    }
  }
}

void MetadataSender::Report(const std::string& err) {
  const int64_t now = clock_.NowMillis();
  uint64_t suppressed = 0;
  {
    MutexLock l(mu_);
    if (now - last_log_ms_ < kLogEveryMs) {
      ++suppressed_;
      return;
    }
    last_log_ms_ = now;
    suppressed = std::exchange(suppressed_, 0);
  }
  log::Warn(kComponent, "remote write metadata problem",
            {{"remote_name", endpoint_->identity},
             {"url", endpoint_->config.url},
             {"err", err},
             {"suppressed", suppressed}});
}

}  // namespace ferry::ship
