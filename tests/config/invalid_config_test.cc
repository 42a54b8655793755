// Invalid configurations and the exact errors ferry gives for them.
//
// Every file in testdata/invalid/ must appear in kCases below (checked), so a
// new fixture cannot be added without stating its message. The same files
// feed the promtool differential test.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "src/config/loader.h"
#include "tests/config/test_paths.h"
#include "tests/testing/test_util.h"

namespace ferry::config {
namespace {

using testing_paths::TestData;

// Loads testdata/invalid/NAME with "invalid/NAME" as the file name in messages.
Status LoadInvalid(const std::string& name) {
  const std::string path = TestData() + "/invalid/" + name;
  const std::string text = testing::ReadFileOrEmpty(path);
  EXPECT_FALSE(text.empty()) << path;
  Result<Config> r = LoadString(text, "invalid/" + name, TestData() + "/invalid");
  return r.ok() ? Status::Ok() : r.status();
}

struct Case {
  const char* file;
  const char* message;
};

const Case kCases[] = {
    {"alerting.yml",
     "invalid/alerting.yml:1:1: field alerting is not allowed in agent mode"},
    {"authorization_and_bearer.yml",
     "invalid/authorization_and_bearer.yml:3:5: scrape_configs[0].authorization: authorization is not compatible with bearer_token & bearer_token_file"},
    {"authorization_basic_type.yml",
     "invalid/authorization_basic_type.yml:3:5: scrape_configs[0].authorization: authorization type cannot be set to \"basic\", use \"basic_auth\" instead"},
    {"authorization_header.yml",
     "invalid/authorization_header.yml:4:7: remote_write[0].headers: authorization header must be changed via the basic_auth, authorization, oauth2, sigv4, azuread or google_iam parameter"},
    {"bad_body_size.yml",
     "invalid/bad_body_size.yml:2:20: global.body_size_limit: invalid byte size \"10 MB\": unknown unit \" MB\""},
    {"bad_duration.yml",
     "invalid/bad_duration.yml:2:20: global.scrape_interval: unknown unit \" seconds\" in duration \"15 seconds\""},
    {"bad_duration_order.yml",
     "invalid/bad_duration_order.yml:3:22: scrape_configs[0].scrape_interval: not a valid duration string: \"30s1m\""},
    {"bad_duration_unit.yml",
     "invalid/bad_duration_unit.yml:2:24: global.evaluation_interval: unknown unit \"x\" in duration \"5x\""},
    {"bad_external_label_name.yml",
     "invalid/bad_external_label_name.yml:3:5: global.external_labels: \"\" is not a valid label name"},
    {"bad_proxy_url.yml",
     "invalid/bad_proxy_url.yml:3:16: scrape_configs[0].proxy_url: invalid URL \"proxy.local:3128\": missing scheme (expected scheme://host)"},
    {"bad_relabel_action.yml",
     "invalid/bad_relabel_action.yml:5:17: scrape_configs[0].relabel_configs[0].action: 'action': unknown relabel action \"rewrite\""},
    {"bad_scheme.yml",
     "invalid/bad_scheme.yml:3:5: scrape_configs[0].scheme: invalid scheme \"ftp\", must be \"http\" or \"https\""},
    {"basic_auth_and_bearer.yml",
     "invalid/basic_auth_and_bearer.yml:2:5: scrape_configs[0]: at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured"},
    {"bearer_token_and_file.yml",
     "invalid/bearer_token_and_file.yml:4:5: scrape_configs[0]: at most one of bearer_token & bearer_token_file must be configured"},
    {"capacity_zero.yml",
     "invalid/capacity_zero.yml:4:7: remote_write[0].queue_config.capacity: must be at least 1, got 0"},
    {"consul_sd.yml",
     "invalid/consul_sd.yml:3:5: scrape_configs[0]: consul_sd_configs is not supported by ferry (supported: static_configs, file_sd_configs, http_sd_configs, kubernetes_sd_configs)"},
    {"duplicate_job.yml",
     "invalid/duplicate_job.yml:5:15: scrape_configs[1].job_name: found multiple scrape configs with job name \"node\", first found in invalid/duplicate_job.yml:2:15"},
    {"duplicate_key.yml",
     "invalid/duplicate_key.yml:3:3: global: key \"scrape_interval\" already set in map"},
    {"duplicate_remote_write_name.yml",
     "invalid/duplicate_remote_write_name.yml:5:11: remote_write[1].name: found multiple remote write configs with name \"local\", first found in invalid/duplicate_remote_write_name.yml:3:11"},
    {"file_sd_bad_ext.yml",
     "invalid/file_sd_bad_ext.yml:4:17: scrape_configs[0].file_sd_configs[0].files[0]: path name \"targets/*.txt\" is not valid for file discovery"},
    {"file_sd_no_files.yml",
     "invalid/file_sd_no_files.yml:4:9: scrape_configs[0].file_sd_configs[0]: file service discovery config must contain at least one path name"},
    {"global_timeout_gt_interval.yml",
     "invalid/global_timeout_gt_interval.yml:3:3: global.scrape_timeout: global scrape timeout greater than scrape interval"},
    {"honor_labels_string.yml",
     "invalid/honor_labels_string.yml:3:19: scrape_configs[0].honor_labels: cannot unmarshal !!str \"true\" into bool"},
    {"http_sd_bad_url.yml",
     "invalid/http_sd_bad_url.yml:4:14: scrape_configs[0].http_sd_configs[0].url: URL scheme must be 'http' or 'https', got \"ftp://127.0.0.1/targets\""},
    {"inherited_timeout_gt_interval.yml",
     "invalid/inherited_timeout_gt_interval.yml:6:5: scrape_configs[0].scrape_timeout: scrape timeout 11s greater than scrape interval 10s for scrape config with job name \"fast\""},
    {"invalid_scrape_config_files_pattern.yml",
     "invalid/invalid_scrape_config_files_pattern.yml:2:5: scrape_config_files[0]: invalid scrape config file path \"conf/*/jobs.yml\""},
    {"kubernetes_bad_role.yml",
     "invalid/kubernetes_bad_role.yml:4:15: scrape_configs[0].kubernetes_sd_configs[0].role: unknown Kubernetes SD role \"deployment\""},
    {"kubernetes_bad_selector_role.yml",
     "invalid/kubernetes_bad_selector_role.yml:6:13: scrape_configs[0].kubernetes_sd_configs[0].selectors[0]: node role supports only node selectors"},
    {"kubernetes_http_without_api_server.yml",
     "invalid/kubernetes_http_without_api_server.yml:4:9: scrape_configs[0].kubernetes_sd_configs[0]: to use custom HTTP client configuration please provide the 'api_server' URL explicitly"},
    {"kubernetes_no_role.yml",
     "invalid/kubernetes_no_role.yml:4:9: scrape_configs[0].kubernetes_sd_configs[0]: role missing (one of: pod, service, endpoints, endpointslice, node, ingress)"},
    {"legacy_label_name.yml",
     "invalid/legacy_label_name.yml:8:11: scrape_configs[0].static_configs[0].labels: \"team-name\" is not a valid label name"},
    {"min_shards_gt_max.yml",
     "invalid/min_shards_gt_max.yml:4:7: remote_write[0].queue_config.min_shards: min_shards (10) must not be greater than max_shards (5)"},
    {"missing_job_name.yml",
     "invalid/missing_job_name.yml:2:5: scrape_configs[0]: job_name is empty"},
    {"null_scrape_config.yml",
     "invalid/null_scrape_config.yml:3:1: scrape_configs[0]: empty or null scrape config section"},
    {"oauth2.yml",
     "invalid/oauth2.yml:4:7: remote_write[0].oauth2: oauth2 is not supported yet by ferry; use authorization with credentials_file (a token refreshed by a sidecar) instead"},
    {"password_and_file.yml",
     "invalid/password_and_file.yml:4:7: remote_write[0].basic_auth: at most one of basic_auth password & password_file must be configured"},
    {"protobuf_message.yml",
     "invalid/protobuf_message.yml:3:23: remote_write[0].protobuf_message: invalid protobuf_message value: unknown remote write protobuf message prometheus.WriteRequestV3, supported: prometheus.WriteRequest, io.prometheus.write.v2.Request"},
    {"proxy_no_url.yml",
     "invalid/proxy_no_url.yml:2:5: scrape_configs[0]: if no_proxy is configured, proxy_url must also be configured"},
    {"relabel_bad_regex.yml",
     "invalid/relabel_bad_regex.yml:4:9: scrape_configs[0].metric_relabel_configs[0]: 'regex' \"go_(.*\" does not compile: missing ): ^(?:go_(.*)$"},
    {"relabel_hashmod_no_modulus.yml",
     "invalid/relabel_hashmod_no_modulus.yml:4:9: scrape_configs[0].relabel_configs[0]: 'modulus': relabel configuration for hashmod requires non-zero modulus"},
    {"relabel_null_rule.yml",
     "invalid/relabel_null_rule.yml:5:1: scrape_configs[0].relabel_configs[0]: empty or null target relabeling rule in scrape config"},
    {"remote_read.yml",
     "invalid/remote_read.yml:1:1: field remote_read is not allowed in agent mode"},
    {"remote_write_bad_scheme.yml",
     "invalid/remote_write_bad_scheme.yml:2:10: remote_write[0].url: URL scheme must be 'http' or 'https', got \"ftp://127.0.0.1:9090/api/v1/write\""},
    {"remote_write_no_host.yml",
     "invalid/remote_write_no_host.yml:2:10: remote_write[0].url: host is missing in URL \"http:///api/v1/write\""},
    {"remote_write_no_url.yml",
     "invalid/remote_write_no_url.yml:2:5: remote_write[0]: url for remote_write is empty"},
    {"reserved_header.yml",
     "invalid/reserved_header.yml:5:7: remote_write[0].headers: Content-Type is a reserved header. It must not be changed"},
    {"rule_files.yml",
     "invalid/rule_files.yml:1:1: field rule_files is not allowed in agent mode"},
    {"sample_limit_negative.yml",
     "invalid/sample_limit_negative.yml:3:19: scrape_configs[0].sample_limit: cannot unmarshal !!str \"-1\" into uint"},
    {"scrape_configs_not_list.yml",
     "invalid/scrape_configs_not_list.yml:2:3: scrape_configs: cannot unmarshal !!map into a list"},
    {"scrape_protocols_unknown.yml",
     "invalid/scrape_protocols_unknown.yml:2:21: global.scrape_protocols: scrape_protocols: unknown scrape protocol JSON, supported: [OpenMetricsText0.0.1 OpenMetricsText1.0.0 PrometheusProto PrometheusText0.0.4 PrometheusText1.0.0] for global config"},
    {"sigv4.yml",
     "invalid/sigv4.yml:3:5: remote_write[0].sigv4: sigv4 is not supported yet by ferry"},
    {"timeout_gt_interval.yml",
     "invalid/timeout_gt_interval.yml:4:5: scrape_configs[0].scrape_timeout: scrape timeout 15s greater than scrape interval 10s for scrape config with job name \"node\""},
    {"tls_bad_min_version.yml",
     "invalid/tls_bad_min_version.yml:4:20: scrape_configs[0].tls_config.min_version: unknown TLS version: TLS14"},
    {"tls_cert_without_key.yml",
     "invalid/tls_cert_without_key.yml:5:7: scrape_configs[0].tls_config: exactly one of key or key_file must be configured when a client certificate is configured"},
    {"tracing.yml",
     "invalid/tracing.yml:1:1: tracing: tracing is not supported by ferry"},
    {"unknown_global_field.yml",
     "invalid/unknown_global_field.yml:3:3: global: field external_label not found in type global config"},
    {"unknown_queue_field.yml",
     "invalid/unknown_queue_field.yml:4:7: remote_write[0].queue_config: field max_shard not found in type queue_config"},
    {"unknown_scrape_field.yml",
     "invalid/unknown_scrape_field.yml:3:5: scrape_configs[0]: field scrape_intervall not found in type scrape config"},
    {"unknown_top_field.yml",
     "invalid/unknown_top_field.yml:3:1: field scrape_config not found in type config"},
    {"url_in_target.yml",
     "invalid/url_in_target.yml:4:19: scrape_configs[0].static_configs[0].targets[0]: \"http://a:9100/metrics\" is not a valid hostname"},
    {"yaml_syntax.yml",
     "invalid/yaml_syntax.yml:5:1: yaml: end of sequence flow not found"},
};

TEST(InvalidConfigTest, EachFixtureFailsWithItsExactMessage) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.file);
    Status s = LoadInvalid(c.file);
    ASSERT_FALSE(s.ok());
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_EQ(s.message(), c.message);
  }
}

