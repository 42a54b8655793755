#include "src/http/server.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>

#include "src/base/thread_name.h"

namespace ferry::http {

Result<ListenAddress> ParseListenAddress(std::string_view address) {
  ListenAddress out;
  std::string_view port_part;
  if (!address.empty() && address.front() == '[') {
    auto close = address.find(']');
    if (close == std::string_view::npos || close + 1 >= address.size() ||
        address[close + 1] != ':') {
      return Status::InvalidArgument("listen address \"" + std::string(address) +
                                     "\": want [host]:port");
    }
    out.host = std::string(address.substr(1, close - 1));
    port_part = address.substr(close + 2);
  } else {
    auto colon = address.rfind(':');
    if (colon == std::string_view::npos) {
      return Status::InvalidArgument("listen address \"" + std::string(address) +
                                     "\": missing port (want host:port or :port)");
    }
    out.host = std::string(address.substr(0, colon));
    port_part = address.substr(colon + 1);
  }
  int port = -1;
  auto [p, ec] = std::from_chars(port_part.data(), port_part.data() + port_part.size(), port);
  if (ec != std::errc() || p != port_part.data() + port_part.size() || port < 0 || port > 65535) {
    return Status::InvalidArgument("listen address \"" + std::string(address) + "\": invalid port \"" +
                                   std::string(port_part) + "\"");
  }
  out.port = port;
  if (out.host.empty()) out.host = "0.0.0.0";
  return out;
}

namespace {

Request ToRequest(const httplib::Request& req) {
  Request r;
  r.method = req.method;
  r.path = req.path;
  for (const auto& [k, v] : req.params) r.params.emplace(k, v);
  for (const auto& [k, v] : req.headers) {
    std::string lower = k;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    r.headers.emplace(std::move(lower), v);
  }
  r.body = req.body;
  // Form-encoded POST bodies carry parameters too (Prometheus accepts both).
  auto ct = req.get_header_value("Content-Type");
  if (ct.rfind("application/x-www-form-urlencoded", 0) == 0) {
    httplib::Params form;
    httplib::detail::parse_query_text(req.body, form);
    for (const auto& [k, v] : form) r.params.emplace(k, v);
  }
  return r;
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const std::string& address,
                                                      const Router& router) {
  FERRY_ASSIGN_OR_RETURN(ListenAddress addr, ParseListenAddress(address));
  std::unique_ptr<HttpServer> s(new HttpServer());
  s->server_ = std::make_unique<httplib::Server>();
  auto handle = [&router](const httplib::Request& req, httplib::Response& res) {
    Response out = router.Dispatch(ToRequest(req));
    res.status = out.status;
    for (const auto& [k, v] : out.headers) res.set_header(k, v);
    res.set_content(std::move(out.body), out.content_type.c_str());
  };
  for (const char* pattern : {".*"}) {
    s->server_->Get(pattern, handle);
    s->server_->Post(pattern, handle);
    s->server_->Put(pattern, handle);
    s->server_->Delete(pattern, handle);
    s->server_->Patch(pattern, handle);
    s->server_->Options(pattern, handle);
  }
  // httplib's default socket options add SO_REUSEPORT, which lets a second
  // process bind the same port and silently share its traffic. Keep only
  // SO_REUSEADDR (restart without TIME_WAIT trouble), as Go's net/http does.
  s->server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  // Without TCP_NODELAY, httplib's separate header and body writes meet
  // Nagle's algorithm and the peer's delayed ACK: 40 ms per scrape of /metrics.
  s->server_->set_tcp_nodelay(true);
  s->server_->set_read_timeout(300, 0);  // Prometheus' --web.read-timeout default: 5m
  int port = addr.port;
  if (port == 0) {
    port = s->server_->bind_to_any_port(addr.host);
    if (port < 0) port = 0;
  } else if (!s->server_->bind_to_port(addr.host, port)) {
    port = 0;
  }
  if (port <= 0) {
    return Status::Unavailable("cannot listen on " + address + " (address in use or not local?)");
  }
  s->port_ = port;
  httplib::Server* raw = s->server_.get();
  s->thread_ = std::thread([raw] {
    SetThreadName("http-server");
    raw->listen_after_bind();
  });
  return s;
}

void HttpServer::Stop() {
  if (!thread_.joinable()) return;
  // httplib's stop() is a no-op until listen_after_bind() has marked the
  // server running, so a Stop() right after Start() waits for that first
  // (bounded: the listener thread only has to be scheduled).
  for (int i = 0; i < 5000 && !server_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  server_->stop();
  thread_.join();
}

HttpServer::~HttpServer() { Stop(); }

}  // namespace ferry::http
