#include "src/parse/content_type.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ferry::parse {
namespace {

using ::testing::HasSubstr;

TEST(AcceptHeaderTest, DefaultMatchesPrometheus3) {
  EXPECT_EQ(DefaultAcceptHeader(),
            "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,"
            "application/openmetrics-text;version=0.0.1;q=0.5,"
            "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,"
            "text/plain;version=0.0.4;q=0.3,*/*;q=0.2");
}

TEST(AcceptHeaderTest, LegacyNamesAskForUnderscores) {
  EXPECT_EQ(AcceptHeader(DefaultScrapeProtocols(), /*utf8_names=*/false),
            "application/openmetrics-text;version=1.0.0;escaping=underscores;q=0.6,"
            "application/openmetrics-text;version=0.0.1;q=0.5,"
            "text/plain;version=1.0.0;escaping=underscores;q=0.4,"
            "text/plain;version=0.0.4;q=0.3,*/*;q=0.2");
}

TEST(AcceptHeaderTest, FollowsScrapeProtocolsOrder) {
  std::vector<ScrapeProtocol> p = {ScrapeProtocol::kPrometheusText0_0_4,
                                   ScrapeProtocol::kOpenMetricsText1_0_0};
  EXPECT_EQ(AcceptHeader(p),
            "text/plain;version=0.0.4;q=0.6,"
            "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,*/*;q=0.4");
}

TEST(ScrapeProtocolTest, RoundTripsConfigNames) {
  for (const char* name : {"PrometheusProto", "PrometheusText0.0.4", "PrometheusText1.0.0",
                           "OpenMetricsText0.0.1", "OpenMetricsText1.0.0"}) {
    auto p = ParseScrapeProtocol(name);
    ASSERT_TRUE(p.ok()) << name;
    EXPECT_EQ(ScrapeProtocolName(*p), name);
  }
  auto bad = ParseScrapeProtocol("openmetricstext1.0.0");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("unknown scrape protocol"));
}

// Parses the first entry of "body" with the parser chosen for "ct" and
// reports which format it was by how "a 1\n" behaves: the text parser reads
// it, the OpenMetrics parser wants "# EOF".
std::string Chosen(std::string_view ct, std::optional<ScrapeProtocol> fallback = std::nullopt,
                   std::string* warning = nullptr) {
  auto p = NewParserForContentType(ct, "a 1\n", fallback, warning);
  if (!p.ok()) return "error: " + p.status().message();
  auto e = (*p)->Next();
  if (!e.ok()) return "error: " + e.status().message();
  e = (*p)->Next();
  return e.ok() ? "text" : "openmetrics";
}

TEST(NewParserForContentTypeTest, ChoosesByMediaType) {
  EXPECT_EQ(Chosen("text/plain; version=0.0.4; charset=utf-8"), "text");
  EXPECT_EQ(Chosen("text/plain"), "text");
  EXPECT_EQ(Chosen("TEXT/Plain;version=1.0.0;escaping=underscores"), "text");
  EXPECT_EQ(Chosen("application/openmetrics-text; version=1.0.0; charset=utf-8"), "openmetrics");
  EXPECT_EQ(Chosen("application/openmetrics-text; version=0.0.1; charset=utf-8"), "openmetrics");
  EXPECT_EQ(Chosen("application/openmetrics-text"), "openmetrics");
  EXPECT_EQ(Chosen("application/openmetrics-text; version=\"1.0.0\";"), "openmetrics");
}

TEST(NewParserForContentTypeTest, FailsWithoutFallbackLikePrometheus3) {
  EXPECT_THAT(Chosen(""), HasSubstr("blank Content-Type and no fallback_scrape_protocol"));
  EXPECT_THAT(Chosen("application/json"),
              HasSubstr("unsupported Content-Type \"application/json\" and no fallback"));
  EXPECT_THAT(Chosen("text/plain; version"), HasSubstr("cannot parse Content-Type"));
  EXPECT_THAT(Chosen("not a media type"), HasSubstr("cannot parse Content-Type"));
  EXPECT_THAT(Chosen("text/plain; version=0.0.4; Version=1.0.0"),
              HasSubstr("cannot parse Content-Type"));
  EXPECT_THAT(Chosen("text/plain; version=\"0.0.4"), HasSubstr("cannot parse Content-Type"));
  EXPECT_THAT(Chosen("text/plain; =x"), HasSubstr("cannot parse Content-Type"));
  EXPECT_THAT(Chosen("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily"),
              HasSubstr("protobuf"));
}

TEST(NewParserForContentTypeTest, UsesFallbackAndWarns) {
  std::string warning;
  EXPECT_EQ(Chosen("", ScrapeProtocol::kPrometheusText0_0_4, &warning), "text");
  EXPECT_THAT(warning, HasSubstr("using fallback_scrape_protocol \"PrometheusText0.0.4\""));
  EXPECT_EQ(Chosen("text/html", ScrapeProtocol::kOpenMetricsText1_0_0, &warning), "openmetrics");
  EXPECT_THAT(warning, HasSubstr("unsupported Content-Type \"text/html\""));
  EXPECT_THAT(Chosen("", ScrapeProtocol::kPrometheusProto), HasSubstr("not supported"));
}

}  // namespace
}  // namespace ferry::parse
