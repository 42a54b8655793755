// Valid configurations: defaults, inheritance, every field, real-world files.
#include "src/config/loader.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "tests/config/test_paths.h"
#include "tests/testing/test_util.h"

namespace ferry::config {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

using testing_paths::TestData;

Config MustLoadString(const std::string& yaml, const std::string& base_dir = "") {
  Result<Config> r = LoadString(yaml, "test.yml", base_dir);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : Config();
}

Config MustLoadFile(const std::string& path) {
  Result<Config> r = LoadFile(path);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : Config();
}

const std::vector<std::string> kDefaultProtocols = {"OpenMetricsText1.0.0", "OpenMetricsText0.0.1",
                                                    "PrometheusText1.0.0", "PrometheusText0.0.4"};

TEST(LoaderTest, EmptyDocumentGivesPrometheusDefaults) {
  for (const char* yaml : {"", "global:\n", "global: {}\n", "# only a comment\n"}) {
    SCOPED_TRACE(yaml);
    Config c = MustLoadString(yaml);
    EXPECT_EQ(c.global.scrape_interval, minutes(1));
    EXPECT_EQ(c.global.scrape_timeout, seconds(10));
    EXPECT_EQ(c.global.evaluation_interval, minutes(1));
    EXPECT_EQ(c.global.rule_query_offset, milliseconds(0));
    EXPECT_TRUE(c.global.external_labels.empty());
    EXPECT_TRUE(c.global.scrape_protocols.empty());
    EXPECT_EQ(c.global.body_size_limit, 0);
    EXPECT_EQ(c.global.sample_limit, 0u);
    EXPECT_EQ(c.global.label_limit, 0u);
    EXPECT_EQ(c.global.label_name_length_limit, 0u);
    EXPECT_EQ(c.global.label_value_length_limit, 0u);
    EXPECT_EQ(c.global.target_limit, 0u);
    EXPECT_EQ(c.global.keep_dropped_targets, 0u);
    EXPECT_EQ(c.global.metric_name_validation_scheme, NameValidation::kUtf8);
    EXPECT_FALSE(c.global.scrape_native_histograms);
    EXPECT_TRUE(c.scrape_configs.empty());
    EXPECT_TRUE(c.remote_write.empty());
    EXPECT_EQ(c.source_file, "test.yml");
  }
}

TEST(LoaderTest, ExternalLabelValuesExpandEnvironmentVariables) {
  ASSERT_EQ(setenv("FERRY_CONFIG_TEST_POD", "pod-7", 1), 0);
  ASSERT_EQ(unsetenv("FERRY_CONFIG_TEST_UNSET"), 0);
  Config c = MustLoadString(
      "global:\n  external_labels:\n"
      "    replica: ${FERRY_CONFIG_TEST_POD}\n"
      "    a: pre-$FERRY_CONFIG_TEST_POD-post\n"
      "    cost: $$5\n"
      "    gone: x${FERRY_CONFIG_TEST_UNSET}y\n"
      "    plain: no-variables\n");
  const labels::Labels& l = c.global.external_labels;
  EXPECT_EQ(l.Get("replica"), "pod-7");
  EXPECT_EQ(l.Get("a"), "pre-pod-7-post");
  EXPECT_EQ(l.Get("cost"), "$5");
  EXPECT_EQ(l.Get("gone"), "xy");
  EXPECT_EQ(l.Get("plain"), "no-variables");
}

TEST(LoaderTest, GlobalTimeoutDefaultsToMinOfTenSecondsAndInterval) {
  EXPECT_EQ(MustLoadString("global:\n  scrape_interval: 5s\n").global.scrape_timeout, seconds(5));
  EXPECT_EQ(MustLoadString("global:\n  scrape_interval: 30s\n").global.scrape_timeout,
            seconds(10));
  Config c = MustLoadString("global:\n  scrape_interval: 30s\n  scrape_timeout: 30s\n");
  EXPECT_EQ(c.global.scrape_timeout, seconds(30));
}

TEST(LoaderTest, ScrapeConfigDefaults) {
  Config c = MustLoadString("scrape_configs:\n  - job_name: j\n");
  ASSERT_EQ(c.scrape_configs.size(), 1u);
  const ScrapeConfig& s = c.scrape_configs[0];
  EXPECT_EQ(s.job_name, "j");
  EXPECT_FALSE(s.honor_labels);
  EXPECT_TRUE(s.honor_timestamps);
  EXPECT_FALSE(s.track_timestamps_staleness);
  EXPECT_TRUE(s.params.empty());
  EXPECT_EQ(s.scrape_interval, minutes(1));
  EXPECT_EQ(s.scrape_timeout, seconds(10));
  EXPECT_EQ(s.scrape_protocols, kDefaultProtocols);
  EXPECT_EQ(s.fallback_scrape_protocol, "");
  EXPECT_EQ(s.metrics_path, "/metrics");
  EXPECT_EQ(s.scheme, "http");
  EXPECT_TRUE(s.enable_compression);
  EXPECT_EQ(s.body_size_limit, 0);
  EXPECT_EQ(s.sample_limit, 0u);
  EXPECT_EQ(s.metric_name_validation_scheme, NameValidation::kUtf8);
  EXPECT_EQ(s.metric_name_escaping_scheme, "allow-utf-8");
  EXPECT_TRUE(s.http.follow_redirects);
  EXPECT_TRUE(s.http.enable_http2);
  EXPECT_FALSE(s.http.basic_auth.has_value());
  EXPECT_FALSE(s.http.authorization.has_value());
  EXPECT_FALSE(s.http.tls_config.insecure_skip_verify);
  EXPECT_TRUE(s.static_configs.empty());
  EXPECT_TRUE(s.relabel_configs.empty());
}

TEST(LoaderTest, ScrapeConfigsInheritGlobals) {
  Config c = MustLoadFile(TestData() + "/valid/limits.yml");
  ASSERT_EQ(c.scrape_configs.size(), 2u);
  const ScrapeConfig& in = c.scrape_configs[0];
  EXPECT_EQ(in.scrape_interval, seconds(20));
  EXPECT_EQ(in.scrape_timeout, seconds(10));
  EXPECT_EQ(in.body_size_limit, 10 * 1024 * 1024);
  EXPECT_EQ(in.sample_limit, 50000u);
  EXPECT_EQ(in.label_limit, 64u);
  EXPECT_EQ(in.label_name_length_limit, 128u);
  EXPECT_EQ(in.label_value_length_limit, 2048u);
  EXPECT_EQ(in.target_limit, 100u);
  const ScrapeConfig& over = c.scrape_configs[1];
  EXPECT_EQ(over.scrape_interval, seconds(5));
  // min(global timeout 10s, interval 5s)
  EXPECT_EQ(over.scrape_timeout, seconds(5));
  EXPECT_EQ(over.body_size_limit, 1024);
  EXPECT_EQ(over.sample_limit, 10u);
  EXPECT_EQ(over.label_limit, 5u);
  EXPECT_EQ(over.label_name_length_limit, 20u);
  EXPECT_EQ(over.label_value_length_limit, 30u);
  EXPECT_EQ(over.target_limit, 2u);
  EXPECT_TRUE(over.honor_labels);
  EXPECT_FALSE(over.honor_timestamps);
  EXPECT_EQ(over.metrics_path, "/federate");
}

TEST(LoaderTest, RemoteWriteDefaults) {
  Config c = MustLoadString("remote_write:\n  - url: http://127.0.0.1:9090/api/v1/write\n");
  ASSERT_EQ(c.remote_write.size(), 1u);
  const RemoteWriteConfig& r = c.remote_write[0];
  EXPECT_EQ(r.url, "http://127.0.0.1:9090/api/v1/write");
  EXPECT_EQ(r.name, "");
  EXPECT_EQ(r.remote_timeout, seconds(30));
  EXPECT_TRUE(r.headers.empty());
  EXPECT_TRUE(r.write_relabel_configs.empty());
  EXPECT_FALSE(r.send_exemplars);
  EXPECT_FALSE(r.send_native_histograms);
  EXPECT_FALSE(r.round_robin_dns);
  EXPECT_EQ(r.protobuf_message, "prometheus.WriteRequest");
  EXPECT_TRUE(r.http.follow_redirects);
  EXPECT_FALSE(r.http.enable_http2);  // DefaultRemoteWriteHTTPClientConfig
  const QueueConfig& q = r.queue_config;
  EXPECT_EQ(q.capacity, 10000);
  EXPECT_EQ(q.max_shards, 50);
  EXPECT_EQ(q.min_shards, 1);
  EXPECT_EQ(q.max_samples_per_send, 2000);
  EXPECT_EQ(q.batch_send_deadline, seconds(5));
  EXPECT_EQ(q.min_backoff, milliseconds(30));
  EXPECT_EQ(q.max_backoff, seconds(5));
  EXPECT_TRUE(q.retry_on_http_429);
  EXPECT_EQ(q.sample_age_limit, milliseconds(0));
  EXPECT_TRUE(r.metadata_config.send);
  EXPECT_EQ(r.metadata_config.send_interval, minutes(1));
  EXPECT_EQ(r.metadata_config.max_samples_per_send, 2000);
}

TEST(LoaderTest, SdDefaults) {
  Config c = MustLoadString(
      "scrape_configs:\n  - job_name: a\n    file_sd_configs:\n      - files: [x.json]\n"
      "    http_sd_configs:\n      - url: https://sd/\n");
  EXPECT_EQ(c.scrape_configs[0].file_sd_configs[0].refresh_interval, minutes(5));
  EXPECT_EQ(c.scrape_configs[0].file_sd_configs[0].files, std::vector<std::string>{"x.json"});
  EXPECT_EQ(c.scrape_configs[0].http_sd_configs[0].refresh_interval, minutes(1));
}

TEST(LoaderTest, ScrapeConfigFilesAreMergedAndResolvedAgainstTheirDirectory) {
  Config c = MustLoadFile(TestData() + "/valid/with_scrape_config_files.yml");
  const std::string dir = TestData() + "/valid";
  EXPECT_EQ(c.scrape_config_files, std::vector<std::string>{dir + "/scrape.d/*.yml"});
  ASSERT_EQ(c.scrape_configs.size(), 3u);
  EXPECT_EQ(c.scrape_configs[0].job_name, "main");
  EXPECT_EQ(c.scrape_configs[1].job_name, "from-a");
  EXPECT_EQ(c.scrape_configs[1].http.bearer_token_file, dir + "/scrape.d/token");
  EXPECT_EQ(c.scrape_configs[2].job_name, "from-b");
  EXPECT_EQ(c.scrape_configs[2].scrape_interval, seconds(5));
  EXPECT_EQ(c.scrape_configs[2].scrape_timeout, seconds(5));
}

TEST(LoaderTest, RelativePathsStayRelativeWithoutBaseDir) {
  Config c = MustLoadString(
      "scrape_configs:\n  - job_name: a\n    tls_config:\n      ca_file: ca.pem\n"
      "    authorization:\n      credentials_file: tok\n");
  EXPECT_EQ(c.scrape_configs[0].http.tls_config.ca_file, "ca.pem");
  Config d = MustLoadString(
      "scrape_configs:\n  - job_name: a\n    tls_config:\n      ca_file: ca.pem\n"
      "    authorization:\n      credentials_file: tok\n",
      "/etc/ferry");
  EXPECT_EQ(d.scrape_configs[0].http.tls_config.ca_file, "/etc/ferry/ca.pem");
  EXPECT_EQ(d.scrape_configs[0].http.authorization->credentials_file, "/etc/ferry/tok");
}

TEST(LoaderTest, HttpClientFields) {
  Config c = MustLoadString(R"(
scrape_configs:
  - job_name: a
    basic_auth:
      username: u
      password: p
    tls_config:
      ca: "-----BEGIN CERTIFICATE-----"
      cert_file: c.pem
      key_file: k.pem
      server_name: s
      insecure_skip_verify: true
      min_version: TLS13
      max_version: TLS13
    proxy_url: http://proxy:3128
    no_proxy: localhost,127.0.0.1
    proxy_connect_header:
      Proxy-Authorization: [Basic abc]
    follow_redirects: false
    enable_http2: false
    http_headers:
      X-Tenant:
        values: [t1]
        secrets: [s1]
        files: [h.txt]
  - job_name: b
    authorization:
      type: "  Token  "
      credentials: xyz
  - job_name: c
    bearer_token: legacy
)",
                            "/d");
  const HttpClientConfig& h = c.scrape_configs[0].http;
  ASSERT_TRUE(h.basic_auth.has_value());
  EXPECT_EQ(h.basic_auth->username, "u");
  EXPECT_EQ(h.basic_auth->password, "p");
  EXPECT_EQ(h.tls_config.ca, "-----BEGIN CERTIFICATE-----");
  EXPECT_EQ(h.tls_config.cert_file, "/d/c.pem");
  EXPECT_EQ(h.tls_config.key_file, "/d/k.pem");
  EXPECT_EQ(h.tls_config.server_name, "s");
  EXPECT_TRUE(h.tls_config.insecure_skip_verify);
  EXPECT_EQ(h.tls_config.min_version, "TLS13");
  EXPECT_EQ(h.tls_config.max_version, "TLS13");
  EXPECT_EQ(h.proxy_url, "http://proxy:3128");
  EXPECT_EQ(h.no_proxy, "localhost,127.0.0.1");
  EXPECT_EQ(h.proxy_connect_header.at("Proxy-Authorization"),
            std::vector<std::string>{"Basic abc"});
  EXPECT_FALSE(h.follow_redirects);
  EXPECT_FALSE(h.enable_http2);
  ASSERT_EQ(h.http_headers.count("X-Tenant"), 1u);
  EXPECT_EQ(h.http_headers.at("X-Tenant").values, std::vector<std::string>{"t1"});
  EXPECT_EQ(h.http_headers.at("X-Tenant").secrets, std::vector<std::string>{"s1"});
  EXPECT_EQ(h.http_headers.at("X-Tenant").files, std::vector<std::string>{"/d/h.txt"});
  // authorization.type is trimmed, as Prometheus does.
  EXPECT_EQ(c.scrape_configs[1].http.authorization->type, "Token");
  EXPECT_EQ(c.scrape_configs[1].http.authorization->credentials, "xyz");
  EXPECT_EQ(c.scrape_configs[2].http.bearer_token, "legacy");
  EXPECT_EQ(c.scrape_configs[2].http.authorization->type, "Bearer");
  EXPECT_EQ(c.scrape_configs[2].http.authorization->credentials, "legacy");
}

