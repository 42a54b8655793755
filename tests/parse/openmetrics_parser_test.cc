// Cases ported from Prometheus' model/textparse/openmetricsparse_test.go
// (inputs and the meaning of expected results and errors; ferry's messages
// start with "line L col C: "), the OpenMetrics 1.0 specification's examples,
// and ferry's own edge cases.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <string>

#include "src/parse/parser.h"
#include "tests/parse/parse_test_util.h"

namespace ferry::parse {
namespace {

using namespace std::string_literals;
using ::testing::StartsWith;
using testing::ExpectEntries;
using testing::Ex;
using testing::FirstError;
using testing::Help;
using testing::L;
using testing::Series;
using testing::Type;
using testing::Unit;

TEST(OpenMetricsParserTest, ParsesPrometheusReferenceBody) {
  std::string input = R"(# HELP go_gc_duration_seconds A summary of the GC invocation durations.
# TYPE go_gc_duration_seconds summary
# UNIT go_gc_duration_seconds seconds
go_gc_duration_seconds{quantile="0"} 4.9351e-05
go_gc_duration_seconds{quantile="0.25"} 7.424100000000001e-05
go_gc_duration_seconds{quantile="0.5",a="b"} 8.3835e-05
# HELP nohelp1 
# HELP help2 escape \ \n \\ \" \x chars
# UNIT nounit 
go_gc_duration_seconds{quantile="1.0",a="b"} 8.3835e-05
go_gc_duration_seconds_count 99
some:aggregate:rate5m{a_b="c"} 1
# HELP go_goroutines Number of goroutines that currently exist.
# TYPE go_goroutines gauge
go_goroutines 33 123.123
# TYPE hh histogram
hh_bucket{le="+Inf"} 1
# TYPE gh gaugehistogram
gh_bucket{le="+Inf"} 1
# TYPE hhh histogram
hhh_bucket{le="+Inf"} 1 # {id="histogram-bucket-test"} 4
hhh_count 1 # {id="histogram-count-test"} 4
# TYPE ggh gaugehistogram
ggh_bucket{le="+Inf"} 1 # {id="gaugehistogram-bucket-test",xx="yy"} 4 123.123
ggh_count 1 # {id="gaugehistogram-count-test",xx="yy"} 4 123.123
# TYPE smr_seconds summary
smr_seconds_count 2.0 # {id="summary-count-test"} 1 123.321
smr_seconds_sum 42.0 # {id="summary-sum-test"} 1 123.321
# TYPE ii info
ii{foo="bar"} 1
# TYPE ss stateset
ss{ss="foo"} 1
ss{ss="bar"} 0
ss{A="a"} 0
# TYPE un unknown
_metric_starting_with_underscore 1
testmetric{_label_starting_with_underscore="foo"} 1
testmetric{label="\"bar\""} 1
# TYPE foo counter
foo_total 17.0 1520879607.789 # {id="counter-test"} 5)";
  input += "\n# HELP metric foo\x00"s + "bar";
  input += "\nnull_byte_metric{a=\"abc\x00\"} 1"s;
  input += "\n# EOF\n";

  auto gc = [](std::string m, std::string q, double v, bool ab) {
    return ab ? Series(std::move(m), v,
                       L({{"__name__", "go_gc_duration_seconds"}, {"quantile", q}, {"a", "b"}}))
              : Series(std::move(m), v, L({{"__name__", "go_gc_duration_seconds"}, {"quantile", q}}));
  };
  std::vector<testing::Want> want = {
      Help("go_gc_duration_seconds", "A summary of the GC invocation durations."),
      Type("go_gc_duration_seconds", MetricType::kSummary),
      Unit("go_gc_duration_seconds", "seconds"),
      gc(R"(go_gc_duration_seconds{quantile="0"})", "0.0", 4.9351e-05, false),
      gc(R"(go_gc_duration_seconds{quantile="0.25"})", "0.25", 7.424100000000001e-05, false),
      gc(R"(go_gc_duration_seconds{quantile="0.5",a="b"})", "0.5", 8.3835e-05, true),
      Help("nohelp1", ""),
      Help("help2", "escape \\ \n \\ \" \\x chars"),
      Unit("nounit", ""),
      gc(R"(go_gc_duration_seconds{quantile="1.0",a="b"})", "1.0", 8.3835e-05, true),
      Series("go_gc_duration_seconds_count", 99, L({{"__name__", "go_gc_duration_seconds_count"}})),
      Series(R"(some:aggregate:rate5m{a_b="c"})", 1,
             L({{"__name__", "some:aggregate:rate5m"}, {"a_b", "c"}})),
      Help("go_goroutines", "Number of goroutines that currently exist."),
      Type("go_goroutines", MetricType::kGauge),
      Series("go_goroutines", 33, L({{"__name__", "go_goroutines"}}), 123123),
      Type("hh", MetricType::kHistogram),
      Series(R"(hh_bucket{le="+Inf"})", 1, L({{"__name__", "hh_bucket"}, {"le", "+Inf"}})),
      Type("gh", MetricType::kGaugeHistogram),
      Series(R"(gh_bucket{le="+Inf"})", 1, L({{"__name__", "gh_bucket"}, {"le", "+Inf"}})),
      Type("hhh", MetricType::kHistogram),
      Series(R"(hhh_bucket{le="+Inf"})", 1, L({{"__name__", "hhh_bucket"}, {"le", "+Inf"}}), {},
             Ex(L({{"id", "histogram-bucket-test"}}), 4)),
      Series("hhh_count", 1, L({{"__name__", "hhh_count"}}), {},
             Ex(L({{"id", "histogram-count-test"}}), 4)),
      Type("ggh", MetricType::kGaugeHistogram),
      Series(R"(ggh_bucket{le="+Inf"})", 1, L({{"__name__", "ggh_bucket"}, {"le", "+Inf"}}), {},
             Ex(L({{"id", "gaugehistogram-bucket-test"}, {"xx", "yy"}}), 4, 123123)),
      Series("ggh_count", 1, L({{"__name__", "ggh_count"}}), {},
             Ex(L({{"id", "gaugehistogram-count-test"}, {"xx", "yy"}}), 4, 123123)),
      Type("smr_seconds", MetricType::kSummary),
      Series("smr_seconds_count", 2, L({{"__name__", "smr_seconds_count"}}), {},
             Ex(L({{"id", "summary-count-test"}}), 1, 123321)),
      Series("smr_seconds_sum", 42, L({{"__name__", "smr_seconds_sum"}}), {},
             Ex(L({{"id", "summary-sum-test"}}), 1, 123321)),
      Type("ii", MetricType::kInfo),
      Series(R"(ii{foo="bar"})", 1, L({{"__name__", "ii"}, {"foo", "bar"}})),
      Type("ss", MetricType::kStateset),
      Series(R"(ss{ss="foo"})", 1, L({{"__name__", "ss"}, {"ss", "foo"}})),
      Series(R"(ss{ss="bar"})", 0, L({{"__name__", "ss"}, {"ss", "bar"}})),
      Series(R"(ss{A="a"})", 0, L({{"A", "a"}, {"__name__", "ss"}})),
      Type("un", MetricType::kUnknown),
      Series("_metric_starting_with_underscore", 1,
             L({{"__name__", "_metric_starting_with_underscore"}})),
      Series(R"(testmetric{_label_starting_with_underscore="foo"})", 1,
             L({{"__name__", "testmetric"}, {"_label_starting_with_underscore", "foo"}})),
      Series(R"(testmetric{label="\"bar\""})", 1,
             L({{"__name__", "testmetric"}, {"label", "\"bar\""}})),
      Type("foo", MetricType::kCounter),
      Series("foo_total", 17, L({{"__name__", "foo_total"}}), 1520879607789,
             Ex(L({{"id", "counter-test"}}), 5)),
      Help("metric", "foo\x00"s + "bar"),
      Series("null_byte_metric{a=\"abc\x00\"}"s, 1,
             labels::Labels::Of({{"__name__", "null_byte_metric"}, {"a", "abc\x00"s}})),
  };
  auto p = NewOpenMetricsParser(input);
  Status s = ExpectEntries(*p, want);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

// The examples of the OpenMetrics 1.0 specification (text format section).
TEST(OpenMetricsParserTest, ParsesSpecificationExamples) {
  std::string input = R"(# TYPE acme_http_router_request_seconds summary
# UNIT acme_http_router_request_seconds seconds
# HELP acme_http_router_request_seconds Latency though all of ACME's HTTP request router.
acme_http_router_request_seconds_sum{path="/api/v1",method="GET"} 9036.32
acme_http_router_request_seconds_count{path="/api/v1",method="GET"} 807283.0
acme_http_router_request_seconds_created{path="/api/v1",method="GET"} 1605281325.0
# TYPE go_goroutines gauge
go_goroutines 69
# TYPE process_cpu_seconds counter
# UNIT process_cpu_seconds seconds
process_cpu_seconds_total 4.20072246e+06
# TYPE foo histogram
foo_bucket{le="0.0"} 0
foo_bucket{le="1e-05"} 0
foo_bucket{le="0.1"} 8 # {} 0.054
foo_bucket{le="1.0"} 11 # {trace_id="KOO5S4vxi0o"} 0.67
foo_bucket{le="+Inf"} 17 # {trace_id="oHg5SJYRHA0"} 9.8 1520879607.789
foo_count 17
foo_sum 324789.3
foo_created 1520430000.123
# TYPE foo_info info
foo_info{entity="controller",name="pretty",version="8.2.7"} 1
# TYPE bar stateset
bar{entity="controller",bar="a"} 1.0
bar{entity="controller",bar="bb"} 0.0
# TYPE baz gaugehistogram
baz_bucket{le="+Inf"} 1
baz_gcount 1
baz_gsum 2
# TYPE a counter
a_total 1 -1.5
# EOF
)";
  auto p = NewOpenMetricsParser(input);
  std::vector<testing::Want> want = {
      Type("acme_http_router_request_seconds", MetricType::kSummary),
      Unit("acme_http_router_request_seconds", "seconds"),
      Help("acme_http_router_request_seconds",
           "Latency though all of ACME's HTTP request router."),
      Series(R"(acme_http_router_request_seconds_sum{path="/api/v1",method="GET"})", 9036.32,
             L({{"__name__", "acme_http_router_request_seconds_sum"}, {"method", "GET"},
                {"path", "/api/v1"}})),
      Series(R"(acme_http_router_request_seconds_count{path="/api/v1",method="GET"})", 807283,
             L({{"__name__", "acme_http_router_request_seconds_count"}, {"method", "GET"},
                {"path", "/api/v1"}})),
      Series(R"(acme_http_router_request_seconds_created{path="/api/v1",method="GET"})",
             1605281325,
             L({{"__name__", "acme_http_router_request_seconds_created"}, {"method", "GET"},
                {"path", "/api/v1"}})),
      Type("go_goroutines", MetricType::kGauge),
      Series("go_goroutines", 69, L({{"__name__", "go_goroutines"}})),
      Type("process_cpu_seconds", MetricType::kCounter),
      Unit("process_cpu_seconds", "seconds"),
      Series("process_cpu_seconds_total", 4.20072246e+06,
             L({{"__name__", "process_cpu_seconds_total"}})),
      Type("foo", MetricType::kHistogram),
      Series(R"(foo_bucket{le="0.0"})", 0, L({{"__name__", "foo_bucket"}, {"le", "0.0"}})),
      Series(R"(foo_bucket{le="1e-05"})", 0, L({{"__name__", "foo_bucket"}, {"le", "1e-05"}})),
      Series(R"(foo_bucket{le="0.1"})", 8, L({{"__name__", "foo_bucket"}, {"le", "0.1"}}), {},
             Ex({}, 0.054)),
      Series(R"(foo_bucket{le="1.0"})", 11, L({{"__name__", "foo_bucket"}, {"le", "1.0"}}), {},
             Ex(L({{"trace_id", "KOO5S4vxi0o"}}), 0.67)),
      Series(R"(foo_bucket{le="+Inf"})", 17, L({{"__name__", "foo_bucket"}, {"le", "+Inf"}}), {},
             Ex(L({{"trace_id", "oHg5SJYRHA0"}}), 9.8, 1520879607789)),
      Series("foo_count", 17, L({{"__name__", "foo_count"}})),
      Series("foo_sum", 324789.3, L({{"__name__", "foo_sum"}})),
      Series("foo_created", 1520430000.123, L({{"__name__", "foo_created"}})),
      Type("foo_info", MetricType::kInfo),
      Series(R"(foo_info{entity="controller",name="pretty",version="8.2.7"})", 1,
             L({{"__name__", "foo_info"}, {"entity", "controller"}, {"name", "pretty"},
                {"version", "8.2.7"}})),
      Type("bar", MetricType::kStateset),
      Series(R"(bar{entity="controller",bar="a"})", 1,
             L({{"__name__", "bar"}, {"bar", "a"}, {"entity", "controller"}})),
      Series(R"(bar{entity="controller",bar="bb"})", 0,
             L({{"__name__", "bar"}, {"bar", "bb"}, {"entity", "controller"}})),
      Type("baz", MetricType::kGaugeHistogram),
      Series(R"(baz_bucket{le="+Inf"})", 1, L({{"__name__", "baz_bucket"}, {"le", "+Inf"}})),
      Series("baz_gcount", 1, L({{"__name__", "baz_gcount"}})),
      Series("baz_gsum", 2, L({{"__name__", "baz_gsum"}})),
      Type("a", MetricType::kCounter),
      Series("a_total", 1, L({{"__name__", "a_total"}}), -1500),
  };
  Status s = ExpectEntries(*p, want);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

struct ErrorCase {
  std::string input;
  std::string want;  // the message starts with this; "" means a clean kEof
};

class OpenMetricsParserErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(OpenMetricsParserErrorTest, ReportsLineColumnAndReason) {
  auto p = NewOpenMetricsParser(GetParam().input);
  std::string err = FirstError(*p);
  if (GetParam().want.empty()) {
    EXPECT_EQ(err, "");
  } else {
    EXPECT_THAT(err, StartsWith(GetParam().want));
  }
}

INSTANTIATE_TEST_SUITE_P(
    PrometheusCases, OpenMetricsParserErrorTest,
    ::testing::Values(
        ErrorCase{"# EOF", ""}, ErrorCase{"# EOF\n", ""},
        ErrorCase{"", "line 1 col 1: data does not end with # EOF"},
        ErrorCase{"\n", "line 1 col 1: blank lines are not allowed"},
        ErrorCase{"metric", "line 1 col 7: expected ' ' and value after metric, got end of input"},
        ErrorCase{"metric 1", "line 1 col 9: data does not end with # EOF"},
        ErrorCase{"metric 1\n", "line 2 col 1: data does not end with # EOF"},
        ErrorCase{"metric_total 1 # {aa=\"bb\"} 4", "line 1 col 29: data does not end with # EOF"},
        ErrorCase{"a\n#EOF\n", "line 1 col 2: expected ' ' and value after metric, got \"\\n\""},
        ErrorCase{"\n\n#EOF\n", "line 1 col 1: blank lines are not allowed"},
        ErrorCase{" a 1\n#EOF\n", "line 1 col 1: expected metric name or '# ' at start of line, got \" \""},
        ErrorCase{"9\n#EOF\n", "line 1 col 1: expected metric name or '# ' at start of line, got \"9\""},
        ErrorCase{"# TYPE u untyped\n#EOF\n", "line 1 col 10: invalid metric type \"untyped\""},
        ErrorCase{"# TYPE c counter \n#EOF\n", "line 1 col 10: invalid metric type \"counter \""},
        ErrorCase{"#  TYPE c counter\n#EOF\n", "line 1 col 3: invalid comment"},
        ErrorCase{"# TYPE \n#EOF\n", "line 1 col 8: expected metric name after TYPE, got \"\\n\""},
        ErrorCase{"# TYPE m\n#EOF\n", "line 1 col 9: expected ' ' and text after metric name in TYPE"},
        ErrorCase{"# UNIT metric suffix\n#EOF\n", "line 1 col 15: unit \"suffix\" not a suffix of metric \"metric\""},
        ErrorCase{"# UNIT metricsuffix suffix\n#EOF\n", "line 1 col 21: unit \"suffix\" not a suffix of metric \"metricsuffix\""},
        ErrorCase{"# UNIT m suffix\n#EOF\n", "line 1 col 10: unit \"suffix\" not a suffix of metric \"m\""},
        ErrorCase{"# UNIT \n#EOF\n", "line 1 col 8: expected metric name after UNIT"},
        ErrorCase{"# UNIT m\n#EOF\n", "line 1 col 9: expected ' ' and text after metric name in UNIT"},
        ErrorCase{"# HELP \n#EOF\n", "line 1 col 8: expected metric name after HELP"},
        ErrorCase{"# HELP m\n#EOF\n", "line 1 col 9: expected ' ' and text after metric name in HELP"},
        ErrorCase{"a\t1\n#EOF\n", "line 1 col 2: expected ' ' and value after metric, got \"\\t\""},
        ErrorCase{"a 1\t2\n#EOF\n", "line 1 col 3: invalid value \"1\\t2\": invalid syntax"},
        ErrorCase{"a 1 2 \n#EOF\n", "line 1 col 6: expected end of line or exemplar after timestamp, got \" \""},
        ErrorCase{"a 1 2 #\n#EOF\n", "line 1 col 6: expected end of line or exemplar after timestamp"},
        ErrorCase{"a 1 1z\n#EOF\n", "line 1 col 5: invalid timestamp \"1z\": invalid syntax"},
        ErrorCase{" # EOF\n", "line 1 col 1: expected metric name or '# ' at start of line"},
        ErrorCase{"# EOF\na 1", "line 2 col 1: unexpected data after # EOF"},
        ErrorCase{"# EOF\n\n", "line 2 col 1: unexpected data after # EOF"},
        ErrorCase{"# EOFa 1", "line 1 col 6: unexpected data after # EOF"},
        ErrorCase{"#\tTYPE c counter\n", "line 1 col 2: expected ' ' after '#'"},
        ErrorCase{"# TYPE c  counter\n", "line 1 col 10: invalid metric type \" counter\""},
        ErrorCase{"a 1 1 1\n# EOF\n", "line 1 col 6: expected end of line or exemplar after timestamp"},
        ErrorCase{"a{b='c'} 1\n# EOF\n", "line 1 col 5: expected label value in double quotes, got \"'\""},
        ErrorCase{"a{,b=\"c\"} 1\n# EOF\n", "line 1 col 3: expected label name, got \",\""},
        ErrorCase{"a{b=\"c\"d=\"e\"} 1\n# EOF\n", "line 1 col 8: expected ',' or '}' after label value, got \"d\""},
        ErrorCase{"a{b=\"c\",,d=\"e\"} 1\n# EOF\n", "line 1 col 9: expected label name, got \",\""},
        ErrorCase{"a{b=\n# EOF\n", "line 1 col 5: expected label value in double quotes, got \"\\n\""},
        ErrorCase{"a{\xff=\"foo\"} 1\n# EOF\n", "line 1 col 3: expected label name, got \"\\xff\""},
        ErrorCase{"a{b=\"\xff\"} 1\n# EOF\n", "line 1 col 6: invalid UTF-8 in label value"},
        ErrorCase{"{\"a\",\"b = \"c\"}\n# EOF\n", "line 1 col 12: expected '=' after label name, got \"c\""},
        ErrorCase{"a true\n", "line 1 col 3: invalid value \"true\": invalid syntax"},
        ErrorCase{"something_weird{problem=\"\n# EOF\n", "line 1 col 26: newline in label value"},
        ErrorCase{"empty_label_name{=\"\"} 0\n# EOF\n", "line 1 col 18: expected label name, got \"=\""},
        ErrorCase{"foo 1_2\n\n# EOF\n", "line 1 col 5: invalid value \"1_2\": unsupported character in float"},
        ErrorCase{"foo 0x1p-3\n\n# EOF\n", "line 1 col 5: invalid value \"0x1p-3\": unsupported character"},
        ErrorCase{"foo 0x1P-3\n\n# EOF\n", "line 1 col 5: invalid value \"0x1P-3\": unsupported character"},
        ErrorCase{"foo 0 1_2\n\n# EOF\n", "line 1 col 7: invalid timestamp \"1_2\": unsupported character"},
        ErrorCase{"custom_metric_total 1 # {aa=bb}\n# EOF\n", "line 1 col 29: expected label value in double quotes, got \"b\""},
        ErrorCase{"custom_metric_total 1 # {aa=\"bb\"}\n# EOF\n", "line 1 col 34: expected ' ' and value after exemplar labels, got \"\\n\""},
        ErrorCase{"custom_metric_total 1 # {aa=\"bb\"}", "line 1 col 34: expected ' ' and value after exemplar labels, got end of input"},
        ErrorCase{"custom_metric_total 1 # {bb}", "line 1 col 28: expected '=' after label name, got \"}\""},
        ErrorCase{"custom_metric_total 1 # {bb, a=\"dd\"}", "line 1 col 28: expected '=' after label name, got \",\""},
        ErrorCase{"custom_metric_total 1 # {aa=\"bb\",,cc=\"dd\"} 1", "line 1 col 34: expected label name, got \",\""},
        ErrorCase{"custom_metric_total 1 # {aa=\"bb\"} 1_2", "line 1 col 35: invalid value \"1_2\": unsupported character"},
        ErrorCase{"custom_metric_total 1 # {aa=\"bb\"} 0x1p-3", "line 1 col 35: invalid value \"0x1p-3\": unsupported character"},
        ErrorCase{"custom_metric_total 1 # {aa=\"bb\"} true", "line 1 col 35: invalid value \"true\": invalid syntax"},
        ErrorCase{"custom_metric_total 1 # {aa=\"bb\",cc=}", "line 1 col 37: expected label value in double quotes, got \"}\""},
        ErrorCase{"{b=\"c\",} 1", "line 1 col 1: metric name not set"},
        ErrorCase{"a 1 NaN", "line 1 col 5: invalid timestamp \"NaN\": NaN, infinite or out of range"},
        ErrorCase{"a 1 -Inf", "line 1 col 5: invalid timestamp \"-Inf\": NaN, infinite"},
        ErrorCase{"a 1 Inf", "line 1 col 5: invalid timestamp \"Inf\": NaN, infinite"},
        ErrorCase{"# TYPE hhh histogram\nhhh_bucket{le=\"+Inf\"} 1 # {aa=\"bb\"} 4 NaN", "line 2 col 39: invalid exemplar timestamp \"NaN\""},
        ErrorCase{"# TYPE hhh histogram\nhhh_bucket{le=\"+Inf\"} 1 # {aa=\"bb\"} 4 -Inf", "line 2 col 39: invalid exemplar timestamp \"-Inf\""},
        ErrorCase{"# TYPE hhh histogram\nhhh_bucket{le=\"+Inf\"} 1 # {aa=\"bb\"} 4 Inf", "line 2 col 39: invalid exemplar timestamp \"Inf\""}));

INSTANTIATE_TEST_SUITE_P(
    NullBytes, OpenMetricsParserErrorTest,
    ::testing::Values(
        ErrorCase{"null_byte_metric{a=\"abc\x00\"} 1\n# EOF\n"s, ""},
        ErrorCase{"a{b=\"\x00ss\"} 1\n# EOF\n"s, ""},
        ErrorCase{"a{b=\"\x00\"} 1\n# EOF\n"s, ""},
        ErrorCase{"a{b=\"\x00\"} 1\n# EOF"s, ""},
        ErrorCase{"a{b=\x00\"ssss\"} 1\n# EOF\n"s, "line 1 col 5: expected label value in double quotes, got \"\\x00\""},
        ErrorCase{"a{b=\"\x00"s, "line 1 col 5: unterminated label value"},
        ErrorCase{"a{b\x00=\"hiih\"}\t1"s, "line 1 col 4: expected '=' after label name, got \"\\x00\""},
        ErrorCase{"a\x00{b=\"ddd\"} 1"s, "line 1 col 2: expected ' ' and value after metric, got \"\\x00\""},
        ErrorCase{"#", "line 1 col 2: expected ' ' after '#'"},
        ErrorCase{"# H", "line 1 col 3: invalid comment"},
        ErrorCase{"custom_metric_total 1 # {b=\x00\"ssss\"} 1\n"s, "line 1 col 28: expected label value in double quotes, got \"\\x00\""}));

INSTANTIATE_TEST_SUITE_P(
    FerryCases, OpenMetricsParserErrorTest,
    ::testing::Values(
        ErrorCase{"a 1\r\n# EOF\n", "line 1 col 4: expected end of line, timestamp or exemplar, got carriage return (CRLF"},
        ErrorCase{"a{b=\"1\",b=\"2\"} 1\n# EOF\n", "line 1 col 9: duplicate label name \"b\""},
        ErrorCase{"a{__name__=\"x\"} 1\n# EOF\n", "line 1 col 3: duplicate label name \"__name__\""},
        ErrorCase{"a 1 # {x=\"1\",x=\"2\"} 1\n# EOF\n", "line 1 col 14: duplicate label name in exemplar"},
        ErrorCase{"a{b=\"c\\\nd\"} 1\n# EOF\n", "line 1 col 8: newline in label value"},
        ErrorCase{"a{ b=\"c\"} 1\n# EOF\n", "line 1 col 3: expected label name, got \" \""},
        ErrorCase{"a  1\n# EOF\n", "line 1 col 3: expected value after metric, got \" \""},
        ErrorCase{"a 1 \n# EOF\n", "line 1 col 5: expected timestamp after value, got \"\\n\""},
        ErrorCase{"a 1 1e300\n# EOF\n", "line 1 col 5: invalid timestamp \"1e300\": NaN, infinite or out of range"},
        ErrorCase{"# random comment\n# EOF\n", "line 1 col 3: invalid comment"},
        ErrorCase{"# HELP a text", "line 1 col 14: expected end of line after HELP text"},
        ErrorCase{"# HELP a \xff\n# EOF\n", "line 1 col 10: help text is not valid UTF-8"},
        ErrorCase{"# TYPE \"\" gauge\n# EOF\n", "line 1 col 8: empty quoted name"},
        ErrorCase{"# TYPE \"a.b\"gauge\n# EOF\n", "line 1 col 13: expected ' ' and text after metric name in TYPE"},
        ErrorCase{"a 1 # {\"x\"} 1\n# EOF\n", "line 1 col 8: expected label name in exemplar"},
        ErrorCase{"{\"a\"} 1 # {\"x.y\"=\"1\"} 1\n# EOF\n", ""},
        ErrorCase{"{\"a\", \"b\"=\"1\"} 1\n# EOF\n", "line 1 col 6: expected label name, got \" \""},
        ErrorCase{"a{b=\"c\"} 1 # {} 1 2 3\n# EOF\n", "line 1 col 20: expected end of line after exemplar"},
        ErrorCase{"a 1 # {} 1\n# EOF\n", ""},
        ErrorCase{"# UNIT a_seconds seconds\n# UNIT a_seconds \n# EOF\n", ""}));

TEST(OpenMetricsParserTest, ConvertsSecondsToMillisecondsLikePrometheus) {
  struct Case {
    const char* ts;
    int64_t want;
  };
  const Case cases[] = {{"1.5", 1500}, {"-1.5", -1500}, {"1e3", 1000000}, {"0.0019", 1},
                        {"1520879607.789", 1520879607789}, {"-0.0009", 0}, {"0", 0}};
  for (const Case& c : cases) {
    std::string body = std::string("a 1 ") + c.ts + "\n# EOF\n";
    auto p = NewOpenMetricsParser(body);
    auto e = p->Next();
    ASSERT_TRUE(e.ok()) << c.ts << ": " << e.status().ToString();
    EXPECT_EQ(p->Timestamp(), c.want) << c.ts;
  }
}

TEST(OpenMetricsParserTest, NormalisesNaNValues) {
  auto p = NewOpenMetricsParser("a NaN # {} NaN\n# EOF\n");
  ASSERT_EQ(*p->Next(), Entry::kSeries);
  EXPECT_EQ(std::bit_cast<uint64_t>(p->Value()), kNormalNaNBits);
  parse::Exemplar e;
  ASSERT_TRUE(p->Exemplar(&e));
  EXPECT_EQ(std::bit_cast<uint64_t>(e.value), kNormalNaNBits);
}

TEST(OpenMetricsParserTest, EofIsStickyAndExemplarsDoNotLeak) {
  auto p = NewOpenMetricsParser("a_total 1 # {x=\"y\"} 2\nb 1\n# EOF\n");
  ASSERT_EQ(*p->Next(), Entry::kSeries);
  ASSERT_EQ(*p->Next(), Entry::kSeries);
  parse::Exemplar e;
  EXPECT_FALSE(p->Exemplar(&e)) << "the exemplar of the previous line must not leak";
  EXPECT_EQ(*p->Next(), Entry::kEof);
  EXPECT_EQ(*p->Next(), Entry::kEof);
}

TEST(OpenMetricsParserTest, SeriesTypeFollowsOpenMetricsSuffixes) {
  std::string input =
      "# TYPE c counter\nc_total 1\nc_created 1\nc 1\n"
      "# TYPE g gaugehistogram\ng_bucket{le=\"1\"} 1\ng_gcount 1\ng_gsum 1\ng_count 1\n"
      "# TYPE i info\ni_info 1\n"
      "# EOF\n";
  auto p = NewOpenMetricsParser(input);
  std::vector<MetricType> got;
  for (;;) {
    auto e = p->Next();
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    if (*e == Entry::kEof) break;
    if (*e == Entry::kSeries) got.push_back(p->SeriesType());
  }
  using MT = MetricType;
  EXPECT_THAT(got, ::testing::ElementsAre(MT::kCounter, MT::kCounter, MT::kCounter,
                                          MT::kGaugeHistogram, MT::kGaugeHistogram,
                                          MT::kGaugeHistogram, MT::kUnknown, MT::kInfo));
}

}  // namespace
}  // namespace ferry::parse

