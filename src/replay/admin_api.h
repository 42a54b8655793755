// The replay admin API on the agent's Router (docs/replay.md, "HTTP API"):
//   POST   /api/v1/admin/replay            submit (JSON body: ParseJobRequest)
//   GET    /api/v1/admin/replay            list
//   GET    /api/v1/admin/replay/<id>       one job
//   DELETE /api/v1/admin/replay/<id>       cancel
//   POST   /api/v1/admin/replay/<id>/pause, /api/v1/admin/replay/<id>/resume
// Answers are Prometheus' API envelope ({"status":"success","data":...});
// errors are {"status":"error","errorType":"bad_data"|"not_found"|...,
// "error":"..."}. Without --web.enable-admin-api every route answers 503
// errorType "unavailable", "admin APIs disabled", as Prometheus' admin API.
//
// Thread-safety: the handlers are thread-safe (ReplayManager is).
#pragma once

#include <functional>

#include "src/http/router.h"
#include "src/replay/manager.h"

namespace ferry::replay {

// Registers the routes on "router". "manager" may be null (admin API
// disabled, or no WAL): then every route answers as disabled. It must
// outlive the router's use. "now_ms" anchors relative times in requests.
void RegisterAdminRoutes(http::Router& router, ReplayManager* manager, bool enabled,
                         std::function<int64_t()> now_ms);

}  // namespace ferry::replay
