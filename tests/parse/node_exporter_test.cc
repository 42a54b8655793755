// Parses a real body scraped from Debian's prometheus-node-exporter (committed
// as bench/testdata/node_exporter.prom) and its OpenMetrics rendering, and
// checks every sample line comes out as a series with sane labels.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "src/parse/parser.h"
#include "tests/testing/test_util.h"

namespace ferry::parse {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The repository root: $FERRY_SOURCE_DIR when ctest sets it, else derived
// from this file's path (the ENVIRONMENT property does not always reach
// tests registered through gtest_discover_tests).
std::string RepoRoot() {
  if (std::getenv("FERRY_SOURCE_DIR") != nullptr) return testing::SourceDir();
  std::string here = __FILE__;
  return here.substr(0, here.rfind("/tests/parse/"));
}

size_t SampleLines(const std::string& body) {
  std::istringstream in(body);
  size_t n = 0;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != '#') ++n;
  }
  return n;
}

void CheckAll(Parser& p, size_t want_series, size_t want_types) {
  size_t series = 0, types = 0, helps = 0;
  MetricType family_type = MetricType::kUnknown;
  for (;;) {
    auto e = p.Next();
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    if (*e == Entry::kEof) break;
    if (*e == Entry::kType) {
      ++types;
      family_type = p.Type();
    }
    if (*e == Entry::kHelp) {
      ++helps;
      EXPECT_FALSE(p.Help().empty()) << p.FamilyName();
    }
    if (*e != Entry::kSeries) continue;
    ++series;
    labels::LabelsBuilder b;
    p.Labels(&b);
    labels::Labels l = b.Build();
    EXPECT_EQ(l.Get("__name__"), p.MetricName());
    EXPECT_TRUE(l.FirstDuplicateName().empty());
    // node_exporter writes every family under its own TYPE line.
    EXPECT_EQ(p.SeriesType(), family_type) << p.Series();
    EXPECT_FALSE(p.Timestamp().has_value());
  }
  EXPECT_EQ(series, want_series);
  EXPECT_EQ(types, want_types);
  EXPECT_EQ(helps, want_types);
}

TEST(NodeExporterBodyTest, TextParserReadsEverySample) {
  std::string body = ReadFile(RepoRoot() + "/bench/testdata/node_exporter.prom");
  ASSERT_GT(body.size(), 10000u);
  size_t types = 0;
  for (size_t p = body.find("# TYPE "); p != std::string::npos; p = body.find("# TYPE ", p + 1)) {
    ++types;
  }
  auto p = NewTextParser(body);
  CheckAll(*p, SampleLines(body), types);
}

TEST(NodeExporterBodyTest, OpenMetricsParserReadsEverySample) {
  std::string body = ReadFile(RepoRoot() + "/bench/testdata/node_exporter.om.txt");
  ASSERT_GT(body.size(), 10000u);
  size_t types = 0;
  for (size_t p = body.find("# TYPE "); p != std::string::npos; p = body.find("# TYPE ", p + 1)) {
    ++types;
  }
  auto p = NewOpenMetricsParser(body);
  CheckAll(*p, SampleLines(body), types);
}

}  // namespace
}  // namespace ferry::parse
