// Validate(), ParseAction() and ActionName(): Prometheus' model/relabel
// Config.Validate and UnmarshalYAML rules (TestRelabelValidate,
// TestTargetLabelValidity) plus every restriction per action.
#include "src/relabel/relabel_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "src/relabel/internal/regex.h"

namespace ferry::relabel {
namespace {

using ::testing::HasSubstr;

constexpr Action kAll[] = {Action::kReplace,   Action::kKeep,      Action::kDrop,
                           Action::kKeepEqual, Action::kDropEqual, Action::kHashMod,
                           Action::kLabelMap,  Action::kLabelDrop, Action::kLabelKeep,
                           Action::kLowercase, Action::kUppercase};

TEST(ActionTest, NamesRoundTrip) {
  for (Action a : kAll) {
    auto parsed = ParseAction(ActionName(a));
    ASSERT_TRUE(parsed.ok()) << ActionName(a);
    EXPECT_EQ(*parsed, a);
  }
  EXPECT_EQ(ActionName(Action::kHashMod), "hashmod");
  EXPECT_EQ(ActionName(Action::kKeepEqual), "keepequal");
}

TEST(ActionTest, ParseIsCaseInsensitive) {
  EXPECT_EQ(*ParseAction("Replace"), Action::kReplace);
  EXPECT_EQ(*ParseAction("LABELMAP"), Action::kLabelMap);
  EXPECT_EQ(*ParseAction("dropEqual"), Action::kDropEqual);
  EXPECT_EQ(*ParseAction("HashMod"), Action::kHashMod);
}

TEST(ActionTest, ParseRejectsUnknown) {
  auto r = ParseAction("rename");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_THAT(r.status().message(), HasSubstr("unknown relabel action \"rename\""));
  EXPECT_FALSE(ParseAction(" keep").ok());
  EXPECT_FALSE(ParseAction("keep\n").ok());
  EXPECT_FALSE(ParseAction("kelvin\xE2\x84\xAA").ok());  // Kelvin sign is not "k"
  auto empty = ParseAction("");
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.status().message(), HasSubstr("cannot be empty"));
}

TEST(ValidateTest, DefaultsAreTheDocumentedOnes) {
  RelabelConfig c;
  EXPECT_EQ(c.action, Action::kReplace);
  EXPECT_EQ(c.separator, ";");
  EXPECT_EQ(c.regex, "(.*)");
  EXPECT_EQ(c.replacement, "$1");
  EXPECT_EQ(c.modulus, 0u);
  EXPECT_TRUE(c.target_label.empty());
  EXPECT_TRUE(c.source_labels.empty());
}

Status V(RelabelConfig c) { return Validate(c); }

void ExpectInvalid(const RelabelConfig& c, const std::string& fragment) {
  Status s = Validate(c);
  EXPECT_TRUE(s.IsInvalidArgument()) << "accepted, wanted error with: " << fragment;
  EXPECT_THAT(s.message(), HasSubstr(fragment));
}

// Prometheus' TestRelabelValidate, case by case.
TEST(ValidateTest, PrometheusRelabelValidateCases) {
  ExpectInvalid({.action = Action::kReplace}, "requires 'target_label' value");
  ExpectInvalid({.action = Action::kLowercase}, "requires 'target_label' value");
  ExpectInvalid({.target_label = "${3}", .action = Action::kLowercase},
                "\"${3}\" is invalid 'target_label'");
  EXPECT_TRUE(V({.source_labels = {"a"},
                 .regex = "some-([^-]+)-([^,]+)",
                 .target_label = "${3}",
                 .replacement = "${1}"})
                  .ok());
  ExpectInvalid({.source_labels = {"a"},
                 .regex = "some-([^-]+)-([^,]+)",
                 .target_label = "0${3}",
                 .replacement = "${1}"},
                "\"0${3}\" is invalid 'target_label'");
  ExpectInvalid({.source_labels = {"a"},
                 .regex = "some-([^-]+)-([^,]+)",
                 .target_label = "-${3}",
                 .replacement = "${1}"},
                "\"-${3}\" is invalid 'target_label' for replace action");
}

// Prometheus' TestTargetLabelValidity on the relabelTarget pattern.
TEST(ValidateTest, PrometheusTargetLabelValidity) {
  const std::pair<const char*, bool> cases[] = {
      {"-label", false},  {"label", true},        {"label${1}", true}, {"${1}label", true},
      {"${1}", true},     {"${", false},          {"$", false},        {"${}", false},
      {"foo${", false},   {"$1", true},           {"asd$2asd", true},  {"-foo${1}bar-", false},
      {"_${1}_", true},   {"foo${bar}foo", true},
  };
  for (const auto& [str, valid] : cases) {
    EXPECT_EQ(internal::IsValidRelabelTarget(str), valid) << str;
  }
}

TEST(ValidateTest, EveryActionWithItsMinimalConfigIsValid) {
  EXPECT_TRUE(V({.target_label = "t"}).ok());
  EXPECT_TRUE(V({.action = Action::kKeep}).ok());
  EXPECT_TRUE(V({.action = Action::kDrop}).ok());
  EXPECT_TRUE(V({.target_label = "t", .action = Action::kKeepEqual}).ok());
  EXPECT_TRUE(V({.target_label = "t", .action = Action::kDropEqual}).ok());
  EXPECT_TRUE(V({.modulus = 3, .target_label = "t", .action = Action::kHashMod}).ok());
  EXPECT_TRUE(V({.action = Action::kLabelMap}).ok());
  EXPECT_TRUE(V({.action = Action::kLabelDrop}).ok());
  EXPECT_TRUE(V({.action = Action::kLabelKeep}).ok());
  EXPECT_TRUE(V({.target_label = "t", .action = Action::kLowercase}).ok());
  EXPECT_TRUE(V({.target_label = "t", .action = Action::kUppercase}).ok());
}

TEST(ValidateTest, HashModNeedsModulusAndValidTarget) {
  ExpectInvalid({.target_label = "t", .action = Action::kHashMod}, "non-zero modulus");
  Status s = V({.target_label = "t", .action = Action::kHashMod});
  EXPECT_THAT(s.message(), HasSubstr("'modulus'"));
  ExpectInvalid({.modulus = 2, .action = Action::kHashMod}, "requires 'target_label' value");
  ExpectInvalid({.modulus = 2, .target_label = "$1", .action = Action::kHashMod},
                "\"$1\" is invalid 'target_label' for hashmod action");
}

TEST(ValidateTest, TargetLabelRequiredAndValidPerAction) {
  for (Action a : {Action::kKeepEqual, Action::kDropEqual, Action::kLowercase,
                   Action::kUppercase}) {
    RelabelConfig c{.action = a};
    ExpectInvalid(c, "requires 'target_label' value");
    c.target_label = "1abc";
    ExpectInvalid(c, "is invalid 'target_label' for " + std::string(ActionName(a)));
    c.target_label = "a-b";
    ExpectInvalid(c, "is invalid 'target_label'");
  }
  ExpectInvalid({.target_label = "a-b"}, "\"a-b\" is invalid 'target_label' for replace");
  ExpectInvalid({.target_label = "a.b"}, "is invalid 'target_label'");
  EXPECT_TRUE(V({.target_label = "__tmp_x"}).ok());
  EXPECT_TRUE(V({.target_label = "${1}_x"}).ok());
  EXPECT_TRUE(V({.target_label = "$name"}).ok());
  // A keep/drop/labelmap rule may carry a target_label it does not use.
  EXPECT_TRUE(V({.target_label = "not valid!", .action = Action::kKeep}).ok());
}

TEST(ValidateTest, ReplacementCannotBeSetForCaseAndEqualActions) {
  for (Action a : {Action::kLowercase, Action::kUppercase, Action::kKeepEqual,
                   Action::kDropEqual}) {
    ExpectInvalid({.target_label = "t", .replacement = "x", .action = a},
                  "'replacement' can not be set for " + std::string(ActionName(a)));
  }
}

TEST(ValidateTest, EqualActionsTakeOnlySourceAndTarget) {
  for (Action a : {Action::kKeepEqual, Action::kDropEqual}) {
    const std::string want = "requires only 'source_labels' and 'target_label'";
    ExpectInvalid({.regex = "x", .target_label = "t", .action = a}, want);
    ExpectInvalid({.modulus = 2, .target_label = "t", .action = a}, want);
    ExpectInvalid({.separator = ",", .target_label = "t", .action = a}, want);
    EXPECT_TRUE(V({.source_labels = {"a", "b"}, .target_label = "t", .action = a}).ok());
  }
}

TEST(ValidateTest, LabelDropAndKeepTakeOnlyRegex) {
  for (Action a : {Action::kLabelDrop, Action::kLabelKeep}) {
    const std::string want = "requires only 'regex'";
    ExpectInvalid({.source_labels = {"a"}, .action = a}, want);
    ExpectInvalid({.target_label = "t", .action = a}, want);
    ExpectInvalid({.modulus = 1, .action = a}, want);
    ExpectInvalid({.separator = "", .action = a}, want);
    ExpectInvalid({.replacement = "$2", .action = a}, want);
    EXPECT_TRUE(V({.regex = "__meta_.*", .action = a}).ok());
  }
}

TEST(ValidateTest, LabelMapReplacementMustBeATargetTemplate) {
  EXPECT_TRUE(V({.regex = "__meta_(.+)", .replacement = "k8s_${1}", .action = Action::kLabelMap})
                  .ok());
  ExpectInvalid({.replacement = "a-$1", .action = Action::kLabelMap},
                "\"a-$1\" is invalid 'replacement' for labelmap action");
  ExpectInvalid({.replacement = "", .action = Action::kLabelMap}, "is invalid 'replacement'");
  ExpectInvalid({.replacement = "$", .action = Action::kLabelMap}, "is invalid 'replacement'");
}

TEST(ValidateTest, RegexMustCompile) {
  Status s = V({.regex = "(abc", .action = Action::kKeep});
  ASSERT_TRUE(s.IsInvalidArgument());
  EXPECT_THAT(s.message(), HasSubstr("'regex' \"(abc\" does not compile"));
  EXPECT_THAT(s.message(), HasSubstr("missing )"));
  EXPECT_FALSE(V({.regex = "a{1001}", .action = Action::kKeep}).ok());  // Go: max repeat 1000
  EXPECT_FALSE(V({.regex = "(?<n>a)", .action = Action::kKeep}).ok());  // Go < 1.22 rejects
  EXPECT_FALSE(V({.regex = "\xff", .action = Action::kKeep}).ok());     // invalid UTF-8
  EXPECT_FALSE(V({.regex = "a**", .action = Action::kKeep}).ok());
  // RE2's \C (any byte) does not exist in Go.
  Status any_byte = V({.regex = "a\\Cb", .action = Action::kKeep});
  EXPECT_THAT(any_byte.message(), HasSubstr("invalid escape sequence \\C"));
  EXPECT_TRUE(V({.regex = "a\\\\Cb", .action = Action::kKeep}).ok());    // "\\" then "C"
  EXPECT_TRUE(V({.regex = "\\Q\\C\\E", .action = Action::kKeep}).ok());  // quoted literal
  EXPECT_FALSE(V({.regex = "\\Qx\\E\\C", .action = Action::kKeep}).ok());
  EXPECT_TRUE(V({.regex = "", .action = Action::kKeep}).ok());
  EXPECT_TRUE(V({.regex = "(?i)foo|bar", .action = Action::kKeep}).ok());
  EXPECT_TRUE(V({.regex = "(?P<name>x)", .action = Action::kKeep}).ok());
}

TEST(ValidateTest, RejectsOutOfRangeAction) {
  ExpectInvalid({.target_label = "t", .action = static_cast<Action>(99)},
                "'action': unknown relabel action");
}

TEST(ValidateTest, SourceLabelsMustBeLabelNames) {
  ExpectInvalid({.source_labels = {"a", "b-c"}, .action = Action::kKeep},
                "'source_labels[1]': \"b-c\" is not a valid label name");
  ExpectInvalid({.source_labels = {""}, .action = Action::kKeep}, "'source_labels[0]'");
}

}  // namespace
}  // namespace ferry::relabel
