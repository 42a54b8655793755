#include "src/scrape/pool_settings.h"

#include <gtest/gtest.h>

namespace ferry::scrape {
namespace {

TEST(PoolSettingsTest, AcceptHeaderFollowsTheNameValidationScheme) {
  config::ScrapeConfig cfg;
  cfg.job_name = "node";
  auto utf8 = BuildPoolSettings(cfg, "ferry/test");
  ASSERT_TRUE(utf8.ok()) << utf8.status().ToString();
  EXPECT_NE((*utf8)->accept_header.find("escaping=allow-utf-8"), std::string::npos)
      << (*utf8)->accept_header;
  cfg.metric_name_validation_scheme = config::NameValidation::kLegacy;
  auto legacy = BuildPoolSettings(cfg, "ferry/test");
  ASSERT_TRUE(legacy.ok());
  EXPECT_EQ((*legacy)->accept_header.find("allow-utf-8"), std::string::npos)
      << (*legacy)->accept_header;
  EXPECT_NE((*legacy)->accept_header.find("escaping=underscores"), std::string::npos)
      << (*legacy)->accept_header;
  EXPECT_EQ((*legacy)->user_agent, "ferry/test");
}

TEST(PoolSettingsTest, FingerprintSeesSecretsThatTheYamlDumpMasks) {
  config::ScrapeConfig a;
  a.job_name = "node";
  a.http.bearer_token = "one";
  config::ScrapeConfig b = a;
  b.http.bearer_token = "two";
  EXPECT_NE(Fingerprint(a), Fingerprint(b));
  EXPECT_EQ(Fingerprint(a), Fingerprint(a));
}

}  // namespace
}  // namespace ferry::scrape
