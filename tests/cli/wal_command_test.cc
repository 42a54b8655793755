// `ferry wal inspect` and `ferry wal dump` on a WAL written by the library,
// while it is open for writing (secondary instance) and after it is closed.
#include <gtest/gtest.h>

#include <bit>
#include <nlohmann/json.hpp>

#include "tests/testing/subprocess.h"
#include "tests/testing/test_util.h"
#include "wal/wal.h"

namespace ferry {
namespace {

using ::ferry::testing::FerryBinary;
using ::ferry::testing::RunCommand;
using ::ferry::testing::TempDir;

class WalCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    wal::Options o;
    o.dir = dir_.Sub("data");
    o.durability = wal::Durability::kAlways;
    auto w = wal::Wal::Open(o);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    wal_ = std::move(w).value();
    for (int scrape = 0; scrape < 3; ++scrape) {
      wal::Batch b(7);
      int64_t ts = 1'700'000'000'000 + scrape * 15'000;
      b.Add(labels::Labels::Of({{"__name__", "up"}, {"job", "node"}, {"instance", "a:1"}}), ts, 1);
      b.Add(labels::Labels::Of({{"__name__", "up"}, {"job", "api"}, {"instance", "b:2"}}), ts,
            scrape == 2 ? std::bit_cast<double>(wal::kStaleNaNBits) : 0.5);
      ASSERT_TRUE(wal_->Append(b).ok());
    }
    ASSERT_TRUE(wal_->CommitCursor("remote_write/central", 2).ok());
  }

  ::ferry::testing::RunResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), FerryBinary());
    return RunCommand(args, dir_.Sub("cmd"));
  }

  TempDir dir_;
  std::unique_ptr<wal::Wal> wal_;
};

TEST_F(WalCommandTest, InspectJsonWhileTheWalIsOpenForWriting) {
  auto r = Run({"wal", "inspect", "--storage.agent.path=" + dir_.Sub("data"), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["format_version"], 1);
  EXPECT_EQ(j["series"], 2);
  EXPECT_EQ(j["records"], 3);
  EXPECT_EQ(j["samples"], 6);
  EXPECT_EQ(j["min_timestamp_ms"], 1'700'000'000'000);
  ASSERT_EQ(j["cursors"].size(), 1u);
  EXPECT_EQ(j["cursors"][0]["name"], "remote_write/central");
  EXPECT_EQ(j["cursors"][0]["lag_samples"], 4);
}

TEST_F(WalCommandTest, InspectTextAfterClose) {
  ASSERT_TRUE(wal_->Close().ok());
  auto r = Run({"wal", "inspect", "--storage.agent.path=" + dir_.Sub("data")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Series:            2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("remote_write/central"), std::string::npos) << r.out;
}

TEST_F(WalCommandTest, DumpFiltersBySelectorAndTimeAndMarksStaleness) {
  auto r = Run({"wal", "dump", "--storage.agent.path=" + dir_.Sub("data"), "--match",
                R"({job="api"})"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "up{instance=\"b:2\",job=\"api\"} 0.5 1700000000000\n"
            "up{instance=\"b:2\",job=\"api\"} 0.5 1700000015000\n"
            "up{instance=\"b:2\",job=\"api\"} StaleNaN 1700000030000\n");
  auto j = Run({"wal", "dump", "--storage.agent.path=" + dir_.Sub("data"), "--format=json",
                "--from=1700000015", "--to=1700000015", "--match=up{job=\"node\"}"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  EXPECT_EQ(j.out,
            R"({"labels":{"__name__":"up","instance":"a:1","job":"node"},"timestamp":1700000015000,"value":"1"})"
            "\n");
}

TEST_F(WalCommandTest, BadArgumentsAreClearErrors) {
  auto r = Run({"wal", "dump", "--storage.agent.path=" + dir_.Sub("data"), "--match", "{job=}"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--match: 1:6: expected a string"), std::string::npos) << r.err;
  r = Run({"wal", "dump", "--storage.agent.path=" + dir_.Sub("data"), "--from", "yesterday"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--from: invalid time \"yesterday\""), std::string::npos) << r.err;
  r = Run({"wal", "inspect", "--storage.agent.path=" + dir_.Sub("missing")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no WAL at"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace ferry
