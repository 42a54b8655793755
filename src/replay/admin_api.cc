#include "src/replay/admin_api.h"

#include <string>

#include "src/replay/request.h"

namespace ferry::replay {
namespace {

constexpr std::string_view kBase = "/api/v1/admin/replay";

http::Response FromStatus(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument: return http::ApiError(400, "bad_data", s.message());
    case StatusCode::kNotFound: return http::ApiError(404, "not_found", s.message());
    case StatusCode::kFailedPrecondition: return http::ApiError(409, "conflict", s.message());
    default: return http::ApiError(500, "internal", s.message());
  }
}

http::Response One(const Result<JobStatus>& r) {
  if (!r.ok()) return FromStatus(r.status());
  return http::Response::Json(200, http::ApiSuccess(StatusToJson(*r)));
}

http::Response Disabled() { return http::ApiError(503, "unavailable", "admin APIs disabled"); }

}  // namespace

void RegisterAdminRoutes(http::Router& router, ReplayManager* manager, bool enabled,
                         std::function<int64_t()> now_ms) {
  const bool on = enabled && manager != nullptr;
  router.Add({"GET", "POST"}, std::string(kBase), [=](const http::Request& req) {
    if (!on) return Disabled();
    if (req.method == "POST") {
      Result<JobSpec> spec = ParseJobRequest(req.body, now_ms());
      if (!spec.ok()) return FromStatus(spec.status());
      return One(manager->Submit(std::move(spec).value()));
    }
    std::string data = "[";
    for (const JobStatus& st : manager->List()) {
      if (data.size() > 1) data += ",";
      data += StatusToJson(st);
    }
    data += "]";
    return http::Response::Json(200, http::ApiSuccess(data));
  });
  router.Add({"GET", "POST", "DELETE"}, std::string(kBase) + "/*", [=](const http::Request& req) {
    if (!on) return Disabled();
    std::string_view rest = std::string_view(req.path).substr(kBase.size() + 1);
    std::string_view action;
    if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
      action = rest.substr(slash + 1);
      rest = rest.substr(0, slash);
    }
    const std::string id(rest);
    if (id.empty()) return http::ApiError(404, "not_found", "missing job id");
    if (action.empty()) {
      if (req.method == "GET") return One(manager->Get(id));
      if (req.method == "DELETE") return One(manager->Cancel(id));
    } else if (req.method == "POST" && action == "pause") {
      return One(manager->Pause(id));
    } else if (req.method == "POST" && action == "resume") {
      return One(manager->Resume(id));
    } else if (req.method == "POST" && action == "cancel") {
      return One(manager->Cancel(id));
    }
    return http::ApiError(405, "bad_data",
                          "method " + req.method + " not allowed for " + req.path);
  });
}

}  // namespace ferry::replay
