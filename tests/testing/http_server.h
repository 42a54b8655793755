// LoopbackServer: runs a cpp-httplib server on 127.0.0.1:<free port> in its
// own thread for the object's lifetime. Every test server (targets, sinks,
// proxies, SD endpoints) uses it rather than its own thread dance.
//
// The constructor returns once the listener runs: cpp-httplib loses a
// stop() that comes before listen_after_bind() starts, and the destructor
// would then wait forever. (Connections made earlier queue on the bound
// socket anyway.) Nagle is off, else Nagle plus delayed ACKs add 40 ms to
// small request/answer exchanges.
//
// Thread-safety: the accessors are const and may be called from any thread.
#pragma once

#include <httplib.h>

#include <chrono>
#include <string>
#include <string_view>
#include <thread>

namespace ferry::testing {

class LoopbackServer {
 public:
  // "server" (not owned, routes already set) must outlive this object.
  explicit LoopbackServer(httplib::Server& server) : server_(server) {
    server_.set_tcp_nodelay(true);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 5000 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  ~LoopbackServer() { Stop(); }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  // Stops serving and joins the thread. Idempotent.
  void Stop() {
    if (!thread_.joinable()) return;
    server_.stop();
    thread_.join();
  }

  // 0 when binding failed.
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string Url(std::string_view path, std::string_view scheme = "http") const {
    return std::string(scheme) + "://" + address() + std::string(path);
  }

 private:
  httplib::Server& server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace ferry::testing
