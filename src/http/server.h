// HttpServer: serves a Router on a TCP address with cpp-httplib.
//
// The only file group that includes <httplib.h>. Requests are handled on
// cpp-httplib's thread pool; the router's handlers must be thread-safe.
//
// Thread-safety: Start/Stop may be called from any one thread; Stop() is
// idempotent and blocks until the listener thread has exited.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "src/base/status.h"
#include "src/http/router.h"

namespace httplib {
class Server;
}

namespace ferry::http {

struct ListenAddress {
  std::string host;  // "" or "0.0.0.0" for all IPv4 interfaces, "::" for all
  int port = 0;
};

// Parses Prometheus' --web.listen-address: "host:port", ":port", "[v6]:port".
// Port 0 asks the kernel for a free port (useful in tests).
Result<ListenAddress> ParseListenAddress(std::string_view address);

class HttpServer {
 public:
  // Binds "address" and starts serving "*router", which must outlive the
  // server. Fails with kUnavailable when the address cannot be bound.
  static Result<std::unique_ptr<HttpServer>> Start(const std::string& address,
                                                   const Router& router);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound port (the real one when 0 was asked for).
  int port() const { return port_; }
  void Stop();

 private:
  HttpServer() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace ferry::http
