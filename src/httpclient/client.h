// Client: asynchronous HTTP(S) over one libcurl multi handle and one thread.
//
// Scraping, HTTP service discovery and remote write all go through a Client:
// many concurrent transfers share one event loop, one connection cache (so
// keep-alive works across requests to the same host) and one DNS cache,
// instead of one thread per target.
//
// [Threading] Submit() is thread-safe and never blocks on the network. The
// completion callback runs on the client's own thread: it must be quick and
// must not call back into this Client synchronously (Do() from a callback
// would deadlock); hand the Response to another thread if work is heavy.
// [Lifetime] Stop() (or the destructor) cancels transfers still running;
// their callbacks run with a kCancelled status before Stop() returns.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "src/base/status.h"

namespace ferry::httpclient {

struct TlsOptions {
  std::string ca_file;    // PEM bundle to verify the server with; "" = system roots
  std::string cert_file;  // client certificate (PEM)
  std::string key_file;   // client key (PEM)
  std::string ca_pem, cert_pem, key_pem;  // inline PEM alternatives to the files
  // Overrides the name used for SNI and certificate verification while still
  // connecting to the URL's host (Go's tls.Config.ServerName).
  std::string server_name;
  bool insecure_skip_verify = false;
  std::string min_version;  // "TLS10" .. "TLS13"; "" = library default (TLS 1.2)
};

// Per-request connection settings, usually built once from a scrape or
// remote-write config (see client_config.h) and shared between requests.
struct ClientOptions {
  std::string basic_auth_user, basic_auth_password;  // used when user is non-empty
  std::string authorization;  // full header value, e.g. "Bearer abc"; "" = none
  TlsOptions tls;
  std::string proxy_url;  // "" = no proxy (environment proxies are not used)
  std::string no_proxy;
  bool follow_redirects = true;  // Default: true (max 10, as Go)
  bool enable_http2 = true;      // Default: true (negotiated with ALPN over TLS)
};

struct Request {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // sent for POST/PUT
  std::chrono::milliseconds timeout{10000};
  // Largest decoded body accepted; larger responses fail with
  // kResourceExhausted ("body size limit exceeded"). 0 = unlimited.
  uint64_t max_body_bytes = 0;
  // Send "Accept-Encoding: gzip" and decode gzip responses transparently.
  bool accept_gzip = false;
  std::shared_ptr<const ClientOptions> options;  // may be null: defaults
};

struct Response {
  // OK when an HTTP response arrived (whatever its status code). Otherwise
  // kUnavailable (network, timeout), kResourceExhausted (size limit),
  // kInvalidArgument (bad URL or TLS files), kCancelled (Stop()).
  Status status;
  int http_status = 0;
  std::string body;
  std::multimap<std::string, std::string> headers;  // names lower-cased
  std::chrono::microseconds duration{0};
  uint64_t bytes_received = 0;  // on the wire, before decoding

  // The first value of header "lower_name", or "".
  std::string Header(const std::string& lower_name) const;
};

using Callback = std::function<void(Response&&)>;

class Client {
 public:
  struct Options {
    // Upper bound on simultaneous transfers; more wait in a queue.
    // Default: 1024
    int max_concurrent = 1024;
    // Default: "ferry"
    std::string user_agent = "ferry";
  };

  explicit Client(Options options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Queues "request"; "done" is called exactly once, on the client thread.
  void Submit(Request request, Callback done);

  // Synchronous convenience: Submit() and wait. Never call from a callback.
  Response Do(Request request);

  // Cancels everything in flight and joins the thread. Idempotent.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ferry::httpclient
