#include "src/httpclient/client_config.h"

#include <gtest/gtest.h>

#include <thread>

#include "tests/testing/test_util.h"

namespace ferry::httpclient {
namespace {

using ::ferry::testing::TempDir;
using ::ferry::testing::WriteFileOrDie;

TEST(ClientOptionsSourceTest, BuildsAuthTlsAndProxyFromConfig) {
  config::HttpClientConfig c;
  c.basic_auth = config::BasicAuth{};
  c.basic_auth->username = "u";
  c.basic_auth->password = "p";
  c.tls_config.server_name = "kube-scheduler";
  c.tls_config.insecure_skip_verify = true;
  c.proxy_url = "http://127.0.0.1:3128";
  c.follow_redirects = false;
  ClientOptionsSource src(c);
  auto o = src.Get();
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ((*o)->basic_auth_user, "u");
  EXPECT_EQ((*o)->basic_auth_password, "p");
  EXPECT_EQ((*o)->tls.server_name, "kube-scheduler");
  EXPECT_TRUE((*o)->tls.insecure_skip_verify);
  EXPECT_EQ((*o)->proxy_url, "http://127.0.0.1:3128");
  EXPECT_FALSE((*o)->follow_redirects);
}

TEST(ClientOptionsSourceTest, RereadsRotatedBearerTokenFile) {
  TempDir dir;
  std::string token = dir.Sub("token");
  WriteFileOrDie(token, "first\n");
  config::HttpClientConfig c;
  c.bearer_token_file = token;
  ClientOptionsSource src(c);
  auto a = src.Get();
  ASSERT_TRUE(a.ok());
  EXPECT_EQ((*a)->authorization, "Bearer first");  // trailing newline trimmed
  WriteFileOrDie(token, "second-longer");
  // Checked at most once a second; a bounded wait for the next check.
  std::string got;
  for (int i = 0; i < 40 && got != "Bearer second-longer"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto b = src.Get();
    ASSERT_TRUE(b.ok());
    got = (*b)->authorization;
  }
  EXPECT_EQ(got, "Bearer second-longer");
}

TEST(ClientOptionsSourceTest, MissingSecretFileIsAnErrorNamingIt) {
  config::HttpClientConfig c;
  c.authorization = config::Authorization{};
  c.authorization->credentials_file = "/nonexistent/ferry-token";
  ClientOptionsSource src(c);
  auto o = src.Get();
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.status().message().find("/nonexistent/ferry-token"), std::string::npos);
}

}  // namespace
}  // namespace ferry::httpclient
