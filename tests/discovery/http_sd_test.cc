// http_sd_configs through the Manager against a cpp-httplib server on
// 127.0.0.1.
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <mutex>

#include "tests/discovery/test_util.h"
#include "tests/testing/subprocess.h"
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

// Serves "/sd" with whatever the test sets, recording request headers.
class SdServer {
 public:
  SdServer() {
    server_.Get("/sd", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> l(mu_);
      ++requests_;
      last_headers_.clear();
      for (const auto& [k, v] : req.headers) last_headers_[k] = v;
      res.status = status_;
      res.set_content(body_, content_type_);
    });
    thread_ = std::make_unique<testing::ServerThread>(server_);
  }
  void Set(int status, std::string body, std::string content_type = "application/json") {
    std::lock_guard<std::mutex> l(mu_);
    status_ = status;
    body_ = std::move(body);
    content_type_ = std::move(content_type);
  }
  int requests() {
    std::lock_guard<std::mutex> l(mu_);
    return requests_;
  }
  std::string Header(const std::string& name) {
    std::lock_guard<std::mutex> l(mu_);
    auto it = last_headers_.find(name);
    return it == last_headers_.end() ? "" : it->second;
  }
  std::string Url() const { return thread_->Url("/sd"); }

 private:
  httplib::Server server_;
  std::mutex mu_;
  int status_ = 200;
  std::string body_ = "[]";
  std::string content_type_ = "application/json";
  int requests_ = 0;
  std::map<std::string, std::string> last_headers_;
  std::unique_ptr<testing::ServerThread> thread_;  // last: stops first
};

class HttpSdTest : public ::testing::Test {
 protected:
  HttpSdTest() : client_(httpclient::Client::Options{}) {}
  void Start(const std::string& extra = "", const std::string& interval = "50ms") {
    manager_ = std::make_unique<Manager>(client_, recorder_.Fn(), &clock_, &registry_,
                                         Manager::Options{.update_interval = 20ms});
    cfg_ = LoadConfig("scrape_configs:\n- job_name: j\n  http_sd_configs:\n  - url: " +
                      server_.Url() + "\n    refresh_interval: " + interval + "\n" + extra);
    ASSERT_TRUE(manager_->ApplyConfig(cfg_).ok());
  }
  std::optional<ProviderStatus> Status() {
    return FindStatus(*manager_, "j", "http_sd_configs[0]");
  }
  ~HttpSdTest() override {
    if (manager_) manager_->Stop();
    client_.Stop();
  }

  SdServer server_;
  ::ferry::testing::FakeClock clock_;
  prometheus::Registry registry_;
  httpclient::Client client_;
  Recorder recorder_;
  config::Config cfg_;
  std::unique_ptr<Manager> manager_;
};

auto HasAddresses(std::vector<std::string> want) {
  return [want](const Groups& g) { return Addresses(g) == want; };
}

TEST_F(HttpSdTest, GoodBodyBecomesGroupsWithUrlSources) {
  server_.Set(200, R"([{"targets": ["a:1", "b:1"], "labels": {"dc": "x"}}, {"targets": ["c:1"]}])");
  Start("", "1h");
  ASSERT_TRUE(recorder_.WaitFor("j", HasAddresses({"a:1", "b:1", "c:1"})));
  const Groups g = recorder_.Latest("j");
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0].source, server_.Url() + ":0");
  EXPECT_EQ(g[1].source, server_.Url() + ":1");
  EXPECT_EQ(g[0].labels, labels::Labels::Of({{"__meta_url", server_.Url()}, {"dc", "x"}}));
  EXPECT_EQ(g[1].labels, labels::Labels::Of({{"__meta_url", server_.Url()}}));
  EXPECT_EQ(server_.Header("X-Prometheus-Refresh-Interval-Seconds"), "3600");
  EXPECT_EQ(server_.Header("Accept"), "application/json");
  EXPECT_EQ(Status()->last_error, "");
  EXPECT_EQ(Status()->mechanism, "http");
  EXPECT_EQ(MetricValue(registry_, "prometheus_sd_discovered_targets", {{"config", "j"}}), 3);
}

TEST_F(HttpSdTest, SendsConfiguredAuthorization) {
  server_.Set(200, R"([{"targets": ["a:1"]}])");
  Start("    authorization:\n      credentials: s3cret\n", "1h");
  ASSERT_TRUE(recorder_.WaitFor("j", HasAddresses({"a:1"})));
  EXPECT_EQ(server_.Header("Authorization"), "Bearer s3cret");
}

