// Manager: static groups, reloads (kept, restarted and removed providers),
// refusals, Stop().
#include "src/discovery/manager.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <cstdio>
#include <mutex>

#include "tests/discovery/test_util.h"
#include "tests/testing/test_util.h"

namespace ferry::discovery {
namespace {

using namespace std::chrono_literals;
using testing::Addresses;
using testing::FindStatus;
using testing::LoadConfig;
using testing::MetricValue;
using testing::PollUntil;
using testing::Recorder;
using Groups = std::vector<TargetGroup>;

class ManagerTest : public ::testing::Test {
 protected:
  ManagerTest() : client_(httpclient::Client::Options{}) {
    server_.Get("/sd", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard<std::mutex> l(mu_);
      ++requests_;
      res.set_content(R"([{"targets": ["h:1"]}])", "application/json");
    });
    thread_ = std::make_unique<testing::ServerThread>(server_);
  }
  ~ManagerTest() override {
    if (manager_) manager_->Stop();
    client_.Stop();
  }
  void Start(std::chrono::milliseconds update_interval = 20ms) {
    manager_ = std::make_unique<Manager>(client_, recorder_.Fn(), &clock_, &registry_,
                                         Manager::Options{.update_interval = update_interval});
  }
  int requests() {
    std::lock_guard<std::mutex> l(mu_);
    return requests_;
  }
  std::string HttpJob(const std::string& name, const std::string& interval) {
    return "- job_name: " + name + "\n  http_sd_configs:\n  - url: " + thread_->Url("/sd") +
           "\n    refresh_interval: " + interval + "\n";
  }
  static std::string StaticJob(const std::string& name, const std::string& target) {
    return "- job_name: " + name + "\n  static_configs:\n  - targets: ['" + target + "']\n";
  }

  httplib::Server server_;
  std::mutex mu_;
  int requests_ = 0;
  std::unique_ptr<testing::ServerThread> thread_;
  ::ferry::testing::FakeClock clock_;
  prometheus::Registry registry_;
  httpclient::Client client_;
  Recorder recorder_;
  std::unique_ptr<Manager> manager_;
};

TEST_F(ManagerTest, StaticGroupsAreDeliveredAtOnce) {
  Start(/*update_interval=*/1h);  // a first update does not wait for the interval
  ASSERT_TRUE(manager_
                  ->ApplyConfig(LoadConfig(R"(
scrape_configs:
- job_name: s
  static_configs:
  - targets: ['a:1', 'b:1']
    labels: {env: prod}
  - targets: ['c:1']
)"))
                  .ok());
  ASSERT_TRUE(recorder_.WaitFor("s", [](const Groups& g) { return !g.empty(); }));
  const Groups g = recorder_.Latest("s");
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0].source, "0");
  EXPECT_EQ(g[1].source, "1");
  EXPECT_EQ(g[0].targets[1], labels::Labels::Of({{"__address__", "b:1"}}));
  EXPECT_EQ(g[0].labels, labels::Labels::Of({{"env", "prod"}}));
  auto st = FindStatus(*manager_, "s", "static_configs");
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->mechanism, "static");
  EXPECT_EQ(st->groups, g);
}

TEST_F(ManagerTest, KubernetesIsRefusedAndNothingChanges) {
  Start();
  ASSERT_TRUE(manager_->ApplyConfig(LoadConfig("scrape_configs:\n" + StaticJob("s", "a:1"))).ok());
  config::Config k8s = LoadConfig(R"(
scrape_configs:
- job_name: k8s-pods
  kubernetes_sd_configs:
  - role: pod
)");
  ASSERT_EQ(k8s.scrape_configs.size(), 1u);
  const ::ferry::Status s = manager_->ApplyConfig(k8s);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "job \"k8s-pods\": kubernetes_sd_configs is not supported yet");
  ASSERT_EQ(manager_->Status().size(), 1u);
  EXPECT_EQ(manager_->Status()[0].job, "s");
}

