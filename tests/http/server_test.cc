#include "src/http/server.h"

#include <gtest/gtest.h>
#include <httplib.h>

namespace ferry::http {
namespace {

TEST(ListenAddressTest, ParsesPrometheusForms) {
  auto a = ParseListenAddress("127.0.0.1:9090");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 9090);
  auto b = ParseListenAddress(":9095");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "0.0.0.0");
  auto c = ParseListenAddress("[::1]:80");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->port, 80);
}

TEST(ListenAddressTest, RejectsBadPortsWithTheAddressInTheMessage) {
  auto a = ParseListenAddress("localhost");
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("\"localhost\""), std::string::npos);
  EXPECT_FALSE(ParseListenAddress("host:99999").ok());
  EXPECT_FALSE(ParseListenAddress("host:9x").ok());
  EXPECT_FALSE(ParseListenAddress("[::1]9090").ok());
}

TEST(HttpServerTest, ServesRouterOnLoopback) {
  Router router;
  router.Add({"GET"}, "/hello", [](const Request& r) {
    return Response::Text(200, "hi " + r.Param("name") + " " + r.Header("x-test"));
  });
  router.Add({"POST"}, "/form", [](const Request& r) { return Response::Text(201, r.Param("a")); });
  auto server = HttpServer::Start("127.0.0.1:0", router);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  ASSERT_GT((*server)->port(), 0);

  httplib::Client client("127.0.0.1", (*server)->port());
  auto res = client.Get("/hello?name=ferry", {{"X-Test", "yes"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "hi ferry yes");
  auto form = client.Post("/form", "a=1&b=2", "application/x-www-form-urlencoded");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 201);
  EXPECT_EQ(form->body, "1");
  auto missing = client.Get("/missing");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  (*server)->Stop();
  (*server)->Stop();  // idempotent
}

TEST(HttpServerTest, BusyAddressIsAClearError) {
  Router router;
  auto first = HttpServer::Start("127.0.0.1:0", router);
  ASSERT_TRUE(first.ok());
  auto second = HttpServer::Start("127.0.0.1:" + std::to_string((*first)->port()), router);
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(second.status().IsUnavailable());
  EXPECT_NE(second.status().message().find("cannot listen on 127.0.0.1:"), std::string::npos);
}

TEST(HttpServerTest, StopRightAfterStartDoesNotHang) {
  Router router;
  for (int i = 0; i < 20; ++i) {
    auto s = HttpServer::Start("127.0.0.1:0", router);
    ASSERT_TRUE(s.ok());
    (*s)->Stop();
  }
}

}  // namespace
}  // namespace ferry::http
