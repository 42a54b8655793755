// The file_sd / http_sd document decoder, and the small text helpers.
#include "src/discovery/group_decoder.h"

#include <gtest/gtest.h>

#include "src/discovery/http_sd.h"
#include "src/discovery/internal/text.h"

namespace ferry::discovery {
namespace {

using labels::Labels;

Result<std::vector<TargetGroup>> Json(std::string_view doc,
                                      LabelNameRules rules = LabelNameRules::kUtf8) {
  return DecodeTargetGroups(doc, GroupFormat::kJson, rules);
}
Result<std::vector<TargetGroup>> Yaml(std::string_view doc,
                                      LabelNameRules rules = LabelNameRules::kUtf8) {
  return DecodeTargetGroups(doc, GroupFormat::kYaml, rules);
}
std::string JsonError(std::string_view doc, LabelNameRules rules = LabelNameRules::kUtf8) {
  auto r = Json(doc, rules);
  return r.ok() ? "<ok>" : r.status().message();
}
std::string YamlError(std::string_view doc, LabelNameRules rules = LabelNameRules::kUtf8) {
  auto r = Yaml(doc, rules);
  return r.ok() ? "<ok>" : r.status().message();
}

TEST(GroupDecoderTest, DecodesJsonGroups) {
  auto r = Json(R"([
    {"targets": ["a:9100", "b:9100"], "labels": {"env": "prod", "team": "x"}},
    {"targets": ["c:80"]},
    {"labels": {"only": "labels"}}
  ])");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r.value().size(), 3u);
  const TargetGroup& g = r.value()[0];
  ASSERT_EQ(g.targets.size(), 2u);
  EXPECT_EQ(g.targets[0], Labels::Of({{"__address__", "a:9100"}}));
  EXPECT_EQ(g.targets[1], Labels::Of({{"__address__", "b:9100"}}));
  EXPECT_EQ(g.labels, Labels::Of({{"env", "prod"}, {"team", "x"}}));
  EXPECT_EQ(g.source, "");  // the caller names sources
  EXPECT_TRUE(r.value()[1].labels.empty());
  EXPECT_TRUE(r.value()[2].targets.empty());
}

TEST(GroupDecoderTest, DecodesYamlGroups) {
  auto r = Yaml(R"(
- targets: ['a:9100', b:9100]
  labels:
    env: prod
- targets:
  - 10.0.0.1:80
  labels:
)");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r.value().size(), 2u);
  EXPECT_EQ(r.value()[0].labels, Labels::Of({{"env", "prod"}}));
  EXPECT_EQ(r.value()[0].targets[1], Labels::Of({{"__address__", "b:9100"}}));
  EXPECT_EQ(r.value()[1].targets[0], Labels::Of({{"__address__", "10.0.0.1:80"}}));
}

TEST(GroupDecoderTest, NullAndEmptyDocuments) {
  EXPECT_TRUE(Json("null").value().empty());
  EXPECT_TRUE(Json("[]").value().empty());
  EXPECT_TRUE(Yaml("").value().empty());
  EXPECT_TRUE(Yaml("# only a comment\n").value().empty());
  EXPECT_TRUE(Json(R"([{"targets": null, "labels": null}])").value()[0].targets.empty());
  // Go's encoding/json refuses an empty document.
  EXPECT_NE(JsonError("").find("1:1: "), std::string::npos) << JsonError("");
}

TEST(GroupDecoderTest, EmptyLabelValueMeansAbsent) {
  auto r = Json(R"([{"targets": ["a:1"], "labels": {"x": "", "y": null, "z": "1"}}])");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r.value()[0].labels, Labels::Of({{"z", "1"}}));
}

TEST(GroupDecoderTest, JsonSyntaxErrorNamesLineAndColumn) {
  const std::string err = JsonError("[\n  {\"targets\": [\"a:1\",]}\n]");
  EXPECT_EQ(err.rfind("2:", 0), 0u) << err;
  EXPECT_NE(err.find("syntax error"), std::string::npos) << err;
}

TEST(GroupDecoderTest, YamlErrorsNameLineAndColumn) {
  // Current Prometheus validates names as UTF-8 unless the job asks for legacy.
  EXPECT_EQ(YamlError("- targets: [a:1]\n  labels:\n    1x: y\n"), "<ok>");
  EXPECT_EQ(YamlError("- targets: [a:1]\n  labels:\n    1x: y\n", LabelNameRules::kLegacy),
            "3:5: \"1x\" is not a valid label name");
  EXPECT_EQ(YamlError("- targets: [a:1]\n  lables: {}\n"),
            "2:3: field lables not found in type struct");
  EXPECT_EQ(YamlError("- null\n"), "1:3: nil target group item found");
  EXPECT_EQ(YamlError("- targets: [a:1]\n  targets: [b:1]\n"),
            "2:3: key \"targets\" already set in map");
  EXPECT_EQ(YamlError("- targets: [[a]]\n"), "1:13: target must be a string");
  EXPECT_EQ(YamlError("- targets: a:1\n"), "1:12: targets must be a list of strings");
  EXPECT_EQ(YamlError("targets: [a]\n"), "1:1: expected a list of target groups");
  const std::string syntax = YamlError("- targets: [a:1\n");
  EXPECT_NE(syntax.find(": yaml: "), std::string::npos) << syntax;
  EXPECT_TRUE(isdigit(syntax[0])) << syntax;
}

