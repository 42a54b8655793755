// Cases ported from Prometheus' model/textparse/promparse_test.go (inputs and
// the meaning of the expected results and errors; ferry's messages differ in
// wording and always start with "line L col C: "), plus ferry's own edge cases.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <random>
#include <string>

#include "src/parse/parser.h"
#include "tests/parse/parse_test_util.h"

namespace ferry::parse {
namespace {

using namespace std::string_literals;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::Comment;
using testing::ExpectEntries;
using testing::FirstError;
using testing::Help;
using testing::L;
using testing::Series;
using testing::Type;

TEST(TextParserTest, ParsesPrometheusReferenceBody) {
  std::string input = R"(# HELP go_gc_duration_seconds A summary of the GC invocation durations.
# 	TYPE go_gc_duration_seconds summary
go_gc_duration_seconds{quantile="0"} 4.9351e-05
go_gc_duration_seconds{quantile="0.25",} 7.424100000000001e-05
go_gc_duration_seconds{quantile="0.5",a="b"} 8.3835e-05
go_gc_duration_seconds{quantile="0.8", a="b"} 8.3835e-05
go_gc_duration_seconds{ quantile="0.9", a="b"} 8.3835e-05
# Hrandom comment starting with prefix of HELP
#
wind_speed{A="2",c="3"} 12345
# comment with escaped \n newline
# comment with escaped \ escape character
# HELP nohelp1
# HELP nohelp2 
go_gc_duration_seconds{ quantile="1.0", a="b" } 8.3835e-05
go_gc_duration_seconds { quantile="1.0", a="b" } 8.3835e-05
go_gc_duration_seconds { quantile= "1.0", a= "b", } 8.3835e-05
go_gc_duration_seconds { quantile = "1.0", a = "b" } 8.3835e-05
go_gc_duration_seconds_count 99
some:aggregate:rate5m{a_b="c"}	1
# HELP go_goroutines Number of goroutines that currently exist.
# TYPE go_goroutines gauge
go_goroutines 33  	123123
_metric_starting_with_underscore 1
testmetric{_label_starting_with_underscore="foo"} 1
testmetric{label="\"bar\""} 1)";
  input += "\n# HELP metric foo\x00" "bar"s;
  input += "\nnull_byte_metric{a=\"abc\x00\"} 1"s;

  // The summary's quantile values are rewritten to the OpenMetrics float
  // spelling, as Prometheus 3 does.
  auto gc = [](std::string m, std::string q, bool ab) {
    return ab ? Series(std::move(m), 8.3835e-05,
                       L({{"__name__", "go_gc_duration_seconds"}, {"quantile", q}, {"a", "b"}}))
              : Series(std::move(m), 0, {});
  };
  std::vector<testing::Want> want = {
      Help("go_gc_duration_seconds", "A summary of the GC invocation durations."),
      Type("go_gc_duration_seconds", MetricType::kSummary),
      Series(R"(go_gc_duration_seconds{quantile="0"})", 4.9351e-05,
             L({{"__name__", "go_gc_duration_seconds"}, {"quantile", "0.0"}})),
      Series(R"(go_gc_duration_seconds{quantile="0.25",})", 7.424100000000001e-05,
             L({{"__name__", "go_gc_duration_seconds"}, {"quantile", "0.25"}})),
      gc(R"(go_gc_duration_seconds{quantile="0.5",a="b"})", "0.5", true),
      gc(R"(go_gc_duration_seconds{quantile="0.8", a="b"})", "0.8", true),
      gc(R"(go_gc_duration_seconds{ quantile="0.9", a="b"})", "0.9", true),
      Comment("# Hrandom comment starting with prefix of HELP"),
      Comment("#"),
      Series(R"(wind_speed{A="2",c="3"})", 12345,
             L({{"A", "2"}, {"__name__", "wind_speed"}, {"c", "3"}})),
      Comment(R"(# comment with escaped \n newline)"),
      Comment(R"(# comment with escaped \ escape character)"),
      Help("nohelp1", ""),
      Help("nohelp2", ""),
      gc(R"(go_gc_duration_seconds{ quantile="1.0", a="b" })", "1.0", true),
      gc(R"(go_gc_duration_seconds { quantile="1.0", a="b" })", "1.0", true),
      gc(R"(go_gc_duration_seconds { quantile= "1.0", a= "b", })", "1.0", true),
      gc(R"(go_gc_duration_seconds { quantile = "1.0", a = "b" })", "1.0", true),
      Series("go_gc_duration_seconds_count", 99, L({{"__name__", "go_gc_duration_seconds_count"}})),
      Series(R"(some:aggregate:rate5m{a_b="c"})", 1,
             L({{"__name__", "some:aggregate:rate5m"}, {"a_b", "c"}})),
      Help("go_goroutines", "Number of goroutines that currently exist."),
      Type("go_goroutines", MetricType::kGauge),
      Series("go_goroutines", 33, L({{"__name__", "go_goroutines"}}), 123123),
      Series("_metric_starting_with_underscore", 1,
             L({{"__name__", "_metric_starting_with_underscore"}})),
      Series(R"(testmetric{_label_starting_with_underscore="foo"})", 1,
             L({{"__name__", "testmetric"}, {"_label_starting_with_underscore", "foo"}})),
      Series(R"(testmetric{label="\"bar\""})", 1,
             L({{"__name__", "testmetric"}, {"label", "\"bar\""}})),
      Help("metric", std::string("foo\x00" "bar", 7)),
      Series("null_byte_metric{a=\"abc\x00\"}"s, 1,
             labels::Labels::Of({{"__name__", "null_byte_metric"},
                                 {"a", std::string_view("abc\x00", 4)}})),
  };
  auto p = NewTextParser(input);
  Status s = ExpectEntries(*p, want);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