TEST_F(ManagerTest, UnchangedProvidersKeepRunningAcrossReloads) {
  Start();
  const std::string yaml = "scrape_configs:\n" + HttpJob("h", "1h") + StaticJob("s", "a:1");
  ASSERT_TRUE(manager_->ApplyConfig(LoadConfig(yaml)).ok());
  ASSERT_TRUE(recorder_.WaitFor("h", [](const Groups& g) { return Addresses(g).size() == 1; }));
  const auto first_refresh = FindStatus(*manager_, "h", "http_sd_configs[0]")->last_refresh;
  ASSERT_EQ(first_refresh, clock_.SystemNow());
  const size_t updates = recorder_.Count("h");
  clock_.Advance(1h);

  // The same config, parsed again, with another static target: the http
  // provider is the same one (it has its old refresh time and groups right
  // away, where a new one would start empty and never-refreshed).
  ASSERT_TRUE(manager_->ApplyConfig(LoadConfig("scrape_configs:\n" + HttpJob("h", "1h") +
                                               StaticJob("s", "b:1")))
                  .ok());
  auto kept = FindStatus(*manager_, "h", "http_sd_configs[0]");
  EXPECT_EQ(kept->last_refresh, first_refresh);
  EXPECT_EQ(Addresses(kept->groups), std::vector<std::string>{"h:1"});
  ASSERT_TRUE(recorder_.WaitFor("s", [](const Groups& g) {
    return Addresses(g) == std::vector<std::string>{"b:1"};
  }));
  EXPECT_EQ(recorder_.Count("h"), updates);  // nothing changed for "h", no update
  EXPECT_EQ(requests(), 1);

  // A changed entry restarts its provider, which refreshes at once.
  ASSERT_TRUE(manager_->ApplyConfig(LoadConfig("scrape_configs:\n" + HttpJob("h", "2h"))).ok());
  ASSERT_TRUE(PollUntil([&] {
    auto st = FindStatus(*manager_, "h", "http_sd_configs[0]");
    return st.has_value() && st->last_refresh == clock_.SystemNow();
  }));
  EXPECT_EQ(requests(), 2);
}

TEST_F(ManagerTest, RemovedJobGetsAFinalEmptyUpdate) {
  Start();
  ASSERT_TRUE(manager_
                  ->ApplyConfig(LoadConfig("scrape_configs:\n" + StaticJob("a", "a:1") +
                                           StaticJob("b", "b:1")))
                  .ok());
  ASSERT_TRUE(recorder_.WaitFor("b", [](const Groups& g) { return !g.empty(); }));
  EXPECT_EQ(MetricValue(registry_, "prometheus_sd_discovered_targets", {{"config", "b"}}), 1);
  ASSERT_TRUE(manager_->ApplyConfig(LoadConfig("scrape_configs:\n" + StaticJob("a", "a:1"))).ok());
  ASSERT_TRUE(recorder_.WaitFor("b", [](const Groups& g) { return g.empty(); }));
  ASSERT_EQ(manager_->Status().size(), 1u);
  EXPECT_EQ(manager_->Status()[0].job, "a");
  EXPECT_EQ(MetricValue(registry_, "prometheus_sd_discovered_targets", {{"config", "b"}}), 0);
}

TEST_F(ManagerTest, RemovedProviderStopsAndItsGroupsGo) {
  Start();
  ASSERT_TRUE(manager_->ApplyConfig(LoadConfig("scrape_configs:\n" + HttpJob("h", "1h"))).ok());
  ASSERT_TRUE(recorder_.WaitFor("h", [](const Groups& g) { return !g.empty(); }));
  // Same job, now static only: the http groups disappear from its list.
  ASSERT_TRUE(manager_->ApplyConfig(LoadConfig("scrape_configs:\n" + StaticJob("h", "s:1"))).ok());
  ASSERT_TRUE(recorder_.WaitFor("h", [](const Groups& g) {
    return Addresses(g) == std::vector<std::string>{"s:1"};
  }));
  EXPECT_FALSE(FindStatus(*manager_, "h", "http_sd_configs[0]").has_value());
}

