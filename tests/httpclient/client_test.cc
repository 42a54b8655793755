// Client against real HTTP(S) servers on 127.0.0.1 (cpp-httplib), with TLS
// material generated per test run by the openssl command.
#include "tests/testing/http_server.h"
#include "src/httpclient/client.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <future>
#include <thread>

#include "tests/testing/subprocess.h"
#include "tests/testing/test_util.h"

namespace ferry::httpclient {
namespace {

using namespace std::chrono_literals;
using ::ferry::testing::RunCommand;
using ::ferry::testing::TempDir;

// Owns an httplib server and runs it on a free loopback port for the
// test's lifetime.
class ServerThread {
 public:
  explicit ServerThread(std::unique_ptr<httplib::Server> s)
      : server_(std::move(s)), loop_(*server_) {}
  int port() const { return loop_.port(); }
  std::string Url(const std::string& path, const std::string& scheme = "http") const {
    return loop_.Url(path, scheme);
  }

 private:
  std::unique_ptr<httplib::Server> server_;
  ::ferry::testing::LoopbackServer loop_;
};

std::unique_ptr<httplib::Server> TestRoutes(std::unique_ptr<httplib::Server> s) {
  s->Get("/echo-headers", [](const httplib::Request& req, httplib::Response& res) {
    std::string out;
    for (const char* h : {"Authorization", "User-Agent", "X-Custom", "Accept-Encoding"}) {
      out += std::string(h) + "=" + req.get_header_value(h) + "\n";
    }
    res.set_header("X-Reply", "yes");
    res.set_content(out, "text/plain");
  });
  s->Get("/big", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(100000, 'a'), "text/plain");
  });
  s->Get("/slow", [](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(3s);
    res.set_content("late", "text/plain");
  });
  s->Get("/redirect", [](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("/echo-headers");
  });
  s->Post("/post", [](const httplib::Request& req, httplib::Response& res) {
    res.status = 204;
    res.set_header("X-Len", std::to_string(req.body.size()));
    res.set_header("X-Type", req.get_header_value("Content-Type"));
  });
  s->Get("/bad-gzip", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Content-Encoding", "gzip");
    res.set_content("up 1\n", "application/octet-stream");  // not gzip, whatever the header says
  });
  s->Get("/metrics", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("up 1\n", "text/plain; version=0.0.4");
  });
  return s;
}

TEST(ClientTest, GetsBodyStatusHeadersAndSendsOurHeaders) {
  ServerThread srv(TestRoutes(std::make_unique<httplib::Server>()));
  Client client({.user_agent = "ferry/test"});
  Request r;
  r.url = srv.Url("/echo-headers");
  r.headers = {{"X-Custom", "42"}};
  auto opts = std::make_shared<ClientOptions>();
  opts->authorization = "Bearer s3cret";
  r.options = opts;
  Response resp = client.Do(r);
  ASSERT_TRUE(resp.status.ok()) << resp.status.ToString();
  EXPECT_EQ(resp.http_status, 200);
  EXPECT_NE(resp.body.find("Authorization=Bearer s3cret"), std::string::npos) << resp.body;
  EXPECT_NE(resp.body.find("User-Agent=ferry/test"), std::string::npos);
  EXPECT_NE(resp.body.find("X-Custom=42"), std::string::npos);
  EXPECT_EQ(resp.Header("x-reply"), "yes");
  EXPECT_GT(resp.duration.count(), 0);
}

TEST(ClientTest, BasicAuth) {
  ServerThread srv(TestRoutes(std::make_unique<httplib::Server>()));
  Client client({});
  Request r;
  r.url = srv.Url("/echo-headers");
  auto opts = std::make_shared<ClientOptions>();
  opts->basic_auth_user = "alice";
  opts->basic_auth_password = "pw";
  r.options = opts;
  Response resp = client.Do(r);
  ASSERT_TRUE(resp.status.ok());
  EXPECT_NE(resp.body.find("Authorization=Basic YWxpY2U6cHc="), std::string::npos) << resp.body;
}

TEST(ClientTest, GzipIsNegotiatedAndDecoded) {
  ServerThread srv(TestRoutes(std::make_unique<httplib::Server>()));
  Client client({});
  Request r;
  r.url = srv.Url("/big");
  r.accept_gzip = true;
  Response resp = client.Do(r);
  ASSERT_TRUE(resp.status.ok());
  EXPECT_EQ(resp.body, std::string(100000, 'a'));
  EXPECT_EQ(resp.Header("content-encoding"), "gzip");
  EXPECT_LT(resp.bytes_received, 10000u);  // compressed on the wire
}