namespace ferry::parse {
namespace {

// Walks "body" and returns, for every series, "name=ct" (or "name=-").
std::vector<std::string> CreatedTimestamps(const std::string& body) {
  auto p = NewOpenMetricsParser(body);
  std::vector<std::string> out;
  for (;;) {
    auto e = p->Next();
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    if (!e.ok() || *e == Entry::kEof) break;
    if (*e != Entry::kSeries) continue;
    auto ct = p->CreatedTimestamp();
    out.push_back(std::string(p->Series()) + "=" + (ct ? std::to_string(*ct) : "-"));
    // Asking twice is answered from the cache and gives the same result.
    EXPECT_EQ(p->CreatedTimestamp(), ct);
  }
  return out;
}

TEST(OpenMetricsCreatedTimestampTest, PairsSeriesWithTheirCreatedLine) {
  std::string body =
      "# TYPE foo counter\n"
      "foo_total{a=\"1\"} 17 # {id=\"x\"} 1\n"
      "foo_created{a=\"1\"} 1520430000.123\n"
      "foo_total{a=\"2\"} 3\n"
      "foo_created{a=\"3\"} 1520430001\n"
      "# TYPE h histogram\n"
      "h_bucket{le=\"1\",x=\"y\"} 1\n"
      "h_bucket{le=\"+Inf\",x=\"y\"} 2\n"
      "h_count{x=\"y\"} 2\n"
      "h_sum{x=\"y\"} 1.5\n"
      "h_created{x=\"y\"} 1000.5\n"
      "# TYPE s summary\n"
      "s{quantile=\"0.5\"} 1\n"
      "s_count 1\n"
      "s_created 7\n"
      "# TYPE g gauge\n"
      "g 1\n"
      "# TYPE c2 counter\n"
      "c2_total 1\n"
      "# TYPE c3 counter\n"
      "c3_created 5\n"
      "# EOF\n";
  EXPECT_THAT(CreatedTimestamps(body),
              ::testing::ElementsAre(
                  "foo_total{a=\"1\"}=1520430000123",
                  // As in Prometheus, a _created line seen after its series
                  // reports the cached value too.
                  "foo_created{a=\"1\"}=1520430000123",
                  "foo_total{a=\"2\"}=-", "foo_created{a=\"3\"}=-",
                  "h_bucket{le=\"1\",x=\"y\"}=1000500", "h_bucket{le=\"+Inf\",x=\"y\"}=1000500",
                  "h_count{x=\"y\"}=1000500", "h_sum{x=\"y\"}=1000500", "h_created{x=\"y\"}=1000500",
                  "s{quantile=\"0.5\"}=7000", "s_count=7000", "s_created=7000", "g=-",
                  "c2_total=-", "c3_created=-"));
}

TEST(OpenMetricsCreatedTimestampTest, PeekingDoesNotMoveTheParser) {
  auto p = NewOpenMetricsParser(
      "# TYPE foo counter\nfoo_total 1 # {id=\"x\"} 2\nfoo_created 3\n# EOF\n");
  ASSERT_EQ(*p->Next(), Entry::kType);
  ASSERT_EQ(*p->Next(), Entry::kSeries);
  EXPECT_EQ(p->CreatedTimestamp(), 3000);
  EXPECT_EQ(p->Series(), "foo_total");
  parse::Exemplar e;
  EXPECT_TRUE(p->Exemplar(&e));
  ASSERT_EQ(*p->Next(), Entry::kSeries);
  EXPECT_EQ(p->Series(), "foo_created");
  EXPECT_EQ(*p->Next(), Entry::kEof);
}

TEST(OpenMetricsCreatedTimestampTest, ErrorAheadMeansNoCreatedTimestampButNextReportsIt) {
  auto p = NewOpenMetricsParser("# TYPE foo counter\nfoo_total 1\nfoo_created x\n# EOF\n");
  ASSERT_EQ(*p->Next(), Entry::kType);
  ASSERT_EQ(*p->Next(), Entry::kSeries);
  EXPECT_EQ(p->CreatedTimestamp(), std::nullopt);
  auto e = p->Next();
  ASSERT_FALSE(e.ok());
  EXPECT_THAT(e.status().message(), StartsWith("line 3 col 13: invalid value \"x\""));
}

TEST(TextParserCreatedTimestampTest, TextFormatHasNone) {
  auto p = NewTextParser("# TYPE foo counter\nfoo_total 1\nfoo_created 3\n");
  ASSERT_EQ(*p->Next(), Entry::kType);
  ASSERT_EQ(*p->Next(), Entry::kSeries);
  EXPECT_EQ(p->CreatedTimestamp(), std::nullopt);
}

}  // namespace
}  // namespace ferry::parse

