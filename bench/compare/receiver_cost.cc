// receiver_cost: what a remote-write receiver spends per sample, by how many
// samples of each series a request carries (docs/perf-notes/ship.md,
// "Catch-up packing"). Sends S series x R scrapes, cut into requests of
// 2000 samples holding K consecutive samples of each of 2000/K series, with
// C requests in flight, and reads the receiver's CPU time from /proc.
//
//   receiver_cost URL RECEIVER_PID SERIES K ROUNDS CONCURRENCY START_MS
//
// START_MS is the first timestamp; use a later one for each run against the
// same receiver (a series' samples must go forward in time). Loopback only.
#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "src/labels/labels.h"
#include "src/remote/compression.h"
#include "src/remote/write_request_v1.h"

namespace {

// utime + stime of "pid", in seconds; -1 if unreadable.
double ProcessCpuSeconds(int pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  size_t p = s.rfind(')');
  if (p == std::string::npos) return -1;
  std::vector<std::string> fields;
  std::string cur;
  for (size_t i = p + 2; i < s.size(); ++i) {
    if (s[i] == ' ') {
      fields.push_back(cur);
      cur.clear();
    } else {
      cur += s[i];
    }
  }
  if (fields.size() < 13) return -1;
  return (std::stod(fields[11]) + std::stod(fields[12])) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

size_t Discard(char*, size_t size, size_t n, void*) { return size * n; }

}  // namespace

int main(int argc, char** argv) {
  using ferry::labels::Labels;
  if (argc != 8) {
    std::fprintf(stderr, "usage: %s URL RECEIVER_PID SERIES K ROUNDS CONCURRENCY START_MS\n",
                 argv[0]);
    return 2;
  }
  const std::string url = argv[1];
  const int pid = std::atoi(argv[2]);
  const int series = std::atoi(argv[3]);
  const int k = std::max(1, std::atoi(argv[4]));
  const int rounds = std::atoi(argv[5]);
  const int concurrency = std::max(1, std::atoi(argv[6]));
  const int64_t start_ms = std::atoll(argv[7]);
  constexpr int kPerRequest = 2000;
  const int series_per_request = std::max(1, kPerRequest / k);

  std::vector<Labels> sets;
  for (int i = 0; i < series; ++i) {
    sets.push_back(Labels::Of({{"__name__", "cost_series_" + std::to_string(i % 100) + "_total"},
                               {"instance", "127.0.0.1:" + std::to_string(20000 + i / 2000)},
                               {"job", "receiver_cost"},
                               {"series", std::to_string(i)},
                               {"zone", "edge-a"}}));
  }
  // For each block of K scrapes, sweep the series in groups: a series'
  // blocks are series/series_per_request requests apart, more than are in
  // flight, so each series' samples arrive in order.
  std::vector<std::string> bodies;
  for (int block = 0; block < rounds / k; ++block) {
    for (int g = 0; g < series; g += series_per_request) {
      ferry::remote::WriteRequestBuilder b;
      for (int i = g; i < std::min(series, g + series_per_request); ++i) {
        std::vector<ferry::remote::Sample> samples;
        for (int j = 0; j < k; ++j) {
          int r = block * k + j;
          samples.push_back({start_ms + int64_t{r} * 1000, static_cast<double>(r)});
        }
        if (!b.AddSeries(sets[i], samples).ok()) return 1;
      }
      std::string body;
      ferry::remote::Compress(b.Finish(), &body);
      bodies.push_back(std::move(body));
    }
  }
  const size_t total = static_cast<size_t>(series) * static_cast<size_t>(rounds / k * k);
  std::atomic<size_t> next{0};
  std::atomic<int> errors{0};
  const double cpu0 = ProcessCpuSeconds(pid);
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < concurrency; ++t) {
    threads.emplace_back([&] {
      CURL* c = curl_easy_init();
      curl_slist* h = nullptr;
      h = curl_slist_append(h, "Content-Encoding: snappy");
      h = curl_slist_append(h, "Content-Type: application/x-protobuf");
      h = curl_slist_append(h, "X-Prometheus-Remote-Write-Version: 0.1.0");
      curl_easy_setopt(c, CURLOPT_URL, url.c_str());
      curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
      curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Discard);
      for (size_t i; (i = next++) < bodies.size();) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, bodies[i].data());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(bodies[i].size()));
        long code = 0;
        if (curl_easy_perform(c) != CURLE_OK ||
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK || code / 100 != 2) {
          ++errors;
        }
      }
      curl_slist_free_all(h);
      curl_easy_cleanup(c);
    });
  }
  for (auto& t : threads) t.join();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = ProcessCpuSeconds(pid) - cpu0;
  std::printf(
      "series=%d samples_per_series_per_request=%d concurrency=%d samples=%zu requests=%zu "
      "errors=%d seconds=%.2f rate=%.0f/s receiver_cpu_us_per_sample=%.2f receiver_cores=%.2f\n",
      series, k, concurrency, total, bodies.size(), errors.load(), secs,
      static_cast<double>(total) / secs, cpu * 1e6 / static_cast<double>(total), cpu / secs);
  return errors.load() == 0 ? 0 : 1;
}
