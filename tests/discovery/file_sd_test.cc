// file_sd_configs through the Manager: real files in a temp dir, inotify.
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <cstdio>
#include <filesystem>

#include "src/discovery/file_sd.h"
#include "tests/discovery/test_util.h"
#include "tests/testing/test_util.h"

namespace ferry::discovery {
namespace {

using namespace std::chrono_literals;
using ::ferry::testing::TempDir;
using testing::Addresses;
using testing::FindStatus;
using testing::LoadConfig;
using testing::PollUntil;
using testing::Recorder;
using Groups = std::vector<TargetGroup>;

// Writes "path" atomically (temp file + rename), as file_sd users should.
void WriteAtomically(const std::string& path, const std::string& content) {
  ::ferry::testing::WriteFileOrDie(path + ".tmp", content);
  ASSERT_EQ(std::rename((path + ".tmp").c_str(), path.c_str()), 0);
}

class FileSdTest : public ::testing::Test {
 protected:
  FileSdTest() : client_(httpclient::Client::Options{}) {}
  void Start(const std::string& files_yaml) {
    manager_ = std::make_unique<Manager>(client_, recorder_.Fn(), &clock_, &registry_,
                                         Manager::Options{.update_interval = 20ms});
    cfg_ = LoadConfig(
        "scrape_configs:\n- job_name: j\n  file_sd_configs:\n  - files: " + files_yaml + "\n",
        dir_.str());
    ASSERT_TRUE(manager_->ApplyConfig(cfg_).ok());
  }
  std::optional<ProviderStatus> Status() { return FindStatus(*manager_, "j", "file_sd_configs[0]"); }

