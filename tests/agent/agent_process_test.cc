// End-to-end tests of the agent process: flags, endpoints, reload, signals.
// Every test starts its own ferry on 127.0.0.1 with a fresh data directory.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <regex>

#include "tests/testing/subprocess.h"
#include "tests/testing/test_util.h"

namespace ferry {
namespace {

using ::ferry::testing::FerryBinary;
using ::ferry::testing::RunCommand;
using ::ferry::testing::Subprocess;
using ::ferry::testing::TempDir;
using ::ferry::testing::WriteFileOrDie;
using namespace std::chrono_literals;

constexpr char kGoodConfig[] = R"(global:
  scrape_interval: 15s
  external_labels:
    site: edge-1
scrape_configs:
  - job_name: ferry
    static_configs:
      - targets: ['127.0.0.1:1']
remote_write:
  - url: http://127.0.0.1:1/api/v1/write
    name: central
)";

class AgentProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = dir_.Sub("prometheus.yml");
    WriteFileOrDie(config_, kGoodConfig);
  }

  // Starts ferry on a free port and waits (bounded) until it serves /-/ready.
  std::unique_ptr<Subprocess> StartAgent(std::vector<std::string> extra = {}) {
    port_ = ::ferry::testing::PickFreePort();
    std::vector<std::string> argv = {FerryBinary(), "--config.file=" + config_,
                                     "--storage.agent.path=" + dir_.Sub("data"),
                                     "--web.listen-address=127.0.0.1:" + std::to_string(port_)};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto p = std::make_unique<Subprocess>(argv, dir_.Sub("agent"));
    EXPECT_TRUE(p->WaitForStderr("ready to receive web requests", 30s)) << p->Stderr();
    return p;
  }

  httplib::Result Get(const std::string& path) {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(10, 0);
    return c.Get(path.c_str());
  }
  httplib::Result Post(const std::string& path) {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(10, 0);
    return c.Post(path.c_str());
  }

  TempDir dir_;
  std::string config_;
  int port_ = 0;
};