TEST(InvalidConfigTest, EveryFixtureHasAnExpectedMessage) {
  std::set<std::string> listed;
  for (const Case& c : kCases) listed.insert(c.file);
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(TestData() + "/invalid")) {
    if (entry.path().extension() != ".yml") continue;
    ++files;
    EXPECT_EQ(listed.count(entry.path().filename().string()), 1u)
        << entry.path() << " has no expected message in kCases";
  }
  EXPECT_EQ(files, listed.size());
  EXPECT_GE(files, 30u);
}

Status LoadText(const std::string& yaml) {
  Result<Config> r = LoadString(yaml, "p.yml", "");
  return r.ok() ? Status::Ok() : r.status();
}

TEST(InvalidConfigTest, InlineCases) {
  const std::map<std::string, std::string> cases = {
      {"- a\n- b\n", "p.yml:1:1: cannot unmarshal !!seq into config"},
      {"global: 5\n", "p.yml:1:9: global: cannot unmarshal !!str \"5\" into global config"},
      {"scrape_configs:\n  - job_name: [a]\n",
       "p.yml:2:15: scrape_configs[0].job_name: cannot unmarshal !!seq into string"},
      {"scrape_configs:\n  - job_name: a\n    scrape_interval: 0s\n",
       // 0s means "unset" in Prometheus: the global 1m applies, so this is valid.
       ""},
      {"scrape_configs:\n  - job_name: a\n    sample_limit: 1.5\n",
       "p.yml:3:19: scrape_configs[0].sample_limit: cannot unmarshal !!str \"1.5\" into uint"},
      {"scrape_configs:\n  - job_name: a\n    params:\n      x: y\n",
       "p.yml:4:10: scrape_configs[0].params.x: cannot unmarshal !!str \"y\" into a list"},
      {"scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: [a:1]\n"
       "        source: x\n",
       "p.yml:5:9: scrape_configs[0].static_configs[0]: field source not found in type static "
       "config"},
      {"remote_write:\n  -\n", "p.yml:3:1: remote_write[0]: empty or null remote write config section"},
      {"remote_write:\n  - url: http://h/\n    queue_config:\n      min_backoff: 10s\n",
       "p.yml:4:7: remote_write[0].queue_config.min_backoff: min_backoff (10s) must not be greater "
       "than max_backoff (5s)"},
      {"remote_write:\n  - url: http://h:x/\n",
       "p.yml:2:10: remote_write[0].url: invalid port \"x\" in URL \"http://h:x/\""},
      {"scrape_configs:\n  - job_name: a\n    tls_config:\n      ca: x\n      ca_file: y\n",
       "p.yml:4:7: scrape_configs[0].tls_config: at most one of ca and ca_file must be configured"},
      {"scrape_configs:\n  - job_name: a\n    basic_auth:\n      username: u\n    oauth2:\n"
       "      client_id: c\n      token_url: http://t/\n",
       "p.yml:2:5: scrape_configs[0]: at most one of basic_auth, oauth2 & authorization must be "
       "configured"},
      {"scrape_configs:\n  - job_name: a\n    oauth2:\n      client_id: c\n",
       "p.yml:4:7: scrape_configs[0].oauth2: oauth2 token_url must be configured"},
      {"scrape_configs:\n  - job_name: a\n    http_headers:\n      User-Agent:\n        values: [x]\n",
       "p.yml:4:7: scrape_configs[0].http_headers: setting header \"User-Agent\" is not allowed"},
      {"scrape_configs:\n  - job_name: a\n    proxy_from_environment: true\n    proxy_url: http://p/\n",
       "p.yml:2:5: scrape_configs[0]: if proxy_from_environment is configured, proxy_url must not "
       "be configured"},
      {"scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs:\n      - role: pod\n"
       "        api_server: https://k\n        kubeconfig_file: k.conf\n",
       "p.yml:4:9: scrape_configs[0].kubernetes_sd_configs[0]: cannot use 'kubeconfig_file' and "
       "'api_server' simultaneously"},
      {"scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs:\n      - role: endpoints\n"
       "        selectors:\n          - role: pod\n          - role: pod\n",
       "p.yml:7:13: scrape_configs[0].kubernetes_sd_configs[0].selectors[1]: duplicated selector "
       "role: pod"},
      {"scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs:\n      - role: pod\n"
       "        selectors:\n          - role: pod\n            label: 'app in (a'\n",
       "p.yml:7:20: scrape_configs[0].kubernetes_sd_configs[0].selectors[0].label: invalid label "
       "selector \"app in (a\""},
      {"scrape_configs:\n  - job_name: a\n    scrape_protocols: []\n",
       "p.yml:3:23: scrape_configs[0].scrape_protocols: scrape_protocols cannot be empty for "
       "scrape config with job name \"a\""},
      {"scrape_configs:\n  - job_name: a\n    fallback_scrape_protocol: text\n",
       "p.yml:3:5: scrape_configs[0].fallback_scrape_protocol: invalid fallback_scrape_protocol "
       "for scrape config with job name \"a\": unknown scrape protocol text"},
      {"scrape_configs:\n  - job_name: a\n    metric_name_validation_scheme: legacy\n"
       "    metric_name_escaping_scheme: allow-utf-8\n",
       "p.yml:4:5: scrape_configs[0].metric_name_escaping_scheme: utf8 metric names requested but "
       "validation scheme is not set to UTF8"},
      {"global:\n  metric_name_validation_scheme: ascii\n",
       "p.yml:2:34: global.metric_name_validation_scheme: unknown name validation method "
       "\"ascii\", must be either 'legacy' or 'utf8'"},
      {"scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - source_labels: [\"\"]\n",
       "p.yml:4:25: scrape_configs[0].relabel_configs[0].source_labels[0]: \"\" is not a valid "
       "label name"},
      {"storage: 3\n", "p.yml:1:10: storage: cannot unmarshal !!str \"3\" into storage"},
  };
  for (const auto& [yaml, message] : cases) {
    SCOPED_TRACE(yaml);
    Status s = LoadText(yaml);
    if (message.empty()) {
      EXPECT_TRUE(s.ok()) << s.ToString();
    } else {
      EXPECT_EQ(s.message(), message);
    }
  }
}