TEST(LoaderTest, NewerPrometheusFields) {
  Config c = MustLoadFile(TestData() + "/valid/new_fields.yml");
  EXPECT_EQ(c.global.scrape_protocols,
            (std::vector<std::string>{"PrometheusText0.0.4", "OpenMetricsText1.0.0"}));
  EXPECT_EQ(c.global.keep_dropped_targets, 100u);
  const ScrapeConfig& s = c.scrape_configs[0];
  EXPECT_EQ(s.scrape_protocols, c.global.scrape_protocols);
  EXPECT_TRUE(s.track_timestamps_staleness);
  EXPECT_FALSE(s.enable_compression);
  EXPECT_EQ(s.fallback_scrape_protocol, "PrometheusText0.0.4");
  EXPECT_EQ(s.keep_dropped_targets, 100u);
  EXPECT_EQ(c.remote_write[0].protobuf_message, "io.prometheus.write.v2.Request");
  EXPECT_EQ(c.remote_write[0].queue_config.sample_age_limit, minutes(10));
}

TEST(LoaderTest, NativeHistogramsPutProtobufFirst) {
  Config c = MustLoadString(
      "scrape_configs:\n  - job_name: a\n    scrape_native_histograms: true\n"
      "  - job_name: b\n");
  EXPECT_EQ(c.scrape_configs[0].scrape_protocols.front(), "PrometheusProto");
  EXPECT_EQ(c.scrape_configs[0].scrape_protocols.size(), 5u);
  EXPECT_EQ(c.scrape_configs[1].scrape_protocols, kDefaultProtocols);
}

