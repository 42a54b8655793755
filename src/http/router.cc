#include "src/http/router.h"

#include <nlohmann/json.hpp>

namespace ferry::http {

std::string Request::Param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

std::string Request::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

Response Response::Text(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response Response::Json(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

void Router::Add(std::vector<std::string> methods, std::string path, Handler handler) {
  Route r;
  r.methods = std::move(methods);
  if (path.size() >= 2 && path.compare(path.size() - 2, 2, "/*") == 0) {
    r.prefix = true;
    path.pop_back();
  }
  r.path = std::move(path);
  r.handler = std::move(handler);
  routes_.push_back(std::move(r));
}

Response Router::Dispatch(const Request& request) const {
  bool path_known = false;
  std::string allowed;
  for (const Route& r : routes_) {
    bool match = r.prefix ? request.path.rfind(r.path, 0) == 0 : request.path == r.path;
    if (!match) continue;
    path_known = true;
    for (const std::string& m : r.methods) {
      if (m == request.method || (m == "GET" && request.method == "HEAD")) {
        return r.handler(request);
      }
      if (!allowed.empty()) allowed += " or ";
      allowed += m;
    }
  }
  if (path_known) {
    Response resp = Response::Text(405, "Only " + allowed + " requests allowed");
    return resp;
  }
  return Response::Text(404, "404 page not found\n");
}

std::vector<std::string> Router::Paths() const {
  std::vector<std::string> out;
  for (const Route& r : routes_) out.push_back(r.prefix ? r.path + "*" : r.path);
  return out;
}

std::string ApiSuccess(const std::string& data_json) {
  return "{\"status\":\"success\",\"data\":" + data_json + "}";
}

Response ApiError(int status, std::string_view error_type, std::string_view message) {
  nlohmann::json j = {{"status", "error"},
                      {"errorType", std::string(error_type)},
                      {"error", std::string(message)}};
  return Response::Json(status, j.dump());
}

}  // namespace ferry::http
