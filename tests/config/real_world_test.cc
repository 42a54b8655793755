// Real-world configurations loaded end to end: a node_exporter job,
// kube-scheduler / kube-controller-manager jobs as kube-prometheus writes them,
// a full remote_write with queue_config, file and HTTP discovery, and the
// shipped example.
#include <gtest/gtest.h>

#include "src/config/loader.h"
#include "tests/config/test_paths.h"

namespace ferry::config {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using testing_paths::TestData;

Config MustLoadFile(const std::string& path) {
  Result<Config> r = LoadFile(path);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : Config();
}

TEST(RealWorldConfigTest, NodeExporterJob) {
  Config c = MustLoadFile(TestData() + "/valid/node_exporter.yml");
  EXPECT_EQ(c.global.scrape_interval, seconds(15));
  EXPECT_EQ(c.global.external_labels, labels::Labels::Of({{"cluster", "prod-eu-1"}, {"replica", "a"}}));
  ASSERT_EQ(c.scrape_configs.size(), 1u);
  const ScrapeConfig& s = c.scrape_configs[0];
  EXPECT_EQ(s.scrape_interval, seconds(30));
  EXPECT_EQ(s.scrape_timeout, seconds(10));
  ASSERT_EQ(s.static_configs.size(), 2u);
  EXPECT_EQ(s.static_configs[0].targets,
            (std::vector<std::string>{"127.0.0.1:9100", "10.0.0.2:9100"}));
  EXPECT_EQ(s.static_configs[0].labels, labels::Labels::Of({{"env", "prod"}, {"rack", "r12"}}));
  EXPECT_EQ(s.static_configs[0].source, "0");
  EXPECT_EQ(s.static_configs[1].targets, std::vector<std::string>{"10.0.1.7:9100"});
  EXPECT_TRUE(s.static_configs[1].labels.empty());
  EXPECT_EQ(s.static_configs[1].source, "1");
  ASSERT_EQ(s.params.count("collect[]"), 1u);
  EXPECT_EQ(s.params.at("collect[]"), (std::vector<std::string>{"cpu", "meminfo", "filesystem"}));
  ASSERT_EQ(s.metric_relabel_configs.size(), 2u);
  EXPECT_EQ(s.metric_relabel_configs[0].source_labels, std::vector<std::string>{"__name__"});
  EXPECT_EQ(s.metric_relabel_configs[0].regex, "node_(scrape_collector_.*|textfile_scrape_error)");
  EXPECT_EQ(s.metric_relabel_configs[0].action, relabel::Action::kDrop);
  EXPECT_EQ(s.metric_relabel_configs[0].separator, ";");
  EXPECT_EQ(s.metric_relabel_configs[0].replacement, "$1");
  EXPECT_EQ(s.metric_relabel_configs[1].target_label, "ephemeral");
  EXPECT_EQ(s.metric_relabel_configs[1].replacement, "true");
  EXPECT_EQ(s.metric_relabel_configs[1].action, relabel::Action::kReplace);
  ASSERT_EQ(c.remote_write.size(), 1u);
}

TEST(RealWorldConfigTest, KubeSchedulerAndControllerManagerJobs) {
  Config c = MustLoadFile(TestData() + "/valid/kube_scheduler.yml");
  ASSERT_EQ(c.scrape_configs.size(), 2u);
  const ScrapeConfig& sched = c.scrape_configs[0];
  EXPECT_EQ(sched.job_name, "kube-scheduler");
  EXPECT_EQ(sched.scheme, "https");
  EXPECT_EQ(sched.scrape_interval, seconds(30));
  EXPECT_EQ(sched.scrape_timeout, seconds(10));
  // The legacy bearer_token_file is kept and folded into authorization.
  EXPECT_EQ(sched.http.bearer_token_file, "/var/run/secrets/kubernetes.io/serviceaccount/token");
  ASSERT_TRUE(sched.http.authorization.has_value());
  EXPECT_EQ(sched.http.authorization->type, "Bearer");
  EXPECT_EQ(sched.http.authorization->credentials_file,
            "/var/run/secrets/kubernetes.io/serviceaccount/token");
  EXPECT_EQ(sched.http.tls_config.ca_file, "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt");
  EXPECT_EQ(sched.http.tls_config.server_name, "kube-scheduler.kube-system.svc");
  EXPECT_FALSE(sched.http.tls_config.insecure_skip_verify);
  ASSERT_EQ(sched.kubernetes_sd_configs.size(), 1u);
  const KubernetesSdConfig& k = sched.kubernetes_sd_configs[0];
  EXPECT_EQ(k.role, "endpoints");
  EXPECT_EQ(k.api_server, "");
  EXPECT_EQ(k.namespaces.names, std::vector<std::string>{"kube-system"});
  EXPECT_FALSE(k.namespaces.own_namespace);
  EXPECT_TRUE(k.http.enable_http2);
  ASSERT_EQ(sched.relabel_configs.size(), 2u);
  EXPECT_EQ(sched.relabel_configs[0].action, relabel::Action::kKeep);
  EXPECT_EQ(sched.relabel_configs[0].source_labels.size(), 3u);
  EXPECT_EQ(sched.relabel_configs[0].regex, "kube-system;kube-scheduler;https-metrics");
  EXPECT_EQ(sched.relabel_configs[1].target_label, "node");

  const ScrapeConfig& cm = c.scrape_configs[1];
  EXPECT_EQ(cm.scrape_interval, minutes(1));
  EXPECT_EQ(cm.scrape_timeout, seconds(10));
  ASSERT_TRUE(cm.http.authorization.has_value());
  EXPECT_EQ(cm.http.authorization->type, "Bearer");
  EXPECT_EQ(cm.http.bearer_token_file, "");
  EXPECT_EQ(cm.http.tls_config.min_version, "TLS12");
  ASSERT_EQ(cm.kubernetes_sd_configs.size(), 1u);
  const KubernetesSdConfig& kp = cm.kubernetes_sd_configs[0];
  EXPECT_EQ(kp.role, "pod");
  ASSERT_EQ(kp.selectors.size(), 1u);
  EXPECT_EQ(kp.selectors[0].role, "pod");
  EXPECT_EQ(kp.selectors[0].label, "component=kube-controller-manager");
  EXPECT_TRUE(kp.attach_metadata.node);
  EXPECT_FALSE(kp.attach_metadata.namespace_);
  EXPECT_EQ(cm.relabel_configs[1].action, relabel::Action::kLabelMap);
  EXPECT_EQ(cm.metric_relabel_configs.size(), 1u);
}

TEST(RealWorldConfigTest, FullRemoteWrite) {
  Config c = MustLoadFile(TestData() + "/valid/full_remote_write.yml");
  const std::string dir = TestData() + "/valid";
  ASSERT_EQ(c.remote_write.size(), 2u);
  const RemoteWriteConfig& r = c.remote_write[0];
  EXPECT_EQ(r.url, "https://mimir.example.com/api/v1/push");
  EXPECT_EQ(r.name, "mimir");
  EXPECT_EQ(r.remote_timeout, seconds(45));
  EXPECT_EQ(r.headers, (std::map<std::string, std::string>{{"X-Scope-OrgID", "tenant-1"}}));
  ASSERT_TRUE(r.http.basic_auth.has_value());
  EXPECT_EQ(r.http.basic_auth->username, "ferry");
  EXPECT_EQ(r.http.basic_auth->password_file, dir + "/secrets/mimir-password");
  EXPECT_EQ(r.http.tls_config.ca_file, dir + "/secrets/ca.crt");
  EXPECT_EQ(r.http.tls_config.cert_file, dir + "/secrets/client.crt");
  EXPECT_EQ(r.http.tls_config.key_file, dir + "/secrets/client.key");
  ASSERT_EQ(r.write_relabel_configs.size(), 1u);
  EXPECT_EQ(r.write_relabel_configs[0].action, relabel::Action::kDrop);
  const QueueConfig& q = r.queue_config;
  EXPECT_EQ(q.capacity, 20000);
  EXPECT_EQ(q.max_shards, 30);
  EXPECT_EQ(q.min_shards, 2);
  EXPECT_EQ(q.max_samples_per_send, 5000);
  EXPECT_EQ(q.batch_send_deadline, seconds(10));
  EXPECT_EQ(q.min_backoff, milliseconds(100));
  EXPECT_EQ(q.max_backoff, seconds(10));
  EXPECT_FALSE(r.metadata_config.send);
  EXPECT_EQ(r.metadata_config.send_interval, minutes(2));
  EXPECT_EQ(r.metadata_config.max_samples_per_send, 1000);
  EXPECT_TRUE(r.send_exemplars);
  EXPECT_EQ(c.remote_write[1].name, "local");
  EXPECT_FALSE(c.remote_write[1].http.follow_redirects);
  EXPECT_EQ(c.global.external_labels, labels::Labels::Of({{"cluster", "prod"}}));
}

TEST(RealWorldConfigTest, FileAndHttpSd) {
  Config c = MustLoadFile(TestData() + "/valid/file_and_http_sd.yml");
  const std::string dir = TestData() + "/valid";
  ASSERT_EQ(c.scrape_configs.size(), 2u);
  ASSERT_EQ(c.scrape_configs[0].file_sd_configs.size(), 1u);
  const FileSdConfig& f = c.scrape_configs[0].file_sd_configs[0];
  EXPECT_EQ(f.files, (std::vector<std::string>{dir + "/targets/*.json", "/etc/ferry/targets/*.yml"}));
  EXPECT_EQ(f.refresh_interval, minutes(1));
  ASSERT_EQ(c.scrape_configs[1].http_sd_configs.size(), 1u);
  const HttpSdConfig& h = c.scrape_configs[1].http_sd_configs[0];
  EXPECT_EQ(h.url, "http://127.0.0.1:8080/targets");
  EXPECT_EQ(h.refresh_interval, seconds(30));
  ASSERT_TRUE(h.http.basic_auth.has_value());
  EXPECT_EQ(h.http.basic_auth->password_file, dir + "/secrets/sd-password");
}

TEST(RealWorldConfigTest, ExampleConfigLoads) {
  Config c = MustLoadFile(testing_paths::SourceRoot() + "/examples/ferry.yml");
  ASSERT_EQ(c.scrape_configs.size(), 1u);
  EXPECT_EQ(c.scrape_configs[0].job_name, "ferry");
  EXPECT_EQ(c.scrape_configs[0].scrape_interval, seconds(15));
  EXPECT_EQ(c.scrape_configs[0].static_configs[0].targets,
            std::vector<std::string>{"127.0.0.1:9095"});
  ASSERT_EQ(c.remote_write.size(), 1u);
  EXPECT_EQ(c.remote_write[0].url, "http://127.0.0.1:9090/api/v1/write");
  EXPECT_EQ(c.remote_write[0].name, "local");
}

}  // namespace
}  // namespace ferry::config
