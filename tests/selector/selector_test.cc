#include "src/selector/selector.h"

#include <gtest/gtest.h>

namespace ferry::selector {
namespace {

using labels::Labels;

Selector MustParse(std::string_view s) {
  auto r = Parse(s);
  EXPECT_TRUE(r.ok()) << s << ": " << r.status().ToString();
  return r.ok() ? *r : Selector();
}

TEST(SelectorTest, MetricNameAndMatchers) {
  Selector s = MustParse(R"(up{job="node", instance=~"10\\..*"})");
  ASSERT_EQ(s.matchers().size(), 3u);
  EXPECT_EQ(s.ToString(), R"({__name__="up", job="node", instance=~"10\\..*"})");
  EXPECT_TRUE(s.Matches(Labels::Of({{"__name__", "up"}, {"job", "node"}, {"instance", "10.0.0.1:9100"}})));
  EXPECT_FALSE(s.Matches(Labels::Of({{"__name__", "up"}, {"job", "node"}, {"instance", "100.0.0.1"}})));
  EXPECT_FALSE(s.Matches(Labels::Of({{"__name__", "up"}, {"job", "api"}, {"instance", "10.1"}})));
}

TEST(SelectorTest, RegexIsFullyAnchored) {
  Selector s = MustParse(R"({job=~"node"})");
  EXPECT_TRUE(s.Matches(Labels::Of({{"job", "node"}})));
  EXPECT_FALSE(s.Matches(Labels::Of({{"job", "node-exporter"}})));
  EXPECT_FALSE(s.Matches(Labels::Of({{"job", "my-node"}})));
}

TEST(SelectorTest, MissingLabelIsEmptyString) {
  EXPECT_TRUE(MustParse(R"({env=""})").Matches(Labels::Of({{"job", "x"}})));
  EXPECT_FALSE(MustParse(R"({env!=""})").Matches(Labels::Of({{"job", "x"}})));
  EXPECT_TRUE(MustParse(R"({env!~"prod"})").Matches(Labels::Of({{"job", "x"}})));
}

TEST(SelectorTest, QuotesAndEscapes) {
  EXPECT_TRUE(MustParse("{a='x\"y'}").Matches(Labels::Of({{"a", "x\"y"}})));
  EXPECT_TRUE(MustParse(R"({a=`\d+`})").Matches(Labels::Of({{"a", R"(\d+)"}})));
  EXPECT_TRUE(MustParse(R"({a="l1\nl2"})").Matches(Labels::Of({{"a", "l1\nl2"}})));
  EXPECT_TRUE(MustParse(R"({a="x",})").Matches(Labels::Of({{"a", "x"}})));  // trailing comma
  EXPECT_TRUE(MustParse("").empty());
  EXPECT_TRUE(MustParse("{}").empty());
  EXPECT_TRUE(MustParse("  node_cpu_seconds_total  ").Matches(
      Labels::Of({{"__name__", "node_cpu_seconds_total"}})));
}

TEST(SelectorTest, ErrorsSayWhereAndWhat) {
  struct Case {
    const char* in;
    const char* want;
  } cases[] = {
      {R"({job="x")", "1:9: unexpected end of input, expected ',' or '}'"},
      {R"({job=x})", "1:6: expected a string"},
      {R"({job=="x"})", "1:6: expected a string"},
      {R"({9job="x"})", "1:2: expected a label name"},
      {R"({job<"x"})", "1:5: expected one of =, !=, =~, !~"},
      {R"({job="x})", "1:9: unterminated string"},
      {R"({job=~"(("})", "invalid regular expression \"((\" for label job"},
      {R"({a="\q"})", "unknown escape sequence '\\q'"},
      {R"(up{} x)", "1:6: unexpected characters after the selector"},
  };
  for (const Case& c : cases) {
    auto r = Parse(c.in);
    ASSERT_FALSE(r.ok()) << c.in;
    EXPECT_NE(r.status().message().find(c.want), std::string::npos)
        << c.in << " -> " << r.status().message();
  }
}

}  // namespace
}  // namespace ferry::selector