struct ErrorCase {
  std::string input;
  std::string want;  // the message starts with this
};

class TextParserErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(TextParserErrorTest, ReportsLineColumnAndReason) {
  auto p = NewTextParser(GetParam().input);
  EXPECT_THAT(FirstError(*p), StartsWith(GetParam().want));
}

INSTANTIATE_TEST_SUITE_P(
    PrometheusCases, TextParserErrorTest,
    ::testing::Values(
        ErrorCase{"a", "line 1 col 2: expected value after metric, got end of input"},
        ErrorCase{"a{b='c'} 1\n", "line 1 col 5: expected label value in double quotes, got \"'\""},
        ErrorCase{"a{b=\n", "line 1 col 5: expected label value in double quotes, got \"\\n\""},
        ErrorCase{"a{\xff=\"foo\"} 1\n", "line 1 col 3: expected label name, got \"\\xff\""},
        ErrorCase{"a{b=\"\xff\"} 1\n", "line 1 col 6: invalid UTF-8 in label value"},
        ErrorCase{"a true\n", "line 1 col 3: invalid value \"true\": invalid syntax"},
        ErrorCase{"something_weird{problem=\"", "line 1 col 25: unterminated label value"},
        ErrorCase{"empty_label_name{=\"\"} 0", "line 1 col 18: expected label name, got \"=\""},
        ErrorCase{"foo 1_2\n", "line 1 col 5: invalid value \"1_2\": unsupported character in float"},
        ErrorCase{"foo 0x1p-3\n", "line 1 col 5: invalid value \"0x1p-3\": unsupported character"},
        ErrorCase{"foo 0x1P-3\n", "line 1 col 5: invalid value \"0x1P-3\": unsupported character"},
        ErrorCase{"foo 0 1_2\n", "line 1 col 8: expected end of line after timestamp, got \"_\""},
        ErrorCase{"{a=\"ok\"} 1", "line 1 col 1: metric name not set"},
        ErrorCase{"# TYPE #\n#EOF\n", "line 1 col 8: expected metric name after TYPE, got \"#\""},
        ErrorCase{"# HELP #\n#EOF\n", "line 1 col 8: expected metric name after HELP, got \"#\""},
        // Null bytes (TestPromNullByteHandling).
        ErrorCase{"a{b=\x00\"ssss\"} 1\n"s, "line 1 col 5: expected label value in double quotes, got \"\\x00\""},
        ErrorCase{"a{b=\"\x00"s, "line 1 col 5: unterminated label value"},
        ErrorCase{std::string("a{b\x00=\"hiih\"}\t1", 14), "line 1 col 4: expected '=' after label name, got \"\\x00\""},
        ErrorCase{std::string("a\x00{b=\"ddd\"} 1", 14), "line 1 col 2: invalid value \"\\x00\""},
        ErrorCase{std::string("a 0 1\x00", 6), "line 1 col 6: expected end of line after timestamp, got \"\\x00\""}));

