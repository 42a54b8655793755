// Router: HTTP handlers as plain functions over plain request/response values.
//
// Handlers never see cpp-httplib; the server adapter (server.h) translates.
// That keeps every handler testable without a socket.
//
// Thread-safety: Add() must complete before the server starts; Dispatch() is
// then safe from many threads as long as the handlers are.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query string
  std::multimap<std::string, std::string> params;  // query and form parameters
  std::multimap<std::string, std::string> headers; // names lower-cased
  std::string body;

  // The first value of "name", or "" when absent.
  std::string Param(const std::string& name) const;
  std::string Header(const std::string& lower_name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Response Text(int status, std::string body);
  static Response Json(int status, std::string body);
};

using Handler = std::function<Response(const Request&)>;

class Router {
 public:
  // Registers "handler" for "path" (exact match, or a prefix when "path" ends
  // in '/' followed by '*', e.g. "/api/v1/admin/replay/*") and the given
  // "methods". A request to a known path with another method gets 405 with
  // Prometheus' wording.
  void Add(std::vector<std::string> methods, std::string path, Handler handler);

  Response Dispatch(const Request& request) const;

  // Every registered path, for tests and docs.
  std::vector<std::string> Paths() const;

 private:
  struct Route {
    std::vector<std::string> methods;
    std::string path;
    bool prefix = false;
    Handler handler;
  };
  std::vector<Route> routes_;
};

// {"status":"success","data":<data>} with "data_json" already encoded.
std::string ApiSuccess(const std::string& data_json);
// Prometheus' API error shape: {"status":"error","errorType":"bad_data","error":"..."}.
Response ApiError(int status, std::string_view error_type, std::string_view message);

}  // namespace ferry::http