TEST(ClientTest, GzipIsAskedForOnlyWhenRequested) {
  ServerThread srv(TestRoutes(std::make_unique<httplib::Server>()));
  Client client({});
  Request r;
  r.url = srv.Url("/echo-headers");
  r.accept_gzip = true;
  Response resp = client.Do(r);
  ASSERT_TRUE(resp.status.ok()) << resp.status.ToString();
  EXPECT_NE(resp.body.find("Accept-Encoding=gzip\n"), std::string::npos) << resp.body;
  r.accept_gzip = false;
  resp = client.Do(r);
  ASSERT_TRUE(resp.status.ok());
  EXPECT_NE(resp.body.find("Accept-Encoding=\n"), std::string::npos) << resp.body;
  EXPECT_EQ(resp.Header("content-encoding"), "");
}

TEST(ClientTest, BodyThatIsNotTheGzipItClaimsIsAnErrorNamingTheUrl) {
  ServerThread srv(TestRoutes(std::make_unique<httplib::Server>()));
  Client client({});
  Request r;
  r.url = srv.Url("/bad-gzip");
  r.accept_gzip = true;
  Response resp = client.Do(r);
  EXPECT_TRUE(resp.status.IsUnavailable()) << resp.status.ToString();
  EXPECT_NE(resp.status.message().find("/bad-gzip"), std::string::npos) << resp.status.ToString();
  EXPECT_NE(resp.status.message().find("gzip"), std::string::npos) << resp.status.ToString();
  EXPECT_EQ(resp.http_status, 200);
}

TEST(ClientTest, BodySizeLimitAppliesToDecodedBytes) {
  ServerThread srv(TestRoutes(std::make_unique<httplib::Server>()));
  Client client({});
  Request r;
  r.url = srv.Url("/big");
  r.accept_gzip = true;
  r.max_body_bytes = 50000;
  Response resp = client.Do(r);
  EXPECT_TRUE(resp.status.IsResourceExhausted()) << resp.status.ToString();
  EXPECT_NE(resp.status.message().find("body size limit exceeded"), std::string::npos);
}

TEST(ClientTest, TimeoutIsUnavailableAndNamesTheUrl) {
  ServerThread srv(TestRoutes(std::make_unique<httplib::Server>()));
  Client client({});
  Request r;
  r.url = srv.Url("/slow");
  r.timeout = 200ms;
  Response resp = client.Do(r);
  EXPECT_TRUE(resp.status.IsUnavailable()) << resp.status.ToString();
  EXPECT_NE(resp.status.message().find("timeout after 200ms"), std::string::npos);
  EXPECT_NE(resp.status.message().find("/slow"), std::string::npos);
}

TEST(ClientTest, ConnectionRefusedIsUnavailable) {
  int port = ::ferry::testing::PickFreePort();
  Client client({});
  Request r;
  r.url = "http://127.0.0.1:" + std::to_string(port) + "/metrics";
  Response resp = client.Do(r);
  EXPECT_TRUE(resp.status.IsUnavailable()) << resp.status.ToString();
}

TEST(ClientTest, InvalidUrlIsInvalidArgument) {
  Client client({});
  Request r;
  r.url = "gopher://127.0.0.1/";
  EXPECT_TRUE(client.Do(r).status.IsInvalidArgument());
}

TEST(ClientTest, PostsBodies) {
  ServerThread srv(TestRoutes(std::make_unique<httplib::Server>()));
  Client client({});
  Request r;
  r.method = "POST";
  r.url = srv.Url("/post");
  r.body = std::string(300000, 'x');
  r.headers = {{"Content-Type", "application/x-protobuf"}};
  Response resp = client.Do(r);
  ASSERT_TRUE(resp.status.ok()) << resp.status.ToString();
  EXPECT_EQ(resp.http_status, 204);
  EXPECT_EQ(resp.Header("x-len"), "300000");
  EXPECT_EQ(resp.Header("x-type"), "application/x-protobuf");
}

TEST(ClientTest, RedirectsFollowOnlyWhenAllowed) {
  ServerThread srv(TestRoutes(std::make_unique<httplib::Server>()));
  Client client({});
  Request r;
  r.url = srv.Url("/redirect");
  EXPECT_EQ(client.Do(r).http_status, 200);
  auto opts = std::make_shared<ClientOptions>();
  opts->follow_redirects = false;
  r.options = opts;
  EXPECT_EQ(client.Do(r).http_status, 302);
}

TEST(ClientTest, ManyConcurrentRequestsShareOneThread) {
  ServerThread srv(TestRoutes(std::make_unique<httplib::Server>()));
  // Below cpp-httplib's worker pool (8 threads): it parks one worker per
  // keep-alive connection, so more connections than workers would stall.
  Client client({.max_concurrent = 4});
  constexpr int kRequests = 200;
  std::atomic<int> ok{0}, done{0};
  std::promise<void> all;
  for (int i = 0; i < kRequests; ++i) {
    Request r;
    r.url = srv.Url("/metrics");
    client.Submit(r, [&](Response&& resp) {
      if (resp.status.ok() && resp.body == "up 1\n") ok++;
      if (++done == kRequests) all.set_value();
    });
  }
  ASSERT_EQ(all.get_future().wait_for(60s), std::future_status::ready);
  EXPECT_EQ(ok.load(), kRequests);
}