INSTANTIATE_TEST_SUITE_P(
    FerryCases, TextParserErrorTest,
    ::testing::Values(
        ErrorCase{"a 1\nb 2\nc{x=y} 3\n", "line 3 col 5: expected label value in double quotes, got \"y\""},
        ErrorCase{"a 1\r\n", "line 1 col 4: expected timestamp or end of line after value, got carriage return (CRLF"},
        ErrorCase{"a 1 2\r\n", "line 1 col 6: expected end of line after timestamp, got carriage return"},
        ErrorCase{"a{b=\"1\",b=\"2\"} 1\n", "line 1 col 9: duplicate label name \"b\""},
        ErrorCase{"a{__name__=\"x\"} 1\n", "line 1 col 3: duplicate label name \"__name__\""},
        ErrorCase{"a 1 99999999999999999999\n", "line 1 col 5: timestamp out of range"},
        ErrorCase{"a 1 -5\n", "line 1 col 5: expected timestamp or end of line after value, got \"-\""},
        ErrorCase{"a 1e400\n", "line 1 col 3: invalid value \"1e400\": value out of range"},
        ErrorCase{"a +nan\n", "line 1 col 3: invalid value \"+nan\": invalid syntax"},
        ErrorCase{"a 0x10\n", "line 1 col 3: invalid value \"0x10\": invalid syntax"},
        ErrorCase{"a 1e\n", "line 1 col 3: invalid value \"1e\": invalid syntax"},
        ErrorCase{"a .\n", "line 1 col 3: invalid value \".\": invalid syntax"},
        ErrorCase{"a infin\n", "line 1 col 3: invalid value \"infin\": invalid syntax"},
        ErrorCase{"# TYPE a counter \n", "line 1 col 10: invalid metric type \"counter \""},
        ErrorCase{"# TYPE a gaugehistogram\n", "line 1 col 10: invalid metric type \"gaugehistogram\""},
        ErrorCase{"# TYPE a\n", "line 1 col 9: invalid metric type \"\""},
        ErrorCase{"# HELP a \xff\n", "line 1 col 10: help text is not valid UTF-8"},
        ErrorCase{"# HELP a#b x\n", "line 1 col 9: expected blank after metric name in HELP"},
        ErrorCase{"a{\"b\"} 1\n", "line 1 col 3: metric name already set"},
        ErrorCase{"{\"a\",\"b\"} 1\n", "line 1 col 6: metric name already set"},
        ErrorCase{"{\"\"} 1\n", "line 1 col 2: empty quoted name"},
        ErrorCase{"{\"a\xff\"} 1\n", "line 1 col 3: invalid UTF-8 in quoted name"},
        ErrorCase{"{\"a\nb\"} 1\n", "line 1 col 4: newline in quoted name"},
        ErrorCase{"{\"a} 1\n", "line 1 col 7: newline in quoted name"},
        ErrorCase{"# TYPE \"a 1\n", "line 1 col 12: newline in quoted name"},
        ErrorCase{"a{b=\"c\" 1\n", "line 1 col 9: expected label name, got \"1\""},
        ErrorCase{"a{b=\"c\"", "line 1 col 8: expected label name or '}', got end of input"},
        ErrorCase{"\x00"s, "line 1 col 1: expected metric name, comment or blank line, got \"\\x00\""},
        ErrorCase{"a 1 2 3\n", "line 1 col 7: expected end of line after timestamp, got \"3\""}));

TEST(TextParserTest, ErrorSnippetIsBoundedOnVeryLongLines) {
  std::string input = "a{b=\"" + std::string(1 << 20, 'x') + "\"} 1 z\n";
  auto p = NewTextParser(input);
  std::string err = FirstError(*p);
  EXPECT_THAT(err, StartsWith("line 1 col 1048587: expected timestamp or end of line after value"))
      << err.substr(0, 200);
  EXPECT_LT(err.size(), 300u);
}