TEST_F(ManagerTest, StopDeliversNothingMoreAndIsIdempotent) {
  Start(/*update_interval=*/1h);
  const config::Config cfg = LoadConfig("scrape_configs:\n" + StaticJob("a", "a:1"));
  ASSERT_TRUE(manager_->ApplyConfig(cfg).ok());
  ASSERT_TRUE(recorder_.WaitFor("a", [](const Groups& g) { return !g.empty(); }));
  // A pending change (waiting for the 1h interval) is dropped, and the job
  // gets no empty list: shutting down is not "all targets disappeared".
  ASSERT_TRUE(manager_->ApplyConfig(LoadConfig("scrape_configs:\n" + StaticJob("a", "b:1"))).ok());
  manager_->Stop();  // does not wait for the 1h interval
  EXPECT_EQ(Addresses(recorder_.Latest("a")), std::vector<std::string>{"a:1"});
  EXPECT_EQ(recorder_.Count("a"), 1u);
  manager_->Stop();
  EXPECT_TRUE(manager_->Status().empty());
  EXPECT_TRUE(manager_->ApplyConfig(cfg).IsFailedPrecondition());
}

TEST_F(ManagerTest, LaterChangesWaitForTheUpdateInterval) {
  ::ferry::testing::TempDir dir;
  ::ferry::testing::WriteFileOrDie(dir.Sub("t.json"), R"([{"targets": ["a:1"]}])");
  Start(/*update_interval=*/1h);
  ASSERT_TRUE(manager_
                  ->ApplyConfig(LoadConfig(
                      "scrape_configs:\n- job_name: f\n  file_sd_configs:\n  - files: [t.json]\n",
                      dir.str()))
                  .ok());
  ASSERT_TRUE(recorder_.WaitFor("f", [](const Groups& g) { return !g.empty(); }));
  // The provider sees the change at once; the update waits for the interval.
  ::ferry::testing::WriteFileOrDie(dir.Sub("t.json.tmp"), R"([{"targets": ["b:1"]}])");
  ASSERT_EQ(std::rename(dir.Sub("t.json.tmp").c_str(), dir.Sub("t.json").c_str()), 0);
  ASSERT_TRUE(PollUntil([&] {
    return Addresses(FindStatus(*manager_, "f", "file_sd_configs[0]")->groups) ==
           std::vector<std::string>{"b:1"};
  }));
  EXPECT_EQ(recorder_.Count("f"), 1u);
  EXPECT_EQ(Addresses(recorder_.Latest("f")), std::vector<std::string>{"a:1"});
}

TEST_F(ManagerTest, CallbackMayReadStatus) {
  Manager* self = nullptr;
  std::vector<size_t> seen;
  std::mutex seen_mu;
  manager_ = std::make_unique<Manager>(
      client_,
      [&](const std::string& job, std::vector<TargetGroup> groups) {
        const size_t n = self->Status().size();  // no deadlock: no lock is held
        std::lock_guard<std::mutex> l(seen_mu);
        seen.push_back(n);
      },
      &clock_, nullptr, Manager::Options{.update_interval = 20ms});
  self = manager_.get();
  ASSERT_TRUE(manager_->ApplyConfig(LoadConfig("scrape_configs:\n" + StaticJob("a", "a:1"))).ok());
  ASSERT_TRUE(PollUntil([&] {
    std::lock_guard<std::mutex> l(seen_mu);
    return !seen.empty();
  }));
  size_t first;
  {
    std::lock_guard<std::mutex> l(seen_mu);
    first = seen[0];
  }
  manager_->Stop();  // before "seen" goes: the callback uses it
  EXPECT_EQ(first, 1u);
}

TEST_F(ManagerTest, JobWithoutTargetsIsAnnounced) {
  Start();
  ASSERT_TRUE(manager_->ApplyConfig(LoadConfig("scrape_configs:\n- job_name: empty\n")).ok());
  ASSERT_TRUE(recorder_.WaitFor("empty", [](const Groups& g) { return g.empty(); }));
}

}  // namespace
}  // namespace ferry::discovery