TEST(InvalidConfigTest, HostileYamlIsRefusedWithoutCrashing) {
  // Deep nesting, in flow and in block style.
  Status s = LoadText("global: " + std::string(100000, '['));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("yaml: nesting too deep"), std::string::npos) << s.message();
  std::string block;
  for (int i = 0; i < 3000; ++i) block += std::string(static_cast<size_t>(i), ' ') + "a:\n";
  s = LoadText(block);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("yaml: nesting too deep"), std::string::npos) << s.message();
  // An alias bomb: 10 levels of 10 references each.
  std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 9; ++i) {
    bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) bomb += (k ? ", *a" : "*a") + std::to_string(i - 1);
    bomb += "]\n";
  }
  s = LoadText(bomb);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("document too large"), std::string::npos) << s.message();
  // Binary garbage.
  s = LoadText(std::string("\x00\xff\xfe{[", 5));
  EXPECT_FALSE(s.ok());
}

TEST(InvalidConfigTest, MissingFileIsNotFound) {
  Result<Config> r = LoadFile(TestData() + "/does-not-exist.yml");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsNotFound());
  EXPECT_EQ(r.status().message(), "reading config file " + TestData() +
                                      "/does-not-exist.yml: No such file or directory");
}

TEST(InvalidConfigTest, DirectoryIsNotAConfigFile) {
  testing::TempDir dir;
  Result<Config> r = LoadFile(dir.str());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "reading config file " + dir.str() + ": is a directory");
}