TEST(TextParserTest, AcceptsVeryLongLabelValue) {
  std::string value(4 << 20, 'v');
  std::string input = "a{b=\"" + value + "\"} 1\n";
  auto p = NewTextParser(input);
  Status s = ExpectEntries(*p, {Series(input.substr(0, input.size() - 3), 1,
                                       L({{"__name__", "a"}, {"b", value}}))});
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST(TextParserTest, UnescapesLabelValuesAndHelp) {
  std::string input = R"(# HELP a x\\y\nz\"q\t
a{b="x\\y\"z\nw\q"} 1
)";
  auto p = NewTextParser(input);
  Status s = ExpectEntries(
      *p, {Help("a", "x\\y\nz\\\"q\\t"),
           Series(R"(a{b="x\\y\"z\nw\q"})", 1, L({{"__name__", "a"}, {"b", "x\\y\"z\nw\\q"}}))});
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST(TextParserTest, AcceptsWhatPrometheusAccepts) {
  std::string input =
      "  lead 1\n"
      "\n \t \n"
      "raw{b=\"x\ny\"} 2\n"
      "empty{} 3\n"
      "emptyval{b=\"\"} 4\n"
      "nocomma{b=\"1\" c=\"2\"} 5\n"
      "ts0 6 0\n"
      "last 7";
  auto p = NewTextParser(input);
  Status s = ExpectEntries(
      *p, {Series("lead", 1, L({{"__name__", "lead"}})),
           Series("raw{b=\"x\ny\"}", 2, L({{"__name__", "raw"}, {"b", "x\ny"}})),
           Series("empty{}", 3, L({{"__name__", "empty"}})),
           Series("emptyval{b=\"\"}", 4, L({{"__name__", "emptyval"}})),
           Series("nocomma{b=\"1\" c=\"2\"}", 5, L({{"__name__", "nocomma"}, {"b", "1"}, {"c", "2"}})),
           Series("ts0", 6, L({{"__name__", "ts0"}}), 0),
           Series("last", 7, L({{"__name__", "last"}}))});
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST(TextParserTest, ParsesGoFloatSpellings) {
  struct Case {
    const char* text;
    double want;
  };
  const Case cases[] = {
      {"+Inf", INFINITY}, {"-Inf", -INFINITY}, {"inf", INFINITY}, {"Infinity", INFINITY},
      {"-infinity", -INFINITY}, {".5", 0.5}, {"5.", 5}, {"1E3", 1000}, {"+1.5e-3", 0.0015},
      {"-0", -0.0}, {"1e-400", 0}, {"00012", 12}, {"1.7976931348623157e308", 1.7976931348623157e308},
  };
  for (const Case& c : cases) {
    std::string input = std::string("m ") + c.text + "\n";
    auto p = NewTextParser(input);
    auto e = p->Next();
    ASSERT_TRUE(e.ok()) << c.text << ": " << e.status().ToString();
    EXPECT_EQ(p->Value(), c.want) << c.text;
  }
}

TEST(TextParserTest, NormalisesNaNSoItNeverLooksStale) {
  for (const char* text : {"NaN", "nan", "NAN"}) {
    const std::string body = std::string("m ") + text;  // outlives the parser
    auto p = NewTextParser(body);
    ASSERT_TRUE(p->Next().ok());
    EXPECT_EQ(std::bit_cast<uint64_t>(p->Value()), kNormalNaNBits) << text;
  }
}

TEST(TextParserTest, NormalisesLeAndQuantileOnlyUnderTheirTypes) {
  std::string input =
      "# TYPE h histogram\n"
      "h_bucket{le=\"1\"} 1\n"
      "h_bucket{le=\"0.0001\"} 1\n"
      "h_bucket{le=\"1e-05\"} 1\n"
      "h_bucket{le=\"1000000\"} 1\n"
      "h_bucket{le=\"+Inf\"} 2\n"
      "h_bucket{le=\"abc\"} 2\n"
      "# TYPE g gauge\n"
      "g{le=\"1\",quantile=\"1\"} 1\n";
  auto p = NewTextParser(input);
  std::vector<std::string> got;
  for (;;) {
    auto e = p->Next();
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    if (*e == Entry::kEof) break;
    if (*e != Entry::kSeries) continue;
    labels::LabelsBuilder b;
    p->Labels(&b);
    got.push_back(b.Build().ToString());
  }
  EXPECT_THAT(got, ::testing::ElementsAre(
                       "{__name__=\"h_bucket\", le=\"1.0\"}", "{__name__=\"h_bucket\", le=\"0.0001\"}",
                       "{__name__=\"h_bucket\", le=\"1e-05\"}", "{__name__=\"h_bucket\", le=\"1e+06\"}",
                       "{__name__=\"h_bucket\", le=\"+Inf\"}", "{__name__=\"h_bucket\", le=\"abc\"}",
                       "{__name__=\"g\", le=\"1\", quantile=\"1\"}"));
}

TEST(TextParserTest, SeriesTypeFollowsFamilySuffixRules) {
  std::string input =
      "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\nh_sum 1\nh 1\nhx_count 1\n"
      "# TYPE c_total counter\nc_total 1\n"
      "# TYPE s summary\ns 1\ns_sum 1\ns_bucket 1\n"
      "other 1\n";
  auto p = NewTextParser(input);
  std::vector<std::pair<std::string, MetricType>> got;
  for (;;) {
    auto e = p->Next();
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    if (*e == Entry::kEof) break;
    if (*e == Entry::kSeries) got.emplace_back(std::string(p->MetricName()), p->SeriesType());
  }
  using MT = MetricType;
  EXPECT_THAT(got, ::testing::ElementsAre(
                       std::pair<std::string, MT>{"h_bucket", MT::kHistogram},
                       std::pair<std::string, MT>{"h_count", MT::kHistogram},
                       std::pair<std::string, MT>{"h_sum", MT::kHistogram},
                       std::pair<std::string, MT>{"h", MT::kUnknown},
                       std::pair<std::string, MT>{"hx_count", MT::kUnknown},
                       std::pair<std::string, MT>{"c_total", MT::kCounter},
                       std::pair<std::string, MT>{"s", MT::kSummary},
                       std::pair<std::string, MT>{"s_sum", MT::kSummary},
                       std::pair<std::string, MT>{"s_bucket", MT::kUnknown},
                       std::pair<std::string, MT>{"other", MT::kUnknown}));
}

TEST(TextParserTest, EmptyAndBlankBodiesEndCleanly) {
  for (std::string body : {"", "\n", "\n\n \t\n", "# just a comment"}) {
    auto p = NewTextParser(body);
    EXPECT_EQ(FirstError(*p), "") << body;
  }
}

TEST(TextParserTest, EofIsSticky) {
  auto p = NewTextParser("a 1\n");
  ASSERT_EQ(*p->Next(), Entry::kSeries);
  EXPECT_EQ(*p->Next(), Entry::kEof);
  EXPECT_EQ(*p->Next(), Entry::kEof);
}

TEST(TextParserTest, NeverReportsExemplars) {
  auto p = NewTextParser("a 1 # {x=\"y\"} 1\n");
  EXPECT_THAT(FirstError(*p), HasSubstr("expected timestamp or end of line after value"));
}

}  // namespace
}  // namespace ferry::parse