TEST(LoaderTest, YamlBooleansAndLegacyScheme) {
  Config c = MustLoadFile(TestData() + "/valid/yaml_booleans.yml");
  EXPECT_TRUE(c.scrape_configs[0].honor_labels);
  EXPECT_FALSE(c.scrape_configs[0].honor_timestamps);
  Config l = MustLoadString(
      "global:\n  metric_name_validation_scheme: legacy\nscrape_configs:\n  - job_name: a\n");
  EXPECT_EQ(l.scrape_configs[0].metric_name_validation_scheme, NameValidation::kLegacy);
  EXPECT_EQ(l.scrape_configs[0].metric_name_escaping_scheme, "underscores");
}

TEST(LoaderTest, Utf8LabelNamesAreValidByDefault) {
  Config c = MustLoadFile(TestData() + "/valid/utf8_label_names.yml");
  EXPECT_EQ(c.global.external_labels.Get("team-name"), "infra");
  EXPECT_EQ(c.scrape_configs[0].static_configs[0].labels.Get("service.name"), "api");
}

TEST(LoaderTest, EmptyAgentSectionsAreAccepted) {
  Config c = MustLoadFile(TestData() + "/valid/agent_sections_empty.yml");
  EXPECT_EQ(c.scrape_configs.size(), 1u);
}

TEST(LoaderTest, IgnoredSectionsAreAccepted) {
  Config c = MustLoadString(
      "runtime:\n  gogc: 50\nstorage:\n  tsdb:\n    out_of_order_time_window: 1h\n"
      "otlp:\n  promote_resource_attributes: [service.name]\n");
  EXPECT_TRUE(c.scrape_configs.empty());
}

}  // namespace
}  // namespace ferry::config