  TempDir dir_;
  ::ferry::testing::FakeClock clock_;
  prometheus::Registry registry_;
  httpclient::Client client_;
  Recorder recorder_;
  config::Config cfg_;
  std::unique_ptr<Manager> manager_;
};

auto HasAddresses(std::vector<std::string> want) {
  return [want](const Groups& g) { return Addresses(g) == want; };
}

TEST_F(FileSdTest, ReadsJsonAndYamlWithSourcesAndFilepath) {
  WriteAtomically(dir_.Sub("a.json"),
                  R"([{"targets": ["a1:9100", "a2:9100"], "labels": {"env": "prod"}}])");
  WriteAtomically(dir_.Sub("b.yml"), "- targets: ['b1:80']\n- targets: ['b2:80']\n");
  Start("['*.json', '*.yml']");
  ASSERT_TRUE(recorder_.WaitFor("j", HasAddresses({"a1:9100", "a2:9100", "b1:80", "b2:80"})));
  const Groups g = recorder_.Latest("j");
  ASSERT_EQ(g.size(), 3u);
  EXPECT_EQ(g[0].source, dir_.Sub("a.json") + ":0");
  EXPECT_EQ(g[1].source, dir_.Sub("b.yml") + ":0");
  EXPECT_EQ(g[2].source, dir_.Sub("b.yml") + ":1");
  EXPECT_EQ(g[0].labels,
            labels::Labels::Of({{"__meta_filepath", dir_.Sub("a.json")}, {"env", "prod"}}));
  EXPECT_EQ(g[2].labels.Get("__meta_filepath"), dir_.Sub("b.yml"));
  auto st = Status();
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->mechanism, "file");
  EXPECT_EQ(st->last_error, "");
  EXPECT_EQ(st->last_refresh, clock_.SystemNow());
  EXPECT_EQ(testing::MetricValue(registry_, "prometheus_sd_discovered_targets",
                                 {{"config", "j"}, {"name", "scrape"}}),
            4);
}

TEST_F(FileSdTest, RewrittenFileIsReread) {
  const std::string path = dir_.Sub("t.json");
  WriteAtomically(path, R"([{"targets": ["old:1"]}])");
  Start("['t.json']");
  ASSERT_TRUE(recorder_.WaitFor("j", HasAddresses({"old:1"})));
  WriteAtomically(path, R"([{"targets": ["new:1", "new:2"]}])");
  ASSERT_TRUE(recorder_.WaitFor("j", HasAddresses({"new:1", "new:2"})));
  // In-place rewrite (no rename) is seen too.
  ::ferry::testing::WriteFileOrDie(path, R"([{"targets": ["inplace:1"]}])");
  ASSERT_TRUE(recorder_.WaitFor("j", HasAddresses({"inplace:1"})));
}

TEST_F(FileSdTest, BadFileKeepsLastGoodGroupsAndReportsWhy) {
  const std::string path = dir_.Sub("t.yaml");
  WriteAtomically(path, "- targets: [good:1]\n");
  Start("['*.yaml']");
  ASSERT_TRUE(recorder_.WaitFor("j", HasAddresses({"good:1"})));
  const double errors_before =
      testing::MetricValue(registry_, "prometheus_sd_file_read_errors_total");
  WriteAtomically(path, "- targets: [bad:1]\n  labels:\n    \"\": x\n");
  ASSERT_TRUE(PollUntil([&] { return Status()->last_error != ""; }));
  EXPECT_EQ(Status()->last_error, path + ": 3:5: \"\" is not a valid label name");
  EXPECT_EQ(Addresses(Status()->groups), std::vector<std::string>{"good:1"});
  EXPECT_EQ(Addresses(recorder_.Latest("j")), std::vector<std::string>{"good:1"});
  EXPECT_GE(testing::MetricValue(registry_, "prometheus_sd_file_read_errors_total"),
            errors_before + 1);
  // A syntax error names line and column too.
  WriteAtomically(path, "- targets: [good:1\n");
  ASSERT_TRUE(PollUntil([&] { return Status()->last_error.find("yaml:") != std::string::npos; }));
  EXPECT_EQ(Status()->last_error.rfind(path + ": ", 0), 0u) << Status()->last_error;
  // Fixing the file clears the error and delivers the new groups.
  WriteAtomically(path, "- targets: [fixed:1]\n");
  ASSERT_TRUE(recorder_.WaitFor("j", HasAddresses({"fixed:1"})));
  ASSERT_TRUE(PollUntil([&] { return Status()->last_error.empty(); }));
}

TEST_F(FileSdTest, FileBadFromTheStartContributesNothing) {
  WriteAtomically(dir_.Sub("bad.json"), R"([{"targets": [1]}])");
  WriteAtomically(dir_.Sub("good.json"), R"([{"targets": ["g:1"]}])");
  Start("['*.json']");
  ASSERT_TRUE(recorder_.WaitFor("j", HasAddresses({"g:1"})));
  EXPECT_EQ(Status()->last_error,
            dir_.Sub("bad.json") + ": group 0: targets[0]: expected a string, got number");
}

TEST_F(FileSdTest, DeletedFileRemovesItsGroups) {
  WriteAtomically(dir_.Sub("a.json"), R"([{"targets": ["a:1"]}])");
  WriteAtomically(dir_.Sub("b.json"), R"([{"targets": ["b:1"]}])");
  Start("['*.json']");
  ASSERT_TRUE(recorder_.WaitFor("j", HasAddresses({"a:1", "b:1"})));
  std::filesystem::remove(dir_.Sub("a.json"));
  ASSERT_TRUE(recorder_.WaitFor("j", HasAddresses({"b:1"})));
  std::filesystem::remove(dir_.Sub("b.json"));
  ASSERT_TRUE(recorder_.WaitFor("j", [](const Groups& g) { return g.empty(); }));
}

TEST_F(FileSdTest, GlobPicksUpNewFiles) {
  Start("['sd/*.json']");
  // The directory does not exist at the first refresh: the provider watches
  // the parent, sees "sd" appear, and then watches "sd" itself.
  std::filesystem::create_directory(dir_.Sub("sd"));
  WriteAtomically(dir_.Sub("sd/one.json"), R"([{"targets": ["one:1"]}])");
  WriteAtomically(dir_.Sub("sd/ignored.yml"), "- targets: [no:1]\n");
  ASSERT_TRUE(recorder_.WaitFor("j", HasAddresses({"one:1"})));
  WriteAtomically(dir_.Sub("sd/two.json"), R"([{"targets": ["two:1"]}])");
  ASSERT_TRUE(recorder_.WaitFor("j", HasAddresses({"one:1", "two:1"})));
  // As Go's filepath.Glob, "*" matches a leading dot too.
  WriteAtomically(dir_.Sub("sd/.dot.json"), R"([{"targets": ["dot:1"]}])");
  ASSERT_TRUE(recorder_.WaitFor("j", HasAddresses({"dot:1", "one:1", "two:1"})));
}

// The directory appears after its own watch failed and before its parent's
// was added: the parent never reports it, so the provider must notice and
// watch the directory itself, or files written there later go unseen until
// refresh_interval (5m). CI caught this once in GlobPicksUpNewFiles.
TEST(FileProviderTest, DirectoryAppearingWhileItsParentIsBeingWatchedIsWatchedToo) {
  TempDir dir;
  ::ferry::testing::FakeClock clock;
  config::FileSdConfig cfg;
  cfg.files = {dir.Sub("sd/*.json")};
  FileProvider provider(cfg, LabelNameRules::kUtf8, clock);
  int hook_calls = 0;
  provider.SetMissingDirectoryHookForTest([&](const std::string& missing) {
    if (hook_calls++ > 0) return;
    EXPECT_EQ(missing, dir.Sub("sd"));
    std::filesystem::create_directory(missing);
  });
  Mutex mu;
  CondVar cv;
  int reports = 0;
  std::vector<std::string> addresses;
  provider.Start([&](RefreshReport r) {
    MutexLock l(mu);
    ++reports;
    if (r.groups.has_value()) addresses = Addresses(*r.groups);
    cv.NotifyAll();
  });
  {
    // The first refresh is done (and found no file): from now on only the
    // watches can notice the file.
    MutexLock l(mu);
    ASSERT_TRUE(cv.WaitFor(mu, 10s, [&]() FERRY_REQUIRES(mu) { return reports > 0; }));
    ASSERT_TRUE(addresses.empty());
  }
  WriteAtomically(dir.Sub("sd/one.json"), R"([{"targets": ["one:1"]}])");
  {
    MutexLock l(mu);
    EXPECT_TRUE(cv.WaitFor(mu, 10s, [&]() FERRY_REQUIRES(mu) {
      return addresses == std::vector<std::string>{"one:1"};
    }));
  }
  provider.Stop();
  EXPECT_EQ(hook_calls, 1);
}

TEST_F(FileSdTest, RefreshIntervalCatchesChangesInotifyCannotSee) {
  // The watched directory holds a symlink to a file elsewhere: changing the
  // target makes no event in the watched directory, only the timer sees it.
  std::filesystem::create_directory(dir_.Sub("real"));
  std::filesystem::create_directory(dir_.Sub("watched"));
  WriteAtomically(dir_.Sub("real/t.json"), R"([{"targets": ["v1:1"]}])");
  std::filesystem::create_symlink("../real/t.json", dir_.Sub("watched/t.json"));
  manager_ = std::make_unique<Manager>(client_, recorder_.Fn(), &clock_, &registry_,
                                       Manager::Options{.update_interval = 20ms});
  cfg_ = LoadConfig(
      "scrape_configs:\n- job_name: j\n  file_sd_configs:\n  - files: ['watched/*.json']\n"
      "    refresh_interval: 100ms\n",
      dir_.str());
  ASSERT_TRUE(manager_->ApplyConfig(cfg_).ok());
  ASSERT_TRUE(recorder_.WaitFor("j", HasAddresses({"v1:1"})));
  WriteAtomically(dir_.Sub("real/t.json"), R"([{"targets": ["v2:1"]}])");
  ASSERT_TRUE(recorder_.WaitFor("j", HasAddresses({"v2:1"})));
}

TEST(ReadTargetGroupFileTest, MissingFileAndUnknownExtension) {
  auto r = ReadTargetGroupFile("/nonexistent/x.json", LabelNameRules::kUtf8);
  EXPECT_EQ(r.status().code(), StatusCode::kIOError);
  EXPECT_NE(r.status().message().find("No such file"), std::string::npos);
  EXPECT_EQ(ReadTargetGroupFile("/tmp/x.txt", LabelNameRules::kUtf8).status().message(),
            "unsupported file extension \".txt\"");
}

}  // namespace
}  // namespace ferry::discovery