namespace ferry::parse {
namespace {

TEST(TextParserTest, FindsDuplicatesAmongManyLabelsQuickly) {
  // 20k distinct labels, then a repeat of the 7th: the check must stay
  // O(n log n) and still name the repeated label at its position.
  std::string input = "m{";
  for (int i = 0; i < 20000; ++i) input.append("l").append(std::to_string(i)).append("=\"v\",");
  size_t dup_at = input.size();
  input += "l7=\"x\"} 1\n";
  auto p = NewTextParser(input);
  EXPECT_THAT(testing::FirstError(*p),
              ::testing::StartsWith("line 1 col " + std::to_string(dup_at + 1) +
                                    ": duplicate label name \"l7\""));
  std::string ok = "m{";
  for (int i = 0; i < 20000; ++i) ok.append("l").append(std::to_string(i)).append("=\"v\",");
  ok += "} 1\n";
  auto q = NewTextParser(ok);
  EXPECT_EQ(testing::FirstError(*q), "");
}

}  // namespace
}  // namespace ferry::parse

namespace ferry::parse {
namespace {

// Prometheus 3's quoted UTF-8 names (TestUTF8PromParse).
TEST(TextParserTest, ParsesQuotedUtf8Names) {
  std::string input = R"(# HELP "go.gc_duration_seconds" A summary of the GC invocation durations.
# TYPE "go.gc_duration_seconds" summary
{"go.gc_duration_seconds",quantile="0"} 4.9351e-05
{"go.gc_duration_seconds",quantile="0.25",} 7.424100000000001e-05
{"go.gc_duration_seconds",quantile="0.5",a="b"} 8.3835e-05
{"go.gc_duration_seconds",quantile="0.8", a="b"} 8.3835e-05
{"go.gc_duration_seconds", quantile="0.9", a="b"} 8.3835e-05
{"go.gc_duration_seconds_sum"} 0.004304266
{"Heizölrückstoßabdämpfung 10€ metric with \"interesting\" {character\nchoices}","strange©™\n'quoted' \"name\""="6"} 10.0
my_metric{"label.with.dots"="x", b="y"} 1
)";
  const std::string gc = "go.gc_duration_seconds";
  std::vector<testing::Want> want = {
      Help(gc, "A summary of the GC invocation durations."),
      Type(gc, MetricType::kSummary),
      Series(R"({"go.gc_duration_seconds",quantile="0"})", 4.9351e-05,
             L({{"__name__", gc}, {"quantile", "0.0"}})),
      Series(R"({"go.gc_duration_seconds",quantile="0.25",})", 7.424100000000001e-05,
             L({{"__name__", gc}, {"quantile", "0.25"}})),
      Series(R"({"go.gc_duration_seconds",quantile="0.5",a="b"})", 8.3835e-05,
             L({{"__name__", gc}, {"quantile", "0.5"}, {"a", "b"}})),
      Series(R"({"go.gc_duration_seconds",quantile="0.8", a="b"})", 8.3835e-05,
             L({{"__name__", gc}, {"quantile", "0.8"}, {"a", "b"}})),
      Series(R"({"go.gc_duration_seconds", quantile="0.9", a="b"})", 8.3835e-05,
             L({{"__name__", gc}, {"quantile", "0.9"}, {"a", "b"}})),
      Series(R"({"go.gc_duration_seconds_sum"})", 0.004304266,
             L({{"__name__", "go.gc_duration_seconds_sum"}})),
      Series(
          R"({"Heizölrückstoßabdämpfung 10€ metric with \"interesting\" {character\nchoices}","strange©™\n'quoted' \"name\""="6"})",
          10,
          L({{"__name__", "Heizölrückstoßabdämpfung 10€ metric with \"interesting\" {character\nchoices}"},
             {"strange©™\n'quoted' \"name\"", "6"}})),
      Series(R"(my_metric{"label.with.dots"="x", b="y"})", 1,
             L({{"__name__", "my_metric"}, {"label.with.dots", "x"}, {"b", "y"}})),
  };
  auto p = NewTextParser(input);
  Status s = ExpectEntries(*p, want);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

