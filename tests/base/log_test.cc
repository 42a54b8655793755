#include "src/base/log.h"

#include <gtest/gtest.h>

namespace ferry::log {
namespace {

std::string StripTs(std::string line) {
  // ts is first in both formats; drop it so lines compare exactly.
  auto pos = line.find("level");
  return line.substr(pos);
}

TEST(LogTest, LogfmtQuotesValuesThatNeedIt) {
  std::string line = FormatLine(Format::kLogfmt, Level::kWarn, "wal", "sync slow",
                                {{"dir", "./data"}, {"err", "disk \"full\""}, {"n", 3}});
  EXPECT_EQ(StripTs(line),
            R"(level=warn component=wal msg="sync slow" dir=./data err="disk \"full\"" n=3)");
  EXPECT_EQ(line.rfind("ts=", 0), 0u);
}

TEST(LogTest, JsonEscapesControlCharacters) {
  std::string line = FormatLine(Format::kJson, Level::kInfo, "", "hello", {{"k", "a\nb"}});
  EXPECT_EQ(line.front(), '{');
  EXPECT_NE(line.find(R"("level":"info","msg":"hello","k":"a\nb"})"), std::string::npos) << line;
}

TEST(LogTest, ParsesPrometheusLevelsAndFormats) {
  EXPECT_EQ(*ParseLevel("debug"), Level::kDebug);
  EXPECT_EQ(*ParseLevel("error"), Level::kError);
  EXPECT_FALSE(ParseLevel("verbose").ok());
  EXPECT_EQ(*ParseFormat("json"), Format::kJson);
  EXPECT_FALSE(ParseFormat("xml").ok());
}

}  // namespace
}  // namespace ferry::log
