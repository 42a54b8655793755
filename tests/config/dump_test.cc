#include "src/config/dump.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "src/config/loader.h"
#include "tests/config/test_paths.h"

namespace ferry::config {
namespace {

using testing_paths::TestData;

Config Load(const std::string& yaml) {
  Result<Config> r = LoadString(yaml, "dump.yml", "/etc/ferry");
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : Config();
}

TEST(DumpTest, SecretsAreMasked) {
  Config c = Load(R"(
scrape_configs:
  - job_name: a
    basic_auth:
      username: user1
      password: hunter2
    tls_config:
      cert: CERTTEXT
      key: KEYTEXT
    proxy_url: http://proxy:3128
    proxy_connect_header:
      Proxy-Authorization: [Basic c2VjcmV0]
    http_headers:
      X-Api-Key:
        secrets: [apikey123]
  - job_name: b
    bearer_token: tokentoken
remote_write:
  - url: http://127.0.0.1:9090/api/v1/write
    authorization:
      credentials: rwcreds
)");
  const std::string y = ToYaml(c);
  for (const char* secret : {"hunter2", "KEYTEXT", "c2VjcmV0", "apikey123", "tokentoken", "rwcreds"}) {
    EXPECT_EQ(y.find(secret), std::string::npos) << secret << " leaked:\n" << y;
  }
  EXPECT_NE(y.find("password: <secret>"), std::string::npos) << y;
  EXPECT_NE(y.find("credentials: <secret>"), std::string::npos) << y;
  EXPECT_NE(y.find("key: <secret>"), std::string::npos) << y;
  // Non-secrets stay readable.
  EXPECT_NE(y.find("username: user1"), std::string::npos) << y;
  EXPECT_NE(y.find("cert: CERTTEXT"), std::string::npos) << y;
}

TEST(DumpTest, WritesEffectiveValues) {
  Config c = Load("global:\n  scrape_interval: 20s\nscrape_configs:\n  - job_name: a\n");
  const std::string y = ToYaml(c);
  EXPECT_NE(y.find("global:\n  scrape_interval: 20s\n  scrape_timeout: 10s\n"), std::string::npos)
      << y;
  EXPECT_NE(y.find("- job_name: a\n"), std::string::npos) << y;
  EXPECT_NE(y.find("\n  scrape_interval: 20s\n  scrape_timeout: 10s\n  scrape_protocols:\n"),
            std::string::npos)
      << y;
  EXPECT_NE(y.find("metrics_path: /metrics"), std::string::npos) << y;
}

// ToYaml's output loads back to a configuration that dumps identically, for
// every valid fixture.
TEST(DumpTest, OutputLoadsBackToTheSameConfig) {
  size_t checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(TestData() + "/valid")) {
    if (entry.path().extension() != ".yml") continue;
    SCOPED_TRACE(entry.path().string());
    Result<Config> first = LoadFile(entry.path().string());
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    const std::string y1 = ToYaml(*first);
    Result<Config> second = LoadString(y1, "dump.yml", "");
    ASSERT_TRUE(second.ok()) << second.status().ToString() << "\n" << y1;
    second->scrape_config_files = first->scrape_config_files;
    EXPECT_EQ(ToYaml(*second), y1);
    EXPECT_EQ(second->scrape_configs.size(), first->scrape_configs.size());
    EXPECT_EQ(second->remote_write.size(), first->remote_write.size());
    ++checked;
  }
  EXPECT_GE(checked, 10u);
}

TEST(DumpTest, AwkwardStringsAreQuoted) {
  Config c = Load(R"(
global:
  external_labels:
    a: "yes"
    b: "123"
    c: "x: y"
    d: "quote\"and\\backslash"
    e: "#hash"
    f: ""
scrape_configs:
  - job_name: "on"
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: "(.*)_total"
        target_label: __name__
        replacement: "${1}:rate"
)");
  Result<Config> back = LoadString(ToYaml(c), "dump.yml", "");
  ASSERT_TRUE(back.ok()) << back.status().ToString() << "\n" << ToYaml(c);
  EXPECT_EQ(back->global.external_labels, c.global.external_labels);
  EXPECT_EQ(back->scrape_configs[0].job_name, "on");
  EXPECT_EQ(back->scrape_configs[0].metric_relabel_configs[0].regex, "(.*)_total");
  EXPECT_EQ(back->scrape_configs[0].metric_relabel_configs[0].replacement, "${1}:rate");
}

}  // namespace
}  // namespace ferry::config