TEST_F(HttpSdTest, SendsBasicAuth) {
  server_.Set(200, R"([{"targets": ["a:1"]}])");
  Start("    basic_auth:\n      username: u\n      password: p\n", "1h");
  ASSERT_TRUE(recorder_.WaitFor("j", HasAddresses({"a:1"})));
  EXPECT_EQ(server_.Header("Authorization"), "Basic dTpw");  // base64("u:p")
}

TEST_F(HttpSdTest, ServerErrorKeepsLastGoodGroups) {
  server_.Set(200, R"([{"targets": ["a:1"]}])");
  Start();
  ASSERT_TRUE(recorder_.WaitFor("j", HasAddresses({"a:1"})));
  server_.Set(500, "oops", "text/plain");
  ASSERT_TRUE(PollUntil([&] { return !Status()->last_error.empty(); }));
  EXPECT_EQ(Status()->last_error, "server returned HTTP status 500 Internal Server Error");
  EXPECT_EQ(Addresses(Status()->groups), std::vector<std::string>{"a:1"});
  EXPECT_EQ(Addresses(recorder_.Latest("j")), std::vector<std::string>{"a:1"});
  EXPECT_GE(MetricValue(registry_, "prometheus_sd_http_failures_total"), 1);
  EXPECT_GE(MetricValue(registry_, "prometheus_sd_refresh_failures_total",
                        {{"mechanism", "http"}, {"config", "j"}}),
            1);
  // Recovery clears the error and delivers the new list.
  server_.Set(200, R"([{"targets": ["b:1"]}])");
  ASSERT_TRUE(recorder_.WaitFor("j", HasAddresses({"b:1"})));
  ASSERT_TRUE(PollUntil([&] { return Status()->last_error.empty(); }));
}

TEST_F(HttpSdTest, BadJsonKeepsLastGoodGroups) {
  server_.Set(200, R"([{"targets": ["a:1"]}])");
  Start();
  ASSERT_TRUE(recorder_.WaitFor("j", HasAddresses({"a:1"})));
  server_.Set(200, "[{\"targets\": [\"b:1\"]},\n{\"targets\": ]");
  ASSERT_TRUE(PollUntil([&] { return !Status()->last_error.empty(); }));
  EXPECT_EQ(Status()->last_error.rfind("2:", 0), 0u) << Status()->last_error;
  EXPECT_EQ(Addresses(Status()->groups), std::vector<std::string>{"a:1"});
  server_.Set(200, R"([{"targets": ["a:1"]}, null])");
  ASSERT_TRUE(PollUntil(
      [&] { return Status()->last_error == "group 1: nil target group item found"; }));
  EXPECT_EQ(Addresses(recorder_.Latest("j")), std::vector<std::string>{"a:1"});
}

TEST_F(HttpSdTest, WrongContentTypeIsAnError) {
  server_.Set(200, R"([{"targets": ["a:1"]}])", "text/plain");
  Start();
  ASSERT_TRUE(PollUntil([&] { return !Status()->last_error.empty(); }));
  EXPECT_EQ(Status()->last_error, "unsupported content type \"text/plain\"");
  EXPECT_TRUE(Status()->groups.empty());
}

TEST_F(HttpSdTest, ShrinkingListDropsGroups) {
  server_.Set(200, R"([{"targets": ["a:1"]}, {"targets": ["b:1"]}])");
  Start();
  ASSERT_TRUE(recorder_.WaitFor("j", HasAddresses({"a:1", "b:1"})));
  server_.Set(200, R"([{"targets": ["a:1"]}])");
  ASSERT_TRUE(recorder_.WaitFor("j", [](const Groups& g) { return g.size() == 1; }));
}

TEST_F(HttpSdTest, UnreachableServerIsReported) {
  const int port = ::ferry::testing::PickFreePort();
  manager_ = std::make_unique<Manager>(client_, recorder_.Fn(), &clock_, &registry_,
                                       Manager::Options{.update_interval = 20ms});
  cfg_ = LoadConfig("scrape_configs:\n- job_name: j\n  http_sd_configs:\n  - url: http://127.0.0.1:" +
                    std::to_string(port) + "/sd\n    refresh_interval: 1h\n");
  ASSERT_TRUE(manager_->ApplyConfig(cfg_).ok());
  ASSERT_TRUE(PollUntil([&] { return !Status()->last_error.empty(); }));
  EXPECT_EQ(Status()->last_refresh, clock_.SystemNow());
}

}  // namespace
}  // namespace ferry::discovery
