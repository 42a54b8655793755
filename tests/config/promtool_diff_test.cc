// Differential test: ferry and Debian's promtool (Prometheus 2.42) must agree
// on accept/reject for every config fixture, except for the documented list
// below where ferry deliberately follows current Prometheus or is stricter.
// docs/configuration.md ("Differences from Prometheus 2.42") explains each.
//
// promtool runs as `promtool check config --agent --syntax-only FILE`:
// --agent applies agent mode's refusals (rule_files, alerting, remote_read)
// and --syntax-only skips the existence checks on referenced files (TLS
// certificates, token files), which ferry does not perform at load time
// either (the scraper and shipper read them when they connect).
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "src/config/loader.h"
#include "tests/config/test_paths.h"

extern char** environ;

namespace ferry::config {
namespace {

constexpr const char* kPromtool = "/usr/bin/promtool";

// Fixtures where the two disagree on purpose, and why.
const std::map<std::string, std::string>& ExpectedDisagreements() {
  static const std::map<std::string, std::string> kList = {
      // ferry accepts, promtool 2.42 rejects.
      {"valid/kube_scheduler.yml",
       "kubernetes_sd_configs: Debian's prometheus 2.42 is built without Kubernetes discovery"},
      {"valid/limits.yml", "global sample/label/target limits were added in Prometheus 2.45"},
      {"valid/new_fields.yml",
       "scrape_protocols, keep_dropped_targets, track_timestamps_staleness, enable_compression, "
       "fallback_scrape_protocol, protobuf_message, sample_age_limit are newer than 2.42"},
      {"valid/utf8_label_names.yml", "UTF-8 label names are valid by default since Prometheus 3.0"},
      {"valid/with_scrape_config_files.yml", "scrape_config_files was added in Prometheus 2.43"},
      // ferry rejects, promtool 2.42 accepts.
      {"invalid/bad_proxy_url.yml", "ferry requires an absolute proxy_url (scheme://host)"},
      {"invalid/bad_scheme.yml", "ferry refuses a scrape scheme other than http/https at load"},
      {"invalid/capacity_zero.yml", "ferry requires queue_config sizes of at least 1"},
      {"invalid/min_shards_gt_max.yml", "ferry refuses min_shards > max_shards"},
      {"invalid/oauth2.yml", "oauth2 is not supported yet by ferry"},
      {"invalid/remote_write_bad_scheme.yml", "ferry requires an http(s) remote_write url"},
      {"invalid/remote_write_no_host.yml", "ferry requires a host in the remote_write url"},
      {"invalid/sigv4.yml", "sigv4 is not supported by ferry"},
      {"invalid/tracing.yml", "tracing is not supported by ferry"},
  };
  return kList;
}

// Runs promtool on "file"; returns its exit status (0 = valid), or -1 when
// it could not be run.
int RunPromtool(const std::string& file) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  std::vector<std::string> args = {kPromtool, "check", "config", "--agent", "--syntax-only", file};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, kPromtool, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::vector<std::string> Fixtures() {
  std::vector<std::string> out;
  for (const char* dir : {"valid", "invalid"}) {
    for (const auto& e :
         std::filesystem::directory_iterator(testing_paths::TestData() + "/" + dir)) {
      if (e.path().extension() == ".yml") {
        out.push_back(std::string(dir) + "/" + e.path().filename().string());
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(PromtoolDiffTest, PromtoolIsInstalled) {
  // make test installs Debian's prometheus; a missing promtool is a failure,
  // not a skip, so the differential check cannot silently stop running.
  ASSERT_EQ(access(kPromtool, X_OK), 0) << kPromtool << " is missing (apt-get install prometheus)";
}

TEST(PromtoolDiffTest, FerryAndPromtoolAgreeOnEveryFixture) {
  ASSERT_EQ(access(kPromtool, X_OK), 0) << kPromtool << " is missing";
  std::vector<std::string> files = Fixtures();
  ASSERT_GE(files.size(), 40u);
  std::map<std::string, std::string> disagreements;
  auto check = [&](const std::string& name, const std::string& path) {
    Result<Config> ferry = LoadFile(path);
    const int promtool = RunPromtool(path);
    ASSERT_TRUE(promtool == 0 || promtool == 1) << name << ": promtool exit " << promtool;
    const bool ferry_ok = ferry.ok();
    const bool promtool_ok = promtool == 0;
    if (ferry_ok != promtool_ok) {
      disagreements[name] = std::string("ferry ") + (ferry_ok ? "accepts" : "rejects") +
                            ", promtool " + (promtool_ok ? "accepts" : "rejects") +
                            (ferry_ok ? "" : " (ferry: " + ferry.status().message() + ")");
    }
  };
  for (const std::string& f : files) check(f, testing_paths::TestData() + "/" + f);
  check("examples/ferry.yml", testing_paths::SourceRoot() + "/examples/ferry.yml");

  for (const auto& [name, what] : disagreements) {
    EXPECT_EQ(ExpectedDisagreements().count(name), 1u)
        << name << ": unexpected disagreement: " << what;
  }
  for (const auto& [name, why] : ExpectedDisagreements()) {
    EXPECT_EQ(disagreements.count(name), 1u)
        << name << " is listed as a deliberate difference (" << why
        << ") but ferry and promtool now agree: remove it from the list and the docs";
  }
}

}  // namespace
}  // namespace ferry::config
