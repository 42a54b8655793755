#include "src/discovery/file_sd.h"

#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <utility>

#include "src/base/log.h"

namespace ferry::discovery {
namespace {

constexpr uint32_t kWatchMask = IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE |
                                IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF;

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// Reads all of "path", refusing files over kMaxGroupDocumentBytes.
Result<std::string> ReadAll(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(std::string("open: ") + std::strerror(errno));
  std::string out;
  char buf[64 * 1024];
  for (;;) {
    if (out.size() > kMaxGroupDocumentBytes) {
      close(fd);
      return Status::ResourceExhausted("file is larger than " +
                                       std::to_string(kMaxGroupDocumentBytes >> 20) + " MiB");
    }
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      close(fd);
      return Status::IOError(std::string("read: ") + std::strerror(err));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

// Go's filepath.Glob over every pattern: sorted, de-duplicated, matches only.
std::vector<std::string> ExpandPatterns(const std::vector<std::string>& patterns) {
  std::set<std::string> files;
  for (const std::string& p : patterns) {
    glob_t g{};
    // GLOB_PERIOD: like Go's filepath.Match, "*" also matches a leading dot.
    if (glob(p.c_str(), GLOB_PERIOD, nullptr, &g) == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) {
        struct stat st {};
        // Directories named like "x.json" are skipped; a file that vanishes
        // now is simply not listed.
        if (stat(g.gl_pathv[i], &st) == 0 && S_ISDIR(st.st_mode)) continue;
        files.insert(g.gl_pathv[i]);
      }
    }
    globfree(&g);
  }
  return {files.begin(), files.end()};
}

std::string DirOf(const std::string& pattern) {
  const size_t slash = pattern.rfind('/');
  if (slash == std::string::npos) return "./";
  if (slash == 0) return "/";
  return pattern.substr(0, slash);
}

}  // namespace

Result<std::vector<TargetGroup>> ReadTargetGroupFile(const std::string& path,
                                                     LabelNameRules rules) {
  const size_t dot = path.rfind('.');
  const std::string ext = dot == std::string::npos ? "" : Lower(path.substr(dot));
  GroupFormat format;
  if (ext == ".json") {
    format = GroupFormat::kJson;
  } else if (ext == ".yml" || ext == ".yaml") {
    format = GroupFormat::kYaml;
  } else {
    return Status::InvalidArgument("unsupported file extension \"" + ext + "\"");
  }
  FERRY_ASSIGN_OR_RETURN(std::string content, ReadAll(path));
  FERRY_ASSIGN_OR_RETURN(std::vector<TargetGroup> groups,
                         DecodeTargetGroups(content, format, rules));
  for (size_t i = 0; i < groups.size(); ++i) {
    groups[i].source = path + ":" + std::to_string(i);
    labels::LabelsBuilder b(groups[i].labels);
    b.Set(kFilepathLabel, path);
    groups[i].labels = b.Build();
  }
  return groups;
}

FileProvider::FileProvider(config::FileSdConfig config, LabelNameRules rules, Clock& clock)
    : config_(std::move(config)), rules_(rules), clock_(clock) {}

FileProvider::~FileProvider() { Stop(); }

void FileProvider::Start(ReportFn report) {
  report_ = std::move(report);
  inotify_fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_fd_ < 0) {
    // Without inotify the refresh_interval timer still picks changes up.
    log::Warn("discovery", "inotify unavailable, file_sd falls back to refresh_interval",
              {{"err", std::strerror(errno)}});
  }
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) {
    // Out of descriptors: Stop() is then noticed by polling every 100 ms.
    log::Warn("discovery", "eventfd unavailable, file_sd stop may take 100ms",
              {{"err", std::strerror(errno)}});
  }
  thread_ = std::jthread([this](std::stop_token st) { Run(st); });
}

void FileProvider::Stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    if (wake_fd_ >= 0) {
      const uint64_t one = 1;
      ssize_t n = write(wake_fd_, &one, sizeof(one));
      (void)n;  // a full eventfd counter is already a wake-up
    }
    thread_.join();
  }
  if (inotify_fd_ >= 0) close(inotify_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
  inotify_fd_ = wake_fd_ = -1;
}