// ParseTextSampleTail accepts exactly the line ends the text parser accepts
// after a series, with the same value bits and timestamp.
TEST(ParseTextSampleTailTest, AgreesWithTheTextParser) {
  const char* const pieces[] = {"0", "1", "-", "+", ".", "5", "9", "e", "E", "-3", "Inf", "NaN",
                                "nan", "inf", "x", "_", " ", "\t", "{", "\r", "1234567890",
                                "0000000000", "9007199254740993", "1e308", "e-400", "p1", "0x"};
  std::mt19937 rng(7);
  for (int i = 0; i < 100000; ++i) {
    std::string tail;
    for (int k = 1 + rng() % 6; k > 0; --k) tail += pieces[rng() % std::size(pieces)];
    if (rng() % 3 == 0) tail += " " + std::to_string(rng() % 100000000);
    if (rng() % 6 == 0) tail += " 99999999999999999999";
    if (rng() % 2 == 0) tail += "\n";
    if (tail[0] == ' ' || tail[0] == '\t') continue;  // ParseTextSampleTail requires a non-blank
    const std::string body = "m " + tail;
    auto p = NewTextParser(body);
    auto e = p->Next();
    const bool parser_ok = e.ok() && *e == Entry::kSeries;
    SampleTail t;
    const bool fast_ok = ParseTextSampleTail(body, 2, &t);
    ASSERT_EQ(fast_ok, parser_ok) << "body: " << body;
    if (!fast_ok) continue;
    EXPECT_EQ(std::bit_cast<uint64_t>(t.value), std::bit_cast<uint64_t>(p->Value())) << body;
    EXPECT_EQ(t.has_timestamp, p->Timestamp().has_value()) << body;
    if (t.has_timestamp) EXPECT_EQ(t.timestamp_ms, *p->Timestamp()) << body;
    EXPECT_EQ(t.end, p->EntryEnd()) << body;
  }
}

}  // namespace
}  // namespace ferry::parse
