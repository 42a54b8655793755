#include "src/http/router.h"

#include <gtest/gtest.h>

namespace ferry::http {
namespace {

Request Req(std::string method, std::string path) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}

TEST(RouterTest, DispatchesByPathAndMethod) {
  Router router;
  router.Add({"GET"}, "/a", [](const Request&) { return Response::Text(200, "a"); });
  router.Add({"POST", "PUT"}, "/b", [](const Request&) { return Response::Text(200, "b"); });
  EXPECT_EQ(router.Dispatch(Req("GET", "/a")).body, "a");
  EXPECT_EQ(router.Dispatch(Req("HEAD", "/a")).status, 200);
  EXPECT_EQ(router.Dispatch(Req("PUT", "/b")).body, "b");
}

TEST(RouterTest, WrongMethodGets405WithPrometheusWording) {
  Router router;
  router.Add({"POST", "PUT"}, "/-/reload", [](const Request&) { return Response::Text(200, ""); });
  Response r = router.Dispatch(Req("GET", "/-/reload"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.body, "Only POST or PUT requests allowed");
}

TEST(RouterTest, UnknownPathGets404) {
  Router router;
  EXPECT_EQ(router.Dispatch(Req("GET", "/nope")).status, 404);
}

TEST(RouterTest, PrefixRoutesMatchSubpaths) {
  Router router;
  router.Add({"GET"}, "/api/v1/admin/replay/*",
             [](const Request& r) { return Response::Text(200, r.path); });
  EXPECT_EQ(router.Dispatch(Req("GET", "/api/v1/admin/replay/42")).body, "/api/v1/admin/replay/42");
  EXPECT_EQ(router.Dispatch(Req("GET", "/api/v1/admin/other")).status, 404);
}

TEST(RouterTest, ApiErrorHasPrometheusShape) {
  Response r = ApiError(400, "bad_data", "invalid \"from\"");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"error":"invalid \"from\"","errorType":"bad_data","status":"error"})");
  EXPECT_EQ(ApiSuccess("[]"), R"({"status":"success","data":[]})");
}

}  // namespace
}  // namespace ferry::http
