// Fingerprints decide whether a reload keeps an SD provider running.
#include "src/discovery/internal/fingerprint.h"

#include <gtest/gtest.h>

namespace ferry::discovery::internal {
namespace {

using config::NameValidation;

TEST(FingerprintTest, EqualConfigsGiveEqualFingerprints) {
  config::HttpSdConfig a;
  a.url = "http://sd/x";
  a.http.authorization = config::Authorization{.credentials = "secret"};
  config::HttpSdConfig b = a;
  EXPECT_EQ(Fingerprint(a, NameValidation::kUtf8), Fingerprint(b, NameValidation::kUtf8));
}

TEST(FingerprintTest, EveryRelevantChangeShows) {
  config::HttpSdConfig base;
  base.url = "http://sd/x";
  const std::string fp = Fingerprint(base, NameValidation::kUtf8);
  EXPECT_NE(fp, Fingerprint(base, NameValidation::kLegacy));
  auto changed = [&](auto mutate) {
    config::HttpSdConfig c = base;
    mutate(c);
    return Fingerprint(c, NameValidation::kUtf8) != fp;
  };
  EXPECT_TRUE(changed([](auto& c) { c.url = "http://sd/y"; }));
  EXPECT_TRUE(changed([](auto& c) { c.refresh_interval = std::chrono::seconds(30); }));
  EXPECT_TRUE(changed([](auto& c) { c.http.authorization = config::Authorization{}; }));
  EXPECT_TRUE(changed([](auto& c) { c.http.basic_auth = config::BasicAuth{.password = "p"}; }));
  EXPECT_TRUE(changed([](auto& c) { c.http.tls_config.ca_file = "/ca.pem"; }));
  EXPECT_TRUE(changed([](auto& c) { c.http.tls_config.insecure_skip_verify = true; }));
  EXPECT_TRUE(changed([](auto& c) { c.http.proxy_url = "http://proxy:3128"; }));
  EXPECT_TRUE(changed([](auto& c) { c.http.http_headers["X-A"].values = {"1"}; }));
  EXPECT_TRUE(changed([](auto& c) { c.http.follow_redirects = false; }));
}

TEST(FingerprintTest, FieldsCannotImitateEachOther) {
  config::FileSdConfig a, b;
  a.files = {"a,b.json"};
  b.files = {"a", "b.json"};
  EXPECT_NE(Fingerprint(a, NameValidation::kUtf8), Fingerprint(b, NameValidation::kUtf8));
  config::FileSdConfig c = a;
  c.refresh_interval = std::chrono::minutes(1);
  EXPECT_NE(Fingerprint(a, NameValidation::kUtf8), Fingerprint(c, NameValidation::kUtf8));
}

}  // namespace
}  // namespace ferry::discovery::internal