TEST(GroupDecoderTest, JsonSemanticErrorsNameTheElement) {
  EXPECT_EQ(JsonError(R"([{"targets": ["a:1"]}, null])"), "group 1: nil target group item found");
  EXPECT_EQ(JsonError(R"([{"targets": ["a:1"], "extra": 1}])"),
            "group 0: unknown field \"extra\"");
  EXPECT_EQ(JsonError(R"([{"targets": ["a:1", 7]}])"),
            "group 0: targets[1]: expected a string, got number");
  EXPECT_EQ(JsonError(R"([{"targets": ["a:1", ""]}])"), "group 0: targets[1]: empty target address");
  EXPECT_EQ(JsonError(R"([{"labels": {"a b": "x"}}])", LabelNameRules::kLegacy),
            "group 0: labels: \"a b\" is not a valid label name");
  EXPECT_EQ(JsonError(R"([{"labels": {"a": 1}}])"),
            "group 0: labels: value of \"a\": expected a string, got number");
  EXPECT_EQ(JsonError(R"({"targets": []})"), "expected a JSON array of target groups, got object");
  EXPECT_EQ(JsonError(R"([{"labels": {"": "x"}}])"),
            "group 0: labels: \"\" is not a valid label name");
}

TEST(GroupDecoderTest, LabelNameRules) {
  const char* doc = R"([{"labels": {"service.name": "x"}}])";
  EXPECT_TRUE(Json(doc, LabelNameRules::kUtf8).ok());
  EXPECT_EQ(JsonError(doc, LabelNameRules::kLegacy),
            "group 0: labels: \"service.name\" is not a valid label name");
  EXPECT_TRUE(IsValidLabelName("_a9", LabelNameRules::kLegacy));
  EXPECT_FALSE(IsValidLabelName("9a", LabelNameRules::kLegacy));
  EXPECT_TRUE(IsValidLabelName("9a", LabelNameRules::kUtf8));
  EXPECT_FALSE(IsValidLabelName("\xff", LabelNameRules::kUtf8));
}

TEST(GroupDecoderTest, JsonFieldNamesAreCaseInsensitiveLikeGo) {
  auto r = Json(R"([{"Targets": ["a:1"], "LABELS": {"x": "y"}}])");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r.value()[0].targets.size(), 1u);
  EXPECT_EQ(r.value()[0].labels, Labels::Of({{"x", "y"}}));
}

TEST(GroupDecoderTest, RefusesHostileInput) {
  EXPECT_NE(JsonError(std::string(10000, '[')).find("nesting deeper"), std::string::npos);
  EXPECT_NE(JsonError("[{\"targets\": [\"\xff\"]}]"), "<ok>");
  EXPECT_NE(YamlError("- targets: [\"\xff\"]\n").find("not valid UTF-8"), std::string::npos)
      << YamlError("- targets: [\"\xff\"]\n");
  // An alias bomb: one list of 64 targets referenced 4096 times.
  std::string bomb = "- targets: &t [";
  for (int i = 0; i < 64; ++i) bomb += "a:" + std::to_string(i) + ",";
  bomb += "x:1]\n";
  for (int i = 0; i < 4096; ++i) bomb += "- targets: *t\n";
  EXPECT_NE(YamlError(bomb).find("alias"), std::string::npos) << YamlError(bomb);
  EXPECT_EQ(DecodeTargetGroups(std::string(kMaxGroupDocumentBytes + 1, ' '), GroupFormat::kJson,
                               LabelNameRules::kUtf8)
                .status()
                .code(),
            StatusCode::kResourceExhausted);
}

TEST(HttpSdBodyTest, NamesSourcesAndAddsUrlLabel) {
  auto r = DecodeHttpSdBody(R"([{"targets": ["a:1"]}, {"targets": ["b:1"], "labels": {"k": "v"}}])",
                            "http://sd/x", LabelNameRules::kUtf8);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r.value()[0].source, "http://sd/x:0");
  EXPECT_EQ(r.value()[1].source, "http://sd/x:1");
  EXPECT_EQ(r.value()[1].labels, Labels::Of({{"__meta_url", "http://sd/x"}, {"k", "v"}}));
}

TEST(HttpSdBodyTest, ContentTypeMatchesPrometheus) {
  EXPECT_TRUE(IsJsonContentType("application/json"));
  EXPECT_TRUE(IsJsonContentType(" Application/JSON "));
  EXPECT_TRUE(IsJsonContentType("application/json; charset=utf-8"));
  EXPECT_TRUE(IsJsonContentType("application/json;charset=\"UTF-8\""));
  EXPECT_FALSE(IsJsonContentType("application/json; charset=latin1"));
  EXPECT_FALSE(IsJsonContentType("text/plain"));
  EXPECT_FALSE(IsJsonContentType("application/jsonx"));
  EXPECT_FALSE(IsJsonContentType(""));
}

TEST(TextTest, FormatSecondsLikeGo) {
  EXPECT_EQ(internal::FormatSeconds(60000), "60");
  EXPECT_EQ(internal::FormatSeconds(1500), "1.5");
  EXPECT_EQ(internal::FormatSeconds(50), "0.05");
  EXPECT_EQ(internal::FormatSeconds(300000), "300");
}

TEST(TextTest, Utf8Validation) {
  EXPECT_TRUE(internal::IsValidUtf8("plain ascii"));
  EXPECT_TRUE(internal::IsValidUtf8("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(internal::IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(internal::IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(internal::IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(internal::IsValidUtf8("\xf4\x90\x80\x80"));  // > U+10FFFF
}

}  // namespace
}  // namespace ferry::discovery
