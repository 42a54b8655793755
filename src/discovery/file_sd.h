// FileProvider: file_sd_configs, as Prometheus' discovery/file.
//
// Every refresh expands the glob patterns (glob(3), sorted), reads each
// matching file (".json" as JSON, ".yml"/".yaml" as YAML, by extension, case
// insensitive) and provides the groups of all files, in file name order. Each
// group's source is "<file>:<index>" and its labels gain __meta_filepath.
// Refreshes happen at start, on every inotify event in the directories of
// the patterns (watches are re-added at each refresh, so a directory created
// later is picked up), and every refresh_interval, as in Prometheus.
//
// A file that cannot be read or decoded keeps the groups it last had (none if
// it never decoded) and is reported with its name and the reason
// ("/etc/sd/a.yml: 3:7: \"1x\" is not a valid label name"). A file that no
// longer matches (deleted, renamed) drops its groups.
//
// [Threading] One thread per provider; see provider.h.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "src/base/clock.h"
#include "src/base/status.h"
#include "src/config/config.h"
#include "src/discovery/group_decoder.h"
#include "src/discovery/provider.h"

namespace ferry::discovery {

// Reads and decodes one file_sd file, naming sources "<path>:<i>" and adding
// __meta_filepath. Errors carry no file name (the caller adds it).
Result<std::vector<TargetGroup>> ReadTargetGroupFile(const std::string& path,
                                                     LabelNameRules rules);

class FileProvider final : public Provider {
 public:
  FileProvider(config::FileSdConfig config, LabelNameRules rules, Clock& clock);
  ~FileProvider() override;
  FileProvider(const FileProvider&) = delete;
  FileProvider& operator=(const FileProvider&) = delete;

  void Start(ReportFn report) override;
  void Stop() override;

  // Tests only, before Start(): called on the provider thread after a
  // directory could not be watched because it does not exist, before its
  // parent is watched (the window in which the directory may appear unseen).
  void SetMissingDirectoryHookForTest(std::function<void(const std::string&)> hook) {
    missing_directory_hook_ = std::move(hook);
  }

 private:
  void Run(std::stop_token stop);
  RefreshReport Refresh();
  void AddWatches();
  // Drains pending inotify events; true if any may concern a watched file.
  bool DrainEvents();

  const config::FileSdConfig config_;
  const LabelNameRules rules_;
  Clock& clock_;
  ReportFn report_;
  int inotify_fd_ = -1;
  int wake_fd_ = -1;  // eventfd written by Stop()
  // Owned by the provider thread:
  std::map<std::string, std::vector<TargetGroup>> good_;  // last good groups per file
  std::vector<TargetGroup> last_reported_;
  bool reported_once_ = false;
  std::function<void(const std::string&)> missing_directory_hook_;
  std::jthread thread_;
};

}  // namespace ferry::discovery
