// Go regexp Expand semantics of replacement and target_label templates.
#include "src/relabel/internal/template.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "src/relabel/internal/regex.h"

namespace ferry::relabel::internal {
namespace {

// Expands "tmpl" for "regex" (anchored like Prometheus) against "input".
// Returns "<nomatch>" when the regex does not match.
std::string Expand(const std::string& regex, const std::string& tmpl, const std::string& input) {
  std::unique_ptr<RE2> re = CompileAnchored(regex);
  EXPECT_TRUE(re->ok()) << re->error();
  ExpandTemplate t = ExpandTemplate::Parse(tmpl, *re);
  const int n = re->NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> groups(static_cast<size_t>(n));
  if (!re->Match(input, 0, input.size(), RE2::UNANCHORED, groups.data(), n)) return "<nomatch>";
  std::string out;
  t.Expand(groups.data(), n, &out);
  return out;
}

TEST(ExpandTemplateTest, NumberedGroups) {
  EXPECT_EQ(Expand("(a)(b)", "$1-$2", "ab"), "a-b");
  EXPECT_EQ(Expand("(a)(b)", "${1}-${2}", "ab"), "a-b");
  EXPECT_EQ(Expand("(a)(b)", "$0", "ab"), "ab");
  EXPECT_EQ(Expand("(a)(b)", "${0}", "ab"), "ab");
}

TEST(ExpandTemplateTest, DigitsFollowedByLettersNameAGroup) {
  // Go: "$1x" is the group named "1x", not group 1 followed by "x".
  EXPECT_EQ(Expand("(a)", "$1x", "a"), "");
  EXPECT_EQ(Expand("(a)", "${1}x", "a"), "ax");
  EXPECT_EQ(Expand("(a)", "$1_", "a"), "");
  EXPECT_EQ(Expand("(a)", "$1-", "a"), "a-");
  EXPECT_EQ(Expand("(?P<1x>a)", "$1x", "a"), "a");
}

TEST(ExpandTemplateTest, NamedGroups) {
  EXPECT_EQ(Expand("(?P<host>[^:]+):(?P<port>\\d+)", "$port@$host", "h:80"), "80@h");
  EXPECT_EQ(Expand("(?P<host>[^:]+):(?P<port>\\d+)", "${host}_x", "h:80"), "h_x");
  EXPECT_EQ(Expand("(?P<host>[^:]+):(?P<port>\\d+)", "$host_x", "h:80"), "");
  EXPECT_EQ(Expand("(?P<host>[^:]+):(?P<port>\\d+)", "$nope", "h:80"), "");
  // Named groups are numbered too.
  EXPECT_EQ(Expand("(?P<host>[^:]+):(?P<port>\\d+)", "$2", "h:80"), "80");
}

TEST(ExpandTemplateTest, DollarEscapesAndMalformedReferences) {
  EXPECT_EQ(Expand("(a)", "$$1", "a"), "$1");
  EXPECT_EQ(Expand("(a)", "$$$1", "a"), "$a");
  EXPECT_EQ(Expand("(a)", "$", "a"), "$");
  EXPECT_EQ(Expand("(a)", "x$", "a"), "x$");
  EXPECT_EQ(Expand("(a)", "${", "a"), "${");
  EXPECT_EQ(Expand("(a)", "${1", "a"), "${1");
  EXPECT_EQ(Expand("(a)", "${}", "a"), "${}");
  EXPECT_EQ(Expand("(a)", "$-1", "a"), "$-1");
  EXPECT_EQ(Expand("(a)", "${1-}", "a"), "${1-}");
  EXPECT_EQ(Expand("(a)", "$ 1", "a"), "$ 1");
}

TEST(ExpandTemplateTest, MissingOrNonParticipatingGroupsAreEmpty) {
  EXPECT_EQ(Expand("(a)", "[$2]", "a"), "[]");
  EXPECT_EQ(Expand("(a)|(b)", "[$1|$2]", "b"), "[|b]");
  EXPECT_EQ(Expand("(a)", "[$01]", "a"), "[]");          // leading zero: a name
  EXPECT_EQ(Expand("(a)", "[$100000000]", "a"), "[]");   // too large: a name
  EXPECT_EQ(Expand("(a)", "[${99999999}]", "a"), "[]");  // number beyond the groups
}

TEST(ExpandTemplateTest, UnicodeLettersExtendNames) {
  // "é" is a letter to Go's extract(), so "$1é" names group "1é".
  EXPECT_EQ(Expand("(a)", "$1\xC3\xA9", "a"), "");
  EXPECT_EQ(Expand("(a)", "${1}\xC3\xA9", "a"), "a\xC3\xA9");
  // "·" (U+00B7) is punctuation: the name stops before it.
  EXPECT_EQ(Expand("(a)", "$1\xC2\xB7", "a"), "a\xC2\xB7");
  // Arabic-Indic digit U+0661 is a decimal digit (Nd) but not ASCII: a name.
  EXPECT_EQ(Expand("(a)", "$1\xD9\xA1", "a"), "");
}

TEST(ExpandTemplateTest, NeededGroupsAndFlags) {
  std::unique_ptr<RE2> re = CompileAnchored("(a)(b)(c)");
  ExpandTemplate t = ExpandTemplate::Parse("x$3${1}", *re);
  EXPECT_EQ(t.needed_groups(), 4);
  EXPECT_TRUE(t.has_dollar());
  EXPECT_FALSE(t.is_literal());
  ExpandTemplate lit = ExpandTemplate::Parse("plain", *re);
  EXPECT_EQ(lit.needed_groups(), 0);
  EXPECT_FALSE(lit.has_dollar());
  EXPECT_TRUE(lit.is_literal());
  EXPECT_EQ(lit.literal(), "plain");
  ExpandTemplate esc = ExpandTemplate::Parse("a$$b$9", *re);  // $9: no such group
  EXPECT_TRUE(esc.has_dollar());
  EXPECT_TRUE(esc.is_literal());
  EXPECT_EQ(esc.literal(), "a$b");
}

}  // namespace
}  // namespace ferry::relabel::internal