TEST_F(AgentProcessTest, ServesHealthReadyAndValidMetrics) {
  auto agent = StartAgent({"--enable-feature=agent"});
  auto healthy = Get("/-/healthy");
  ASSERT_TRUE(healthy);
  EXPECT_EQ(healthy->status, 200);
  auto ready = Get("/-/ready");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  auto metrics = Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  for (const char* name : {"ferry_build_info", "prometheus_config_last_reload_successful 1",
                           "process_resident_memory_bytes", "process_cpu_seconds_total",
                           "prometheus_ready 1"}) {
    EXPECT_NE(metrics->body.find(name), std::string::npos) << name;
  }
  // The exposition must satisfy the reference linter: Debian's promtool.
  std::string body_file = dir_.Sub("metrics.prom");
  WriteFileOrDie(body_file, metrics->body);
  auto lint = RunCommand({"/bin/sh", "-c", "/usr/bin/promtool check metrics < " + body_file},
                         dir_.Sub("promtool"));
  EXPECT_EQ(lint.exit_code, 0) << lint.out << lint.err;

  agent->Signal(SIGTERM);
  auto code = agent->Wait(30s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << agent->Stderr();
  EXPECT_NE(agent->Stderr().find("level=info"), std::string::npos);
}

// What `make run` does: the example configuration, a fresh data directory.
TEST_F(AgentProcessTest, ExampleConfigServesReadyAndLintCleanMetrics) {
  config_ = ::ferry::testing::SourceDir() + "/examples/ferry.yml";
  auto agent = StartAgent({"--web.enable-lifecycle"});
  auto ready = Get("/-/ready");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  auto metrics = Get("/metrics");
  ASSERT_TRUE(metrics);
  std::string body_file = dir_.Sub("example-metrics.prom");
  WriteFileOrDie(body_file, metrics->body);
  auto lint = RunCommand({"/bin/sh", "-c", "/usr/bin/promtool check metrics < " + body_file},
                         dir_.Sub("promtool-example"));
  EXPECT_EQ(lint.exit_code, 0) << lint.out << lint.err;
  for (const char* name : {"ferry_wal_appended_samples_total", "ferry_wal_bytes",
                           "prometheus_remote_storage_samples_total"}) {
    EXPECT_NE(metrics->body.find(name), std::string::npos) << name;
  }
  agent->Signal(SIGTERM);
  auto code = agent->Wait(90s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << agent->Stderr();
}

TEST_F(AgentProcessTest, StatusEndpointsShowConfigAndFlags) {
  auto agent = StartAgent();
  auto cfg = Get("/api/v1/status/config");
  ASSERT_TRUE(cfg);
  EXPECT_EQ(cfg->status, 200);
  EXPECT_NE(cfg->body.find("\"status\":\"success\""), std::string::npos);
  EXPECT_NE(cfg->body.find("job_name: ferry"), std::string::npos) << cfg->body;
  auto flags = Get("/api/v1/status/flags");
  ASSERT_TRUE(flags);
  EXPECT_NE(flags->body.find("\"config.file\":\"" + config_ + "\""), std::string::npos)
      << flags->body;
  EXPECT_NE(flags->body.find("\"storage.agent.wal-compression\":\"false\""), std::string::npos)
      << flags->body;
}

TEST_F(AgentProcessTest, ReloadNeedsLifecycleFlag) {
  auto agent = StartAgent();
  auto r = Post("/-/reload");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(r->body, "Lifecycle API is not enabled.");
  auto g = Get("/-/reload");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->status, 405);
}

TEST_F(AgentProcessTest, FailedReloadKeepsRunningConfigAndIsCounted) {
  auto agent = StartAgent({"--web.enable-lifecycle"});
  WriteFileOrDie(config_, std::string(kGoodConfig) + "bogus_field: 1\n");
  auto r = Post("/-/reload");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_NE(r->body.find("failed to reload config: "), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("prometheus.yml:"), std::string::npos) << r->body;
  auto metrics = Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("prometheus_config_last_reload_successful 0"), std::string::npos);
  EXPECT_NE(metrics->body.find("ferry_config_reloads_total{result=\"failure\"} 1"),
            std::string::npos);
  auto cfg = Get("/api/v1/status/config");
  ASSERT_TRUE(cfg);
  EXPECT_NE(cfg->body.find("job_name: ferry"), std::string::npos);

  // Fix the file and reload through SIGHUP instead.
  std::string fixed = kGoodConfig;
  fixed.insert(fixed.find("remote_write:"), R"(  - job_name: second
    static_configs:
      - targets: ['127.0.0.1:2']
)");
  WriteFileOrDie(config_, fixed);
  std::string before = agent->Stderr();
  agent->Signal(SIGHUP);
  ASSERT_TRUE(agent->WaitForStderr("totalDuration", 20s)) << agent->Stderr();
  cfg = Get("/api/v1/status/config");
  ASSERT_TRUE(cfg);
  EXPECT_NE(cfg->body.find("job_name: second"), std::string::npos) << cfg->body;
  metrics = Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("prometheus_config_last_reload_successful 1"), std::string::npos);
}

TEST_F(AgentProcessTest, QuitEndpointShutsDownCleanly) {
  auto agent = StartAgent({"--web.enable-lifecycle"});
  auto r = Post("/-/quit");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  auto code = agent->Wait(30s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0);
}

TEST_F(AgentProcessTest, InvalidConfigAtStartIsRefusedWithPosition) {
  WriteFileOrDie(config_, "global:\n  scrape_interval: 15x\n");
  auto r = RunCommand({FerryBinary(), "--config.file=" + config_,
                       "--storage.agent.path=" + dir_.Sub("data"),
                       "--web.listen-address=127.0.0.1:0"},
                      dir_.Sub("bad"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(std::regex_search(r.err, std::regex("prometheus\\.yml:2:[0-9]+: "))) << r.err;
}

TEST_F(AgentProcessTest, BusyListenAddressIsAClearError) {
  auto agent = StartAgent();
  auto r = RunCommand({FerryBinary(), "--config.file=" + config_,
                       "--storage.agent.path=" + dir_.Sub("data2"),
                       "--web.listen-address=127.0.0.1:" + std::to_string(port_)},
                      dir_.Sub("busy"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot listen on 127.0.0.1:"), std::string::npos) << r.err;
}

TEST_F(AgentProcessTest, JsonLogFormat) {
  auto agent = StartAgent({"--log.format=json", "--log.level=debug"});
  std::string err = agent->Stderr();
  EXPECT_NE(err.find("{\"ts\":\""), std::string::npos) << err;
  EXPECT_NE(err.find("\"level\":\"info\""), std::string::npos) << err;
}

}  // namespace
}  // namespace ferry