TEST(InvalidConfigTest, UnreadableScrapeConfigFileIsAnError) {
  testing::TempDir dir;
  std::filesystem::create_directory(dir.Sub("jobs.yml"));  // matches the glob, cannot be read
  testing::WriteFileOrDie(dir.Sub("main.yml"), "scrape_config_files: [\"*.yml\"]\n");
  Result<Config> r = LoadFile(dir.Sub("main.yml"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "reading config file " + dir.Sub("jobs.yml") + ": is a directory");
}

TEST(InvalidConfigTest, DuplicateJobAcrossScrapeConfigFilesNamesBothPlaces) {
  testing::TempDir dir;
  std::filesystem::create_directory(dir.Sub("jobs"));
  testing::WriteFileOrDie(dir.Sub("main.yml"),
                          "scrape_config_files: [jobs/*.yml]\n"
                          "scrape_configs:\n"
                          "  - job_name: node\n");
  testing::WriteFileOrDie(dir.Sub("jobs/extra.yml"),
                          "scrape_configs:\n"
                          "  - job_name: other\n"
                          "  - job_name: node\n");
  Result<Config> r = LoadFile(dir.Sub("main.yml"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            dir.Sub("jobs/extra.yml") +
                ":3:15: scrape_configs[1].job_name: found multiple scrape configs with job name "
                "\"node\", first found in " +
                dir.Sub("main.yml") + ":3:15");
}

TEST(InvalidConfigTest, ScrapeConfigFileMayOnlyHoldScrapeConfigs) {
  testing::TempDir dir;
  testing::WriteFileOrDie(dir.Sub("main.yml"), "scrape_config_files: [\"extra.yml\"]\n");
  testing::WriteFileOrDie(dir.Sub("extra.yml"), "global:\n  scrape_interval: 1s\n");
  Result<Config> r = LoadFile(dir.Sub("main.yml"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            dir.Sub("extra.yml") + ":1:1: field global not found in type scrape config file");
}

}  // namespace
}  // namespace ferry::config