void FileProvider::AddWatches() {
  if (inotify_fd_ < 0) return;
  for (const std::string& p : config_.files) {
    // A directory that does not exist yet: watch its nearest existing
    // ancestor, whose events (the directory appearing) trigger a refresh
    // that then watches the directory itself. If the missing directory
    // appears between the failed watch and the ancestor's, the ancestor saw
    // no event for it: start again, so that it is watched itself.
    for (int attempt = 0; attempt < 8; ++attempt) {
      std::string dir = DirOf(p), missing;
      bool appeared = false;
      for (int up = 0; up < 64; ++up) {
        if (inotify_add_watch(inotify_fd_, dir.c_str(), kWatchMask) >= 0) {
          appeared = !missing.empty() && access(missing.c_str(), F_OK) == 0;
          break;
        }
        if (errno != ENOENT) break;
        if (missing_directory_hook_) missing_directory_hook_(dir);
        std::string parent = DirOf(dir);
        if (parent == dir) break;
        missing = std::exchange(dir, std::move(parent));
      }
      if (!appeared) break;
    }
  }
}

bool FileProvider::DrainEvents() {
  bool relevant = false;
  alignas(struct inotify_event) char buf[16 * 1024];
  for (;;) {
    const ssize_t n = read(inotify_fd_, buf, sizeof(buf));
    if (n <= 0) break;  // EAGAIN: drained
    for (ssize_t off = 0; off < n;) {
      const auto* ev = reinterpret_cast<const struct inotify_event*>(buf + off);
      // As Prometheus: events without a name carry nothing to act on, except
      // an overflow (events were lost) or the directory itself going away.
      if (ev->len > 0 || (ev->mask & (IN_Q_OVERFLOW | IN_DELETE_SELF | IN_MOVE_SELF)) != 0) {
        relevant = true;
      }
      off += static_cast<ssize_t>(sizeof(struct inotify_event) + ev->len);
    }
  }
  return relevant;
}

void FileProvider::Run(std::stop_token stop) {
  using std::chrono::steady_clock;
  const auto interval = std::max(config_.refresh_interval, std::chrono::milliseconds(1));
  report_(Refresh());
  auto next = steady_clock::now() + interval;
  while (!stop.stop_requested()) {
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
        next - steady_clock::now());
    // poll() ignores negative descriptors, so a missing one is harmless.
    struct pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {inotify_fd_, POLLIN, 0}};
    const int nfds = 2;
    const int64_t cap = wake_fd_ >= 0 ? 60'000 : 100;
    const int timeout = static_cast<int>(std::clamp<int64_t>(wait.count(), 0, cap));
    const int rc = poll(fds, nfds, timeout);
    if (stop.stop_requested()) break;
    bool refresh = false;
    if (rc > 0 && inotify_fd_ >= 0 && (fds[1].revents & POLLIN) != 0) refresh = DrainEvents();
    if (steady_clock::now() >= next) {
      refresh = true;
      next = steady_clock::now() + interval;
    }
    if (refresh) report_(Refresh());
  }
}

RefreshReport FileProvider::Refresh() {
  AddWatches();
  RefreshReport report;
  const std::vector<std::string> files = ExpandPatterns(config_.files);
  std::map<std::string, std::vector<TargetGroup>> next;
  for (const std::string& f : files) {
    Result<std::vector<TargetGroup>> groups = ReadTargetGroupFile(f, rules_);
    if (groups.ok()) {
      next[f] = std::move(groups.value());
      continue;
    }
    ++report.failures;
    if (!report.error.empty()) report.error += "; ";
    report.error += f + ": " + groups.status().message();
    // Keep the last good groups of this file (Prometheus: "prevent deletion").
    if (auto it = good_.find(f); it != good_.end()) next[f] = std::move(it->second);
  }
  good_ = std::move(next);
  std::vector<TargetGroup> all;
  for (const auto& [file, groups] : good_) all.insert(all.end(), groups.begin(), groups.end());
  if (!reported_once_ || all != last_reported_) {
    reported_once_ = true;
    last_reported_ = all;
    report.groups = std::move(all);
  }
  report.time = clock_.SystemNow();
  return report;
}

}  // namespace ferry::discovery