// Regression: a completion must start the next queued transfer at once, not
// after the event loop's 1 s poll timeout (100 requests took 100 s).
TEST(ClientTest, QueuedTransfersStartWhenASlotFrees) {
  ServerThread srv(TestRoutes(std::make_unique<httplib::Server>()));
  Client client({.max_concurrent = 1});
  constexpr int kRequests = 100;
  std::atomic<int> done{0};
  std::promise<void> all;
  for (int i = 0; i < kRequests; ++i) {
    Request r;
    r.url = srv.Url("/metrics");
    client.Submit(r, [&](Response&&) {
      if (++done == kRequests) all.set_value();
    });
  }
  EXPECT_EQ(all.get_future().wait_for(30s), std::future_status::ready) << done.load();
}

TEST(ClientTest, StopCancelsInFlightTransfers) {
  ServerThread srv(TestRoutes(std::make_unique<httplib::Server>()));
  auto client = std::make_unique<Client>(Client::Options{});
  std::promise<Status> got;
  Request r;
  r.url = srv.Url("/slow");
  client->Submit(r, [&](Response&& resp) { got.set_value(resp.status); });
  client->Stop();
  auto f = got.get_future();
  ASSERT_EQ(f.wait_for(0s), std::future_status::ready);  // called before Stop() returned
  EXPECT_TRUE(f.get().IsCancelled());
  // Submitting after Stop() completes immediately with kCancelled.
  Response after = client->Do(r);
  EXPECT_TRUE(after.status.IsCancelled());
}

// TLS: a CA, a server certificate for "ferry.test" (not 127.0.0.1), and a
// client certificate, made with the openssl command.
class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string d = dir_.str();
    std::string script =
        "set -e; cd " + d + ";"
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 "
        "  -subj /CN=ferry-test-ca 2>/dev/null;"
        "openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
        "  -subj /CN=ferry.test 2>/dev/null;"
        "printf 'subjectAltName=DNS:ferry.test' > san.ext;"
        "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial "
        "  -out server.crt -days 2 -extfile san.ext 2>/dev/null;"
        "openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr "
        "  -subj /CN=ferry-client 2>/dev/null;"
        "openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial "
        "  -out client.crt -days 2 2>/dev/null;";
    auto r = RunCommand({"/bin/sh", "-c", script}, dir_.Sub("openssl"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::string F(const std::string& name) { return dir_.Sub(name); }
  TempDir dir_;
};

TEST_F(TlsTest, VerifiesAgainstCaWithServerNameOverride) {
  auto s = std::make_unique<httplib::SSLServer>(F("server.crt").c_str(), F("server.key").c_str());
  ServerThread srv(TestRoutes(std::move(s)));
  Client client({});
  Request r;
  r.url = srv.Url("/metrics", "https");
  auto opts = std::make_shared<ClientOptions>();
  opts->tls.ca_file = F("ca.crt");
  r.options = opts;
  // The certificate is for ferry.test, not 127.0.0.1: verification fails...
  Response bad = client.Do(r);
  EXPECT_TRUE(bad.status.IsUnavailable()) << bad.status.ToString();
  // ...unless server_name says which name to verify (and send as SNI).
  opts->tls.server_name = "ferry.test";
  Response good = client.Do(r);
  ASSERT_TRUE(good.status.ok()) << good.status.ToString();
  EXPECT_EQ(good.body, "up 1\n");
  // insecure_skip_verify accepts it without a CA.
  auto insecure = std::make_shared<ClientOptions>();
  insecure->tls.insecure_skip_verify = true;
  r.options = insecure;
  EXPECT_TRUE(client.Do(r).status.ok());
}

TEST_F(TlsTest, PresentsClientCertificateForMutualTls) {
  auto s = std::make_unique<httplib::SSLServer>(F("server.crt").c_str(), F("server.key").c_str(),
                                                F("ca.crt").c_str());
  ServerThread srv(TestRoutes(std::move(s)));
  Client client({});
  Request r;
  r.url = srv.Url("/metrics", "https");
  auto opts = std::make_shared<ClientOptions>();
  opts->tls.ca_file = F("ca.crt");
  opts->tls.server_name = "ferry.test";
  r.options = opts;
  EXPECT_FALSE(client.Do(r).status.ok());  // no client certificate
  auto with_cert = std::make_shared<ClientOptions>(*opts);
  with_cert->tls.cert_file = F("client.crt");
  with_cert->tls.key_file = F("client.key");
  r.options = with_cert;
  Response resp = client.Do(r);
  ASSERT_TRUE(resp.status.ok()) << resp.status.ToString();
  EXPECT_EQ(resp.body, "up 1\n");
}

}  // namespace
}  // namespace ferry::httpclient
