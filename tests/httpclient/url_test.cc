#include "src/httpclient/url.h"

#include <gtest/gtest.h>

namespace ferry::httpclient {
namespace {

TEST(UrlTest, ParsesPartsAndDefaults) {
  auto u = ParseUrl("https://user:pw@example.com/metrics?x=1#frag");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->userinfo, "user:pw");
  EXPECT_EQ(u->host, "example.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_FALSE(u->explicit_port);
  EXPECT_EQ(u->path_and_query, "/metrics?x=1");
  auto v = ParseUrl("HTTP://[::1]:9100");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->host, "::1");
  EXPECT_EQ(v->port, 9100);
  EXPECT_EQ(v->HostPort(), "[::1]:9100");
  EXPECT_EQ(v->path_and_query, "/");
  EXPECT_EQ(v->WithHost("node.local"), "http://node.local:9100/");
}

TEST(UrlTest, RejectsWhatCurlShouldNeverSee) {
  for (const char* bad : {"example.com/metrics", "ftp://x/", "http://", "http://h:0/",
                          "http://h:70000/", "http://[::1/", "file:///etc/passwd"}) {
    auto u = ParseUrl(bad);
    EXPECT_FALSE(u.ok()) << bad;
    if (!u.ok()) {
      EXPECT_NE(u.status().message().find(bad), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace ferry::httpclient
