// compare_target: the scrape targets of the side-by-side harness
// (bench/compare/run). One loopback HTTP port serves K targets at
// /t/<i>/metrics, each exposing S series in the text format 0.0.4, and counts
// the scrapes it answered per target, so "samples scraped" is exact.
//
// Every series changes on every scrape: even metric families are counters
// that advance by (1 + j % 13) per scrape, odd families are gauges with two
// decimals that move pseudo-randomly. The series lines' label bytes are
// rendered once at start; a scrape only appends those prefixes and formats
// the new values (std::to_chars), about 10 ns per series.
//
//   compare_target --targets K --series S [--threads N]
//
// Prints "port=<P>" on stdout once it listens on 127.0.0.1:<P> (a free port).
// Endpoints:
//   GET  /t/<i>/metrics   the body of target i (503 while paused, not counted)
//   GET  /stats           {"targets":K,"series":S,"scrapes_total":..,
//                          "samples_served":..,"scrapes":[per target],
//                          "paused":bool,"refused_while_paused":..}
//   POST /pause, /resume  stop / start answering scrapes (the harness pauses
//                          the targets to end a phase with an exact count)
// Runs until killed (the harness sends SIGTERM). Exits 2 on bad arguments.
#include <httplib.h>

#include <atomic>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr int kSeriesPerFamily = 100;

// One target: the pre-rendered series prefixes ("name{labels} ") and HELP/TYPE
// lines, and the scrape counter. Render() is serialised by mu (an agent
// scrapes a target at most once at a time, so the lock is uncontended).
class Target {
 public:
  Target(int index, int series) : index_(index), series_(series) {
    for (int j = 0; j < series; ++j) {
      const int family = j / kSeriesPerFamily;
      const bool counter = family % 2 == 0;
      const std::string name = counter ? "gen_requests_" + std::to_string(family) + "_total"
                                       : "gen_level_" + std::to_string(family);
      if (j % kSeriesPerFamily == 0) {
        headers_.push_back("# HELP " + name + " Generated " + (counter ? "counter" : "gauge") +
                           " family " + std::to_string(family) + ".\n# TYPE " + name + " " +
                           (counter ? "counter" : "gauge") + "\n");
      } else {
        headers_.emplace_back();
      }
      static const char* kCodes[] = {"200", "200", "200", "404", "500"};
      prefixes_.push_back(name + "{code=\"" + kCodes[j % 5] + "\",handler=\"/api/v1/h" +
                          std::to_string(j % 20) + "\",series=\"" + std::to_string(j) +
                          "\",zone=\"z" + std::to_string(j % 3) + "\"} ");
      counter_.push_back(counter);
    }
  }

  // Renders scrape number n (1-based) into *out.
  void Render(uint64_t n, std::string* out) const {
    out->clear();
    char buf[32];
    for (int j = 0; j < series_; ++j) {
      if (!headers_[j].empty()) out->append(headers_[j]);
      out->append(prefixes_[j]);
      char* end;
      if (counter_[j]) {
        const uint64_t v = n * static_cast<uint64_t>(1 + j % 13) + static_cast<uint64_t>(j);
        end = std::to_chars(buf, buf + sizeof buf, v).ptr;
      } else {
        const uint64_t v = (n * 7919u + static_cast<uint64_t>(j) * 104729u + index_) % 100000u;
        end = std::to_chars(buf, buf + sizeof buf, v / 100).ptr;
        *end++ = '.';
        *end++ = static_cast<char>('0' + (v % 100) / 10);
        *end++ = static_cast<char>('0' + v % 10);
      }
      *end++ = '\n';
      out->append(buf, end);
    }
  }

  std::atomic<uint64_t> scrapes{0};
  std::mutex mu;
  std::string body;  // guarded by mu

 private:
  int index_;
  int series_;
  std::vector<std::string> headers_;
  std::vector<std::string> prefixes_;
  std::vector<bool> counter_;
};

bool ParsePositive(const char* s, int* out) {
  std::string_view v(s);
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), *out);
  return ec == std::errc() && p == v.data() + v.size() && *out > 0;
}

}  // namespace

int main(int argc, char** argv) {
  int targets = 0, series = 0, threads = 0;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    int* dst = a == "--targets" ? &targets : a == "--series" ? &series
                                           : a == "--threads" ? &threads : nullptr;
    if (dst == nullptr || i + 1 >= argc || !ParsePositive(argv[i + 1], dst)) {
      std::fprintf(stderr, "compare_target: bad argument '%s' (usage: --targets K --series S "
                           "[--threads N], positive integers)\n", argv[i]);
      return 2;
    }
    ++i;
  }
  if (targets == 0 || series == 0) {
    std::fprintf(stderr, "compare_target: --targets and --series are required\n");
    return 2;
  }
  // Agents keep one connection per target open; httplib serves a connection
  // on one pool thread for its whole life, so the pool must exceed K.
  if (threads == 0) threads = targets + 16;

  std::vector<std::unique_ptr<Target>> all;
  for (int i = 0; i < targets; ++i) all.push_back(std::make_unique<Target>(i, series));
  std::atomic<bool> paused{false};
  std::atomic<uint64_t> refused{0};

  httplib::Server server;
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(1u << 30);
  server.set_keep_alive_timeout(30);
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.Get(R"(/t/(\d+)/metrics)", [&](const httplib::Request& req, httplib::Response& res) {
    int i = -1;
    const std::string& m = req.matches[1].str();
    auto [p, ec] = std::from_chars(m.data(), m.data() + m.size(), i);
    if (ec != std::errc() || i < 0 || i >= targets) {
      res.status = 404;
      res.set_content("no target " + m + "\n", "text/plain");
      return;
    }
    if (paused.load()) {
      refused.fetch_add(1);
      res.status = 503;
      res.set_content("paused\n", "text/plain");
      return;
    }
    Target& t = *all[static_cast<size_t>(i)];
    std::lock_guard l(t.mu);
    const uint64_t n = t.scrapes.fetch_add(1) + 1;
    t.Render(n, &t.body);
    res.set_content(t.body, "text/plain; version=0.0.4; charset=utf-8");
  });
  server.Get("/stats", [&](const httplib::Request&, httplib::Response& res) {
    uint64_t total = 0;
    std::string per = "[";
    for (size_t i = 0; i < all.size(); ++i) {
      const uint64_t s = all[i]->scrapes.load();
      total += s;
      per += (i ? "," : "") + std::to_string(s);
    }
    per += "]";
    res.set_content("{\"targets\":" + std::to_string(targets) + ",\"series\":" +
                        std::to_string(series) + ",\"scrapes_total\":" + std::to_string(total) +
                        ",\"samples_served\":" + std::to_string(total * series) +
                        ",\"paused\":" + (paused.load() ? "true" : "false") +
                        ",\"refused_while_paused\":" + std::to_string(refused.load()) +
                        ",\"scrapes\":" + per + "}\n",
                    "application/json");
  });
  server.Post("/pause", [&](const httplib::Request&, httplib::Response& res) {
    paused.store(true);
    res.set_content("paused\n", "text/plain");
  });
  server.Post("/resume", [&](const httplib::Request&, httplib::Response& res) {
    paused.store(false);
    res.set_content("resumed\n", "text/plain");
  });

  const int port = server.bind_to_any_port("127.0.0.1");
  if (port <= 0) {
    std::fprintf(stderr, "compare_target: cannot listen on 127.0.0.1\n");
    return 1;
  }
  std::printf("port=%d\n", port);
  std::fflush(stdout);
  return server.listen_after_bind() ? 0 : 1;
}