namespace ferry::parse {
namespace {

TEST(OpenMetricsCreatedTimestampTest, LargeFamilyWithoutCreatedLinesStaysCorrect) {
  // 20k counter series and no _created line: every answer is "none", and
  // after the first peek reached the end of the family the rest are answered
  // without peeking again (linear, not quadratic, in the family size).
  std::string body = "# TYPE c counter\n";
  for (int i = 0; i < 20000; ++i) {
    body.append("c_total{i=\"").append(std::to_string(i)).append("\"} 1\n");
  }
  body += "# TYPE d counter\nd_total 1\nd_created 2\n# EOF\n";
  auto p = NewOpenMetricsParser(body);
  size_t none = 0;
  std::optional<int64_t> d_ct;
  for (;;) {
    auto e = p->Next();
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    if (*e == Entry::kEof) break;
    if (*e != Entry::kSeries) continue;
    auto ct = p->CreatedTimestamp();
    if (p->MetricName() == "d_total") {
      d_ct = ct;
    } else if (!ct) {
      ++none;
    }
  }
  EXPECT_EQ(none, 20000u);  // every c_total series
  EXPECT_EQ(d_ct, 2000);
}

}  // namespace
}  // namespace ferry::parse

namespace ferry::parse {
namespace {

// Prometheus' TestUTF8OpenMetricsParse.
TEST(OpenMetricsParserTest, ParsesQuotedUtf8Names) {
  std::string input = R"(# HELP "go.gc_duration_seconds" A summary of the GC invocation durations.
# TYPE "go.gc_duration_seconds" summary
# UNIT "go.gc_duration_seconds" seconds
{"go.gc_duration_seconds",quantile="0"} 4.9351e-05
{"go.gc_duration_seconds",quantile="0.25"} 7.424100000000001e-05
{"go.gc_duration_seconds",quantile="0.5",a="b"} 8.3835e-05
{"http.status",q="0.9",a="b"} 8.3835e-05
{"http.status",q="0.9",a="b"} 8.3835e-05
{q="0.9","http.status",a="b"} 8.3835e-05
{"go.gc_duration_seconds_sum"} 0.004304266
{"Heizölrückstoßabdämpfung 10€ metric with \"interesting\" {character\nchoices}","strange©™\n'quoted' \"name\""="6"} 10.0
# EOF
)";
  const std::string gc = "go.gc_duration_seconds";
  auto hs = [](std::string m) {
    return Series(std::move(m), 8.3835e-05,
                  L({{"__name__", "http.status"}, {"q", "0.9"}, {"a", "b"}}));
  };
  std::vector<testing::Want> want = {
      Help(gc, "A summary of the GC invocation durations."),
      Type(gc, MetricType::kSummary),
      Unit(gc, "seconds"),
      Series(R"({"go.gc_duration_seconds",quantile="0"})", 4.9351e-05,
             L({{"__name__", gc}, {"quantile", "0.0"}})),
      Series(R"({"go.gc_duration_seconds",quantile="0.25"})", 7.424100000000001e-05,
             L({{"__name__", gc}, {"quantile", "0.25"}})),
      Series(R"({"go.gc_duration_seconds",quantile="0.5",a="b"})", 8.3835e-05,
             L({{"__name__", gc}, {"quantile", "0.5"}, {"a", "b"}})),
      hs(R"({"http.status",q="0.9",a="b"})"),
      hs(R"({"http.status",q="0.9",a="b"})"),
      hs(R"({q="0.9","http.status",a="b"})"),
      Series(R"({"go.gc_duration_seconds_sum"})", 0.004304266,
             L({{"__name__", "go.gc_duration_seconds_sum"}})),
      Series(
          R"({"Heizölrückstoßabdämpfung 10€ metric with \"interesting\" {character\nchoices}","strange©™\n'quoted' \"name\""="6"})",
          10,
          L({{"__name__", "Heizölrückstoßabdämpfung 10€ metric with \"interesting\" {character\nchoices}"},
             {"strange©™\n'quoted' \"name\"", "6"}})),
  };
  auto p = NewOpenMetricsParser(input);
  Status s = ExpectEntries(*p, want);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

}  // namespace
}  // namespace ferry::parse
