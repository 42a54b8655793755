// The ferry binary's command line: subcommands, version, refused flags.
#include <gtest/gtest.h>

#include <regex>

#include "tests/testing/subprocess.h"
#include "tests/testing/test_util.h"

namespace ferry {
namespace {

using ::ferry::testing::FerryBinary;
using ::ferry::testing::RunCommand;
using ::ferry::testing::TempDir;
using ::ferry::testing::WriteFileOrDie;

TEST(CliTest, VersionNamesFerry) {
  TempDir dir;
  auto r = RunCommand({FerryBinary(), "--version"}, dir.Sub("v"));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(std::regex_search(r.out + r.err, std::regex("ferry, version [0-9]+\\.[0-9]+")))
      << r.out << r.err;
}

TEST(CliTest, HelpListsAgentFlags) {
  TempDir dir;
  auto r = RunCommand({FerryBinary(), "--help"}, dir.Sub("h"));
  EXPECT_EQ(r.exit_code, 0);
  for (const char* flag : {"--config.file", "--storage.agent.path", "--web.listen-address",
                           "--web.enable-lifecycle", "--log.level", "--log.format",
                           "--storage.agent.wal-compression"}) {
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag;
  }
}

TEST(CliTest, CheckConfigPrintsPositionAndExits1OnInvalidFile) {
  TempDir dir;
  std::string bad = dir.Sub("bad.yml");
  WriteFileOrDie(bad, "scrape_configs:\n  - job_name: a\n    scrape_interval: 10s\n"
                      "    scrape_timeout: 20s\n");
  auto r = RunCommand({FerryBinary(), "check", "config", bad}, dir.Sub("c"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(std::regex_search(r.err, std::regex(bad + ":[0-9]+:[0-9]+: "))) << r.err;
  EXPECT_NE(r.err.find("FAILED"), std::string::npos);
}

TEST(CliTest, CheckConfigAcceptsValidFilesAndReportsEach) {
  TempDir dir;
  std::string good = dir.Sub("good.yml");
  WriteFileOrDie(good, "scrape_configs:\n  - job_name: a\n    static_configs:\n"
                       "      - targets: ['127.0.0.1:9100']\n");
  auto r = RunCommand({FerryBinary(), "check", "config", good, good}, dir.Sub("c"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("SUCCESS: " + good + " is valid"), std::string::npos) << r.err;
}

TEST(CliTest, CheckConfigOnMissingFileFails) {
  TempDir dir;
  auto r = RunCommand({FerryBinary(), "check", "config", dir.Sub("nope.yml")}, dir.Sub("c"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("nope.yml"), std::string::npos) << r.err;
}

TEST(CliTest, PrometheusServerFlagsAreRefusedClearly) {
  TempDir dir;
  auto r = RunCommand({FerryBinary(), "--storage.tsdb.path=/x"}, dir.Sub("f"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("flag --storage.tsdb.path is not supported: ferry is an agent"),
            std::string::npos)
      << r.err;
  r = RunCommand({FerryBinary(), "--web.config.file", "web.yml"}, dir.Sub("g"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--web.config.file is not supported"), std::string::npos) << r.err;
  r = RunCommand({FerryBinary(), "--frobnicate"}, dir.Sub("u"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown argument(s): --frobnicate"), std::string::npos) << r.err;
}

TEST(CliTest, BadFlagValuesAreRefusedBeforeStarting) {
  TempDir dir;
  auto r = RunCommand({FerryBinary(), "--log.level=verbose"}, dir.Sub("l"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unrecognized log level \"verbose\""), std::string::npos) << r.err;
  r = RunCommand({FerryBinary(), "--wal.fsync=sometimes"}, dir.Sub("w"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--wal.fsync"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace ferry
