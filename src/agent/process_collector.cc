#include "src/agent/process_collector.h"

#include "src/agent/metric_family.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace ferry::agent {
namespace {

double BootTimeSeconds() {
  std::ifstream in("/proc/stat");
  std::string key;
  double value = 0;
  while (in >> key) {
    if (key == "btime") {
      in >> value;
      return value;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

int CountOpenFds() {
  int n = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (readdir(d) != nullptr) ++n;
    closedir(d);
    n -= 3;  // ".", ".." and the directory handle itself
  }
  return n < 0 ? 0 : n;
}

}  // namespace

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  std::vector<prometheus::MetricFamily> out;
  std::ifstream in("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the parenthesised command name (which may contain spaces).
  auto close = stat.rfind(')');
  if (close == std::string::npos) return out;
  std::istringstream fields(stat.substr(close + 2));
  std::vector<std::string> f;
  std::string tok;
  while (fields >> tok) f.push_back(tok);
  // f[0] is field 3 (state); field N is f[N-3].
  if (f.size() < 22) return out;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  double utime = std::stod(f[11]), stime = std::stod(f[12]);
  double start_ticks = std::stod(f[19]);
  double vsize = std::stod(f[20]), rss_pages = std::stod(f[21]);

  out.push_back(CounterFamily("process_cpu_seconds_total",
                              "Total user and system CPU time spent in seconds.",
                              (utime + stime) / ticks));

  struct rlimit rl {};
  double max_fds = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? static_cast<double>(rl.rlim_cur) : 0;
  out.push_back(GaugeFamily("process_max_fds", "Maximum number of open file descriptors.", max_fds));
  out.push_back(GaugeFamily("process_open_fds", "Number of open file descriptors.", CountOpenFds()));
  out.push_back(GaugeFamily("process_resident_memory_bytes", "Resident memory size in bytes.",
                      rss_pages * page));
  out.push_back(GaugeFamily("process_start_time_seconds",
                      "Start time of the process since unix epoch in seconds.",
                      BootTimeSeconds() + start_ticks / ticks));
  out.push_back(GaugeFamily("process_virtual_memory_bytes", "Virtual memory size in bytes.", vsize));
  return out;
}

}  // namespace ferry::agent
