#include "src/ship/write_request.h"

#include <chrono>
#include <utility>

#include "src/base/mutex.h"
#include "src/remote/headers.h"

namespace ferry::ship {

namespace {

// The answer, shared with the client's callback so that an abandoned
// request can complete after the waiter is gone.
struct Completion {
  Mutex mu;
  CondVar cv;
  bool done FERRY_GUARDED_BY(mu) = false;
  httpclient::Response response FERRY_GUARDED_BY(mu);
};

}  // namespace

httpclient::Request NewWriteRequest(const Endpoint& ep,
                                    const httpclient::ClientOptionsSource& source,
                                    std::shared_ptr<const httpclient::ClientOptions> options,
                                    std::string body) {
  httpclient::Request req;
  req.method = "POST";
  req.url = ep.config.url;
  req.timeout = ep.config.remote_timeout;
  req.max_body_bytes = 1 << 20;
  req.options = std::move(options);
  req.headers = {
      {std::string(remote::kContentEncodingHeader), std::string(remote::kContentEncodingSnappy)},
      {std::string(remote::kContentTypeHeader), std::string(remote::ContentType(ep.proto))},
      {std::string(remote::kVersionHeader), std::string(remote::VersionHeaderValue(ep.proto))},
      {std::string(remote::kUserAgentHeader), std::string(remote::UserAgent())}};
  for (const auto& h : source.static_headers()) req.headers.push_back(h);
  for (const auto& h : ep.headers) req.headers.push_back(h);
  req.body = std::move(body);
  return req;
}

std::optional<httpclient::Response> SendAndWait(httpclient::Client& client,
                                                httpclient::Request request,
                                                const std::function<bool()>& abandon) {
  auto done = std::make_shared<Completion>();
  client.Submit(std::move(request), [done](httpclient::Response&& r) {
    {
      MutexLock l(done->mu);
      done->response = std::move(r);
      done->done = true;
    }
    done->cv.NotifyAll();
  });
  MutexLock l(done->mu);
  while (!done->done) {
    if (abandon()) return std::nullopt;
    done->cv.WaitFor(done->mu, std::chrono::milliseconds(100),
                     [&]() FERRY_REQUIRES(done->mu) { return done->done; });
  }
  return std::move(done->response);
}

bool SaysAlreadyStored(std::string_view body) {
  for (std::string_view s : {"out of order", "duplicate sample", "out of bounds", "too old",
                             "out-of-order", "duplicate-timestamp"}) {
    if (body.find(s) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace ferry::ship
