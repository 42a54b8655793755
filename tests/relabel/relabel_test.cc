// Relabeler::Process: every case of Prometheus' model/relabel TestRelabel,
// then each action and each default on its own.
#include "src/relabel/relabel.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

namespace ferry::relabel {
namespace {

using labels::Labels;
using labels::LabelsBuilder;
using ::testing::HasSubstr;

struct Outcome {
  bool keep;
  Labels out;
};

Outcome RunRules(const std::vector<RelabelConfig>& rules, const Labels& in) {
  auto r = Relabeler::Compile(rules);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return {false, {}};
  LabelsBuilder lb(in);
  bool keep = (*r)->Process(&lb);
  return {keep, lb.Build()};
}

void ExpectKept(const std::vector<RelabelConfig>& rules, const Labels& in, const Labels& want) {
  Outcome o = RunRules(rules, in);
  EXPECT_TRUE(o.keep) << in.ToString();
  EXPECT_EQ(o.out, want) << "got " << o.out.ToString() << " want " << want.ToString();
}

void ExpectDropped(const std::vector<RelabelConfig>& rules, const Labels& in) {
  EXPECT_FALSE(RunRules(rules, in).keep) << in.ToString();
}

const Labels kAbc = Labels::Of({{"a", "foo"}, {"b", "bar"}, {"c", "baz"}});

// ---- Prometheus TestRelabel, in order ----

TEST(PrometheusRelabelTest, ReplaceWithBracedGroup) {
  ExpectKept({{.source_labels = {"a"},
               .regex = "f(.*)",
               .target_label = "d",
               .replacement = "ch${1}-ch${1}"}},
             kAbc, Labels::Of({{"a", "foo"}, {"b", "bar"}, {"c", "baz"}, {"d", "choo-choo"}}));
}

TEST(PrometheusRelabelTest, ChainedReplacesSeeEarlierResults) {
  ExpectKept({{.source_labels = {"a", "b"},
               .regex = "f(.*);(.*)r",
               .target_label = "a",
               .replacement = "b${1}${2}m"},
              {.source_labels = {"c", "a"},
               .regex = "(b).*b(.*)ba(.*)",
               .target_label = "d",
               .replacement = "$1$2$2$3"}},
             kAbc, Labels::Of({{"a", "boobam"}, {"b", "bar"}, {"c", "baz"}, {"d", "boooom"}}));
}

TEST(PrometheusRelabelTest, DropStopsProcessing) {
  ExpectDropped({{.source_labels = {"a"}, .regex = ".*o.*", .action = Action::kDrop},
                 {.source_labels = {"a"},
                  .regex = "f(.*)",
                  .target_label = "d",
                  .replacement = "ch$1-ch$1"}},
                Labels::Of({{"a", "foo"}}));
  ExpectDropped({{.source_labels = {"a"}, .regex = ".*o.*", .action = Action::kDrop}},
                Labels::Of({{"a", "foo"}, {"b", "bar"}}));
}

TEST(PrometheusRelabelTest, ReplaceGroupInsideLongerMatch) {
  ExpectKept({{.source_labels = {"a"}, .regex = ".*(b).*", .target_label = "d"}},
             Labels::Of({{"a", "abc"}}), Labels::Of({{"a", "abc"}, {"d", "b"}}));
}

TEST(PrometheusRelabelTest, DropIsAnchored) {
  const Labels in = Labels::Of({{"a", "foo"}});
  ExpectKept({{.source_labels = {"a"}, .regex = "no-match", .action = Action::kDrop}}, in, in);
  ExpectKept({{.source_labels = {"a"}, .regex = "f|o", .action = Action::kDrop}}, in, in);
}

TEST(PrometheusRelabelTest, Keep) {
  const Labels in = Labels::Of({{"a", "foo"}});
  ExpectDropped({{.source_labels = {"a"}, .regex = "no-match", .action = Action::kKeep}}, in);
  ExpectKept({{.source_labels = {"a"}, .regex = "f.*", .action = Action::kKeep}}, in, in);
}

TEST(PrometheusRelabelTest, NoMatchNoReplacement) {
  const Labels in = Labels::Of({{"a", "boo"}});
  ExpectKept({{.source_labels = {"a"}, .regex = "f", .target_label = "b", .replacement = "bar"}},
             in, in);
}

TEST(PrometheusRelabelTest, HashMod) {
  ExpectKept({{.source_labels = {"c"}, .modulus = 1000, .target_label = "d",
               .action = Action::kHashMod}},
             kAbc, Labels::Of({{"a", "foo"}, {"b", "bar"}, {"c", "baz"}, {"d", "976"}}));
  ExpectKept({{.source_labels = {"a"}, .modulus = 1000, .target_label = "b",
               .action = Action::kHashMod}},
             Labels::Of({{"a", "foo\nbar"}}), Labels::Of({{"a", "foo\nbar"}, {"b", "734"}}));
}

TEST(PrometheusRelabelTest, LabelMap) {
  ExpectKept({{.regex = "(b.*)", .replacement = "bar_${1}", .action = Action::kLabelMap}},
             Labels::Of({{"a", "foo"}, {"b1", "bar"}, {"b2", "baz"}}),
             Labels::Of({{"a", "foo"}, {"b1", "bar"}, {"b2", "baz"}, {"bar_b1", "bar"},
                         {"bar_b2", "baz"}}));
  ExpectKept({{.regex = "__meta_(my.*)", .replacement = "${1}", .action = Action::kLabelMap}},
             Labels::Of({{"a", "foo"}, {"__meta_my_bar", "aaa"}, {"__meta_my_baz", "bbb"},
                         {"__meta_other", "ccc"}}),
             Labels::Of({{"a", "foo"}, {"__meta_my_bar", "aaa"}, {"__meta_my_baz", "bbb"},
                         {"__meta_other", "ccc"}, {"my_bar", "aaa"}, {"my_baz", "bbb"}}));
}

TEST(PrometheusRelabelTest, TargetLabelTemplate) {
  const Labels in = Labels::Of({{"a", "some-name-value"}});
  ExpectKept({{.source_labels = {"a"}, .regex = "some-([^-]+)-([^,]+)",
               .target_label = "${1}", .replacement = "${2}"}},
             in, Labels::Of({{"a", "some-name-value"}, {"name", "value"}}));
  // Replacement of a missing group is empty: the target is deleted (absent).
  ExpectKept({{.source_labels = {"a"}, .regex = "some-([^-]+)-([^,]+)",
               .target_label = "${1}", .replacement = "${3}"}},
             in, in);
}

TEST(PrometheusRelabelTest, InvalidExpandedTargetIsIgnored) {
  const Labels in = Labels::Of({{"a", "some-name-0"}});
  ExpectKept({{.source_labels = {"a"}, .regex = "some-([^-]+)-([^,]+)", .target_label = "${3}",
               .replacement = "${1}"},
              {.source_labels = {"a"}, .regex = "some-([^-]+)-([^,]+)", .target_label = "${3}",
               .replacement = "${1}"},
              {.source_labels = {"a"}, .regex = "some-([^-]+)(-[^,]+)", .target_label = "${3}",
               .replacement = "${1}"}},
             in, in);
}

TEST(PrometheusRelabelTest, RealLifeTags) {
  const char* tags = "path:/secret,job:some-job,label:foo=bar";
  ExpectKept({{.source_labels = {"__meta_sd_tags"}, .regex = "(?:.+,|^)path:(/[^,]+).*",
               .target_label = "__metrics_path__", .replacement = "${1}"},
              {.source_labels = {"__meta_sd_tags"}, .regex = "(?:.+,|^)job:([^,]+).*",
               .target_label = "job", .replacement = "${1}"},
              {.source_labels = {"__meta_sd_tags"}, .regex = "(?:.+,|^)label:([^=]+)=([^,]+).*",
               .target_label = "${1}", .replacement = "${2}"}},
             Labels::Of({{"__meta_sd_tags", tags}}),
             Labels::Of({{"__meta_sd_tags", tags}, {"__metrics_path__", "/secret"},
                         {"job", "some-job"}, {"foo", "bar"}}));
}

TEST(PrometheusRelabelTest, Issue12283LabelDropThenReplaceThenKeep) {
  ExpectKept(
      {{.regex = "^__meta_kubernetes_pod_container_port_name$", .action = Action::kLabelDrop},
       {.source_labels = {"__meta_kubernetes_pod_annotation_XXX_metrics_port"}, .regex = "(.+)",
        .target_label = "__meta_kubernetes_pod_container_port_name", .replacement = "metrics"},
       {.source_labels = {"__meta_kubernetes_pod_container_port_name"}, .regex = "^metrics$",
        .action = Action::kKeep}},
      Labels::Of({{"__meta_kubernetes_pod_container_port_name", "foo"},
                  {"__meta_kubernetes_pod_annotation_XXX_metrics_port", "9091"}}),
      Labels::Of({{"__meta_kubernetes_pod_annotation_XXX_metrics_port", "9091"},
                  {"__meta_kubernetes_pod_container_port_name", "metrics"}}));
}

TEST(PrometheusRelabelTest, LabelKeepAndLabelDrop) {
  const Labels in = Labels::Of({{"a", "foo"}, {"b1", "bar"}, {"b2", "baz"}});
  ExpectKept({{.regex = "(b.*)", .action = Action::kLabelKeep}}, in,
             Labels::Of({{"b1", "bar"}, {"b2", "baz"}}));
  ExpectKept({{.regex = "(b.*)", .action = Action::kLabelDrop}}, in, Labels::Of({{"a", "foo"}}));
}

TEST(PrometheusRelabelTest, UppercaseLowercase) {
  ExpectKept({{.source_labels = {"foo"}, .target_label = "foo_uppercase",
               .action = Action::kUppercase},
              {.source_labels = {"foo"}, .target_label = "foo_lowercase",
               .action = Action::kLowercase}},
             Labels::Of({{"foo", "bAr123Foo"}}),
             Labels::Of({{"foo", "bAr123Foo"}, {"foo_lowercase", "bar123foo"},
                         {"foo_uppercase", "BAR123FOO"}}));
}

TEST(PrometheusRelabelTest, KeepEqualDropEqual) {
  const Labels in = Labels::Of({{"__tmp_port", "1234"}, {"__port1", "1234"}, {"__port2", "5678"}});
  ExpectKept({{.source_labels = {"__tmp_port"}, .target_label = "__port1",
               .action = Action::kKeepEqual}},
             in, in);
  ExpectDropped({{.source_labels = {"__tmp_port"}, .target_label = "__port1",
                  .action = Action::kDropEqual}},
                in);
  ExpectKept({{.source_labels = {"__tmp_port"}, .target_label = "__port2",
               .action = Action::kDropEqual}},
             in, in);
  ExpectDropped({{.source_labels = {"__tmp_port"}, .target_label = "__port2",
                  .action = Action::kKeepEqual}},
                in);
}

// ---- Each action and default on its own ----

TEST(RelabelerTest, EmptyRuleListKeepsEverything) {
  auto r = Relabeler::Compile({});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE((*r)->empty());
  LabelsBuilder lb(kAbc);
  EXPECT_TRUE((*r)->Process(&lb));
  EXPECT_EQ(lb.Build(), kAbc);
}

TEST(RelabelerTest, CompileNamesTheBadRule) {
  std::vector<RelabelConfig> rules = {{.target_label = "ok"},
                                      {.regex = "(", .action = Action::kKeep}};
  auto r = Relabeler::Compile(rules);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_THAT(r.status().message(), HasSubstr("relabel rule 1: 'regex'"));
}

TEST(RelabelerTest, DefaultReplaceCopiesJoinedSources) {
  // Defaults: regex (.*), replacement $1, separator ";".
  ExpectKept({{.source_labels = {"a", "b"}, .target_label = "ab"}}, kAbc,
             Labels::Of({{"a", "foo"}, {"b", "bar"}, {"c", "baz"}, {"ab", "foo;bar"}}));
  ExpectKept({{.source_labels = {"a", "missing", "b"}, .separator = "", .target_label = "ab"}},
             kAbc, Labels::Of({{"a", "foo"}, {"b", "bar"}, {"c", "baz"}, {"ab", "foobar"}}));
}

TEST(RelabelerTest, ReplaceWithoutSourcesSetsStaticValue) {
  ExpectKept({{.target_label = "env", .replacement = "prod"}}, kAbc,
             Labels::Of({{"a", "foo"}, {"b", "bar"}, {"c", "baz"}, {"env", "prod"}}));
}

TEST(RelabelerTest, ReplaceWithEmptyResultDeletesTarget) {
  // Default rule on an absent source: $1 of "" is "", so "a" is removed.
  ExpectKept({{.source_labels = {"missing"}, .target_label = "a"}}, kAbc,
             Labels::Of({{"b", "bar"}, {"c", "baz"}}));
  // Same through the regex path and a templated target (current Prometheus
  // deletes the expanded target name).
  ExpectKept({{.source_labels = {"a"}, .regex = "(f)(x?)oo", .target_label = "${1}_t",
               .replacement = "$2"},
              {.source_labels = {"a"}, .regex = "(b)(x?)oo", .target_label = "${1}",
               .replacement = "$2"}},
             Labels::Of({{"a", "foo"}, {"f_t", "old"}}), Labels::Of({{"a", "foo"}}));
  // A literal empty replacement with the default regex also deletes.
  ExpectKept({{.target_label = "a", .replacement = ""}}, kAbc,
             Labels::Of({{"b", "bar"}, {"c", "baz"}}));
}

TEST(RelabelerTest, ReplaceOverwritesExisting) {
  ExpectKept({{.source_labels = {"b"}, .target_label = "a"}}, kAbc,
             Labels::Of({{"a", "bar"}, {"b", "bar"}, {"c", "baz"}}));
}

TEST(RelabelerTest, ReplaceIsLeftmostFirstLikeGo) {
  // Go (and RE2) take the first alternative that matches, not the longest.
  ExpectKept({{.source_labels = {"a"}, .regex = "(f|fo)(.*)", .target_label = "x",
               .replacement = "$1"}},
             kAbc, Labels::Of({{"a", "foo"}, {"b", "bar"}, {"c", "baz"}, {"x", "f"}}));
  ExpectKept({{.source_labels = {"a"}, .regex = "(.*?)(o*)", .target_label = "x",
               .replacement = "[$1|$2]"}},
             kAbc, Labels::Of({{"a", "foo"}, {"b", "bar"}, {"c", "baz"}, {"x", "[f|oo]"}}));
}

TEST(RelabelerTest, RegexIsFullyAnchored) {
  const Labels in = Labels::Of({{"a", "xfoox"}});
  ExpectKept({{.source_labels = {"a"}, .regex = "foo", .action = Action::kDrop}}, in, in);
  ExpectDropped({{.source_labels = {"a"}, .regex = ".*foo.*", .action = Action::kDrop}}, in);
  // Anchoring wraps the whole alternation, not just its ends.
  ExpectKept({{.source_labels = {"a"}, .regex = "x|xfoo", .action = Action::kDrop}}, in, in);
  ExpectDropped({{.source_labels = {"a"}, .regex = "x|xfoox", .action = Action::kDrop}}, in);
}

TEST(RelabelerTest, RegexThatEscapesTheAnchorGroupBehavesLikePrometheus) {
  // Prometheus compiles "^(?:" + regex + ")$" verbatim, so "a)|(b" becomes
  // "^(?:a)|(b)$": an unanchored search for "a" at the start or "b" at the end.
  const Labels in = Labels::Of({{"n", "xyzb"}});
  ExpectDropped({{.source_labels = {"n"}, .regex = "a)|(b", .action = Action::kDrop}}, in);
  ExpectKept({{.source_labels = {"n"}, .regex = "a)|(b", .action = Action::kDrop}},
             Labels::Of({{"n", "xbz"}}), Labels::Of({{"n", "xbz"}}));
  // labelmap then uses Go's ReplaceAllString: only the matched part of the
  // name is replaced, the rest is kept.
  ExpectKept({{.regex = "a)|(b", .replacement = "Q", .action = Action::kLabelMap}},
             Labels::Of({{"abc", "1"}}), Labels::Of({{"abc", "1"}, {"Qbc", "1"}}));
  // Both alternatives match "ab" in turn: "a" at the start, "b" at the end.
  ExpectKept({{.regex = "a)|(b", .replacement = "Q", .action = Action::kLabelMap}},
             Labels::Of({{"ab", "1"}}), Labels::Of({{"ab", "1"}, {"QQ", "1"}}));
}

TEST(RelabelerTest, DropAndKeepOnAbsentSourcesSeeEmptyString) {
  const Labels in = Labels::Of({{"a", "foo"}});
  ExpectDropped({{.source_labels = {"missing"}, .regex = "", .action = Action::kDrop}}, in);
  ExpectKept({{.source_labels = {"missing"}, .regex = "", .action = Action::kKeep}}, in, in);
  // Default regex (.*) matches anything: keep keeps, drop drops.
  ExpectKept({{.action = Action::kKeep}}, in, in);
  ExpectDropped({{.action = Action::kDrop}}, in);
}

TEST(RelabelerTest, SeparatorJoinsSources) {
  const Labels in = Labels::Of({{"a", "1"}, {"b", "2"}});
  ExpectDropped({{.source_labels = {"a", "b"}, .separator = "::", .regex = "1::2",
                  .action = Action::kDrop}},
                in);
  ExpectKept({{.source_labels = {"a", "b"}, .separator = "::", .regex = "1;2",
               .action = Action::kDrop}},
             in, in);
}

TEST(RelabelerTest, HashModValues) {
  // Expected values: last 8 bytes of MD5, big-endian, modulo.
  ExpectKept({{.source_labels = {"addr"}, .modulus = 3, .target_label = "shard",
               .action = Action::kHashMod}},
             Labels::Of({{"addr", "10.0.0.1:9100"}}),
             Labels::Of({{"addr", "10.0.0.1:9100"}, {"shard", "2"}}));
  ExpectKept({{.modulus = 7, .target_label = "h", .action = Action::kHashMod}},
             Labels::Of({{"x", "y"}}), Labels::Of({{"x", "y"}, {"h", "1"}}));
  ExpectKept({{.source_labels = {"a", "b"}, .modulus = 1ull << 63, .target_label = "h",
               .action = Action::kHashMod}},
             Labels::Of({{"a", "a"}, {"b", "b"}}),
             Labels::Of({{"a", "a"}, {"b", "b"}, {"h", "2420134994223480074"}}));
  ExpectKept({{.source_labels = {"u"}, .modulus = 97, .target_label = "h",
               .action = Action::kHashMod}},
             Labels::Of({{"u", "\xC3\xBC"}}), Labels::Of({{"u", "\xC3\xBC"}, {"h", "28"}}));
  ExpectKept({{.source_labels = {"u"}, .modulus = 1, .target_label = "u",
               .action = Action::kHashMod}},
             Labels::Of({{"u", "v"}}), Labels::Of({{"u", "0"}}));
}

TEST(RelabelerTest, LabelMapDefaultsCopyWholeName) {
  // Default regex (.*) and replacement $1 copy every label onto itself.
  const Labels in = Labels::Of({{"a", "1"}, {"b", "2"}});
  ExpectKept({{.action = Action::kLabelMap}}, in, in);
}

TEST(RelabelerTest, LabelMapSkipsInvalidAndOverwrites) {
  ExpectKept({{.regex = "__meta_kubernetes_pod_label_(.+)", .action = Action::kLabelMap}},
             Labels::Of({{"__meta_kubernetes_pod_label_app", "web"},
                         {"__meta_kubernetes_pod_label_tier", "fe"}, {"app", "old"}}),
             Labels::Of({{"__meta_kubernetes_pod_label_app", "web"},
                         {"__meta_kubernetes_pod_label_tier", "fe"}, {"app", "web"},
                         {"tier", "fe"}}));
}

TEST(RelabelerTest, LabelMapCollisionLastNameWins) {
  // Both map to "x"; the names are visited in order, the later one wins.
  ExpectKept({{.regex = "(?:a|b)_(x)", .replacement = "$1", .action = Action::kLabelMap}},
             Labels::Of({{"a_x", "1"}, {"b_x", "2"}}),
             Labels::Of({{"a_x", "1"}, {"b_x", "2"}, {"x", "2"}}));
  // labelmap reads the values as they were before the rule: "b" is copied
  // from its old value even though "a" overwrote it first.
  ExpectKept({{.regex = "(a|b)", .replacement = "b", .action = Action::kLabelMap}},
             Labels::Of({{"a", "1"}, {"b", "2"}}), Labels::Of({{"a", "1"}, {"b", "2"}}));
}

TEST(RelabelerTest, LabelDropKeepMatchNamesNotValues) {
  const Labels in = Labels::Of({{"__name__", "up"}, {"job", "x"}, {"instance", "job"}});
  ExpectKept({{.regex = "job", .action = Action::kLabelDrop}}, in,
             Labels::Of({{"__name__", "up"}, {"instance", "job"}}));
  ExpectKept({{.regex = "__name__|job", .action = Action::kLabelKeep}}, in,
             Labels::Of({{"__name__", "up"}, {"job", "x"}}));
  // labelkeep with the default regex keeps everything; labeldrop drops all.
  ExpectKept({{.action = Action::kLabelKeep}}, in, in);
  ExpectKept({{.action = Action::kLabelDrop}}, in, Labels());
}

TEST(RelabelerTest, LowercaseUppercaseFollowGoUnicodeRules) {
  const Labels in = Labels::Of({{"v", "Stra\xC3\x9F" "e-\xC3\x84\xC3\x96\xC3\x9C-\xC7\x85"}});
  // Go's simple case mapping: "ß" has no single-rune upper case and stays.
  Outcome up = RunRules({{.source_labels = {"v"}, .target_label = "u",
                     .action = Action::kUppercase}},
                   in);
  EXPECT_EQ(up.out.Get("u"), "STRA\xC3\x9F" "E-\xC3\x84\xC3\x96\xC3\x9C-\xC7\x84");
  Outcome low = RunRules({{.source_labels = {"v"}, .target_label = "l",
                      .action = Action::kLowercase}},
                    in);
  EXPECT_EQ(low.out.Get("l"), "stra\xC3\x9F" "e-\xC3\xA4\xC3\xB6\xC3\xBC-\xC7\x86");
  // Invalid UTF-8 bytes become U+FFFD, as Go's strings.Map does.
  Outcome bad = RunRules({{.source_labels = {"v"}, .target_label = "l",
                      .action = Action::kLowercase}},
                    Labels::Of({{"v", "A\xff" "B"}}));
  EXPECT_EQ(bad.out.Get("l"), "a\xEF\xBF\xBD" "b");
  // An empty input deletes the target.
  ExpectKept({{.source_labels = {"none"}, .target_label = "v", .action = Action::kLowercase}},
             in, Labels());
}

TEST(RelabelerTest, KeepEqualComparesJoinedValueWithTarget) {
  const Labels in = Labels::Of({{"a", "1"}, {"b", "2"}, {"t", "1;2"}});
  ExpectKept({{.source_labels = {"a", "b"}, .target_label = "t", .action = Action::kKeepEqual}},
             in, in);
  ExpectDropped({{.source_labels = {"a", "b"}, .target_label = "t",
                  .action = Action::kDropEqual}},
                in);
  // Absent target equals an empty joined value.
  ExpectDropped({{.source_labels = {"none"}, .target_label = "none2",
                  .action = Action::kDropEqual}},
                in);
}

TEST(RelabelerTest, MatchRangePrefilterKeepsSemantics) {
  // Rules whose regex has a literal prefix skip RE2 for names outside the
  // possible match range; case folding, alternations, Unicode and empty
  // matches must still behave exactly as a full regex match.
  const Labels in = Labels::Of({{"__META_Upper", "1"},
                                {"__meta_x", "2"},
                                {"__meta_\xC3\xA9t\xC3\xA9", "3"},
                                {"__metaz", "4"},
                                {"__met", "5"},
                                {"b_y", "6"},
                                {"zz", "7"}});
  ExpectKept({{.regex = "(?i)__meta_(.+)", .replacement = "m_$1", .action = Action::kLabelMap},
              {.regex = "(?i)__meta.*|__met|b_y|zz", .action = Action::kLabelDrop}},
             in,
             Labels::Of({{"m_Upper", "1"}, {"m_x", "2"}, {"m_\xC3\xA9t\xC3\xA9", "3"}}));
  ExpectKept({{.regex = "a_x|b_.|zz", .action = Action::kLabelKeep}}, in,
             Labels::Of({{"b_y", "6"}, {"zz", "7"}}));
  ExpectDropped({{.source_labels = {"none"}, .regex = "|x", .action = Action::kDrop}}, in);
  const Labels zs = Labels::Of({{"v", "ZzZ"}});
  ExpectDropped({{.source_labels = {"v"}, .regex = "(?i)z+", .action = Action::kDrop}}, zs);
  ExpectKept({{.source_labels = {"v"}, .regex = "z+", .action = Action::kDrop}}, zs, zs);
  ExpectKept({{.source_labels = {"v"}, .regex = "Zz", .action = Action::kDrop}}, zs, zs);
  ExpectKept({{.source_labels = {"__met"}, .regex = "[4-6]", .target_label = "t",
               .replacement = "$0"}},
             in, Labels::Of({{"__META_Upper", "1"}, {"__meta_x", "2"},
                             {"__meta_\xC3\xA9t\xC3\xA9", "3"}, {"__metaz", "4"},
                             {"__met", "5"}, {"b_y", "6"}, {"zz", "7"}, {"t", "5"}}));
}

TEST(RelabelerTest, ManyCaptureGroupsUseHeapSubmatches) {
  std::string regex, value;
  for (int i = 0; i < 20; ++i) {
    regex += "(.)";
    value += static_cast<char>('a' + i);
  }
  ExpectKept({{.source_labels = {"v"}, .regex = regex, .target_label = "x",
               .replacement = "$20$1${19}"}},
             Labels::Of({{"v", value}}), Labels::Of({{"v", value}, {"x", "tas"}}));
}

TEST(RelabelerTest, ConcurrentProcessIsSafe) {
  std::vector<RelabelConfig> rules = {
      {.regex = "__meta_(.+)", .action = Action::kLabelMap},
      {.source_labels = {"addr"}, .modulus = 5, .target_label = "h", .action = Action::kHashMod},
      {.source_labels = {"addr"}, .regex = "([^:]+):.*", .target_label = "host"}};
  auto r = Relabeler::Compile(rules);
  ASSERT_TRUE(r.ok());
  const Relabeler& rl = **r;
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&rl, &mismatches, t] {
      for (int i = 0; i < 2000; ++i) {
        std::string addr = "10.0." + std::to_string(t) + "." + std::to_string(i) + ":80";
        LabelsBuilder lb(Labels::Of({{"addr", addr}, {"__meta_zone", "z"}}));
        if (!rl.Process(&lb) || lb.Get("zone") != "z" ||
            lb.Get("host") != addr.substr(0, addr.find(':')) || lb.Get("h").size() != 1) {
          ++mismatches;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace ferry::relabel
