// compare_sink: the loopback remote-write receiver of the side-by-side
// harness (bench/compare/run). It answers 204 to every valid remote-write 1.0
// request and counts what it received, so delivered counts are exact.
//
// Each request is decompressed (snappy block format) and decoded with
// ferry::remote::DecodeWriteRequestV1 (built on the protoc-generated classes,
// independent of ferry's encoder). Samples of series whose metric name starts
// with "gen_" (the series compare_target serves) are counted per series:
//   gen_unique    timestamp newer than the newest already seen for the series
//   gen_repeated  timestamp not newer (a resend or an out-of-order sample)
//   gen_stale     stale markers (Prometheus' StaleNaN), not counted as data
// Other series (up, scrape_duration_seconds, ...) are counted in other_samples.
// A request that fails to decompress or decode gets 400 and bad_requests += 1.
//
//   compare_sink [--threads N]
//
// Prints "port=<P>" on stdout once it listens on 127.0.0.1:<P> (a free port).
//   POST /api/v1/write   the receiver
//   GET  /stats          the counters above as one JSON object
// Runs until killed. Exits 2 on bad arguments.
#include <httplib.h>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "src/remote/compression.h"
#include "src/remote/decode.h"
#include "src/remote/types.h"

namespace {

struct Counters {
  uint64_t requests = 0;
  uint64_t bad_requests = 0;
  uint64_t compressed_bytes = 0;
  uint64_t gen_unique = 0;
  uint64_t gen_repeated = 0;
  uint64_t gen_stale = 0;
  uint64_t other_samples = 0;
  uint64_t other_stale = 0;
  int64_t max_timestamp_ms = 0;
};

class Sink {
 public:
  // Returns "" on success, else the reason the request is refused.
  std::string Handle(const std::string& body) {
    auto raw = ferry::remote::Decompress(body);
    if (!raw.ok()) return Refuse(raw.status().ToString());
    auto req = ferry::remote::DecodeWriteRequestV1(*raw);
    if (!req.ok()) return Refuse(req.status().ToString());
    std::lock_guard l(mu_);
    c_.requests++;
    c_.compressed_bytes += body.size();
    for (const auto& s : req->series) {
      const bool gen = s.labels.Get("__name__").starts_with("gen_");
      if (!gen) {
        for (const auto& x : s.samples) {
          (ferry::remote::IsStaleNaN(x.value) ? c_.other_stale : c_.other_samples)++;
        }
        continue;
      }
      auto [it, inserted] = newest_.try_emplace(s.labels.Hash(), INT64_MIN);
      for (const auto& x : s.samples) {
        if (x.timestamp_ms > c_.max_timestamp_ms) c_.max_timestamp_ms = x.timestamp_ms;
        if (ferry::remote::IsStaleNaN(x.value)) {
          c_.gen_stale++;
        } else if (x.timestamp_ms > it->second) {
          c_.gen_unique++;
          it->second = x.timestamp_ms;
        } else {
          c_.gen_repeated++;
        }
      }
    }
    return "";
  }

  std::string StatsJson() {
    std::lock_guard l(mu_);
    auto f = [](const char* k, uint64_t v) { return std::string("\"") + k + "\":" + std::to_string(v); };
    return "{" + f("requests", c_.requests) + "," + f("bad_requests", c_.bad_requests) + "," +
           f("compressed_bytes", c_.compressed_bytes) + "," + f("gen_unique", c_.gen_unique) + "," +
           f("gen_repeated", c_.gen_repeated) + "," + f("gen_stale", c_.gen_stale) + "," +
           f("gen_series", newest_.size()) + "," + f("other_samples", c_.other_samples) + "," +
           f("other_stale", c_.other_stale) + ",\"max_timestamp_ms\":" +
           std::to_string(c_.max_timestamp_ms) + "}\n";
  }

 private:
  std::string Refuse(std::string why) {
    std::lock_guard l(mu_);
    c_.bad_requests++;
    return why;
  }

  std::mutex mu_;
  Counters c_;
  std::unordered_map<uint64_t, int64_t> newest_;  // series hash -> newest timestamp
};

}  // namespace

int main(int argc, char** argv) {
  int threads = 80;  // above the harness' max_shards (50): one connection per shard
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    std::string_view v = i + 1 < argc ? std::string_view(argv[i + 1]) : std::string_view();
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), threads);
    if (a != "--threads" || ec != std::errc() || p != v.data() + v.size() || threads <= 0) {
      std::fprintf(stderr, "compare_sink: bad argument '%s' (usage: [--threads N])\n", argv[i]);
      return 2;
    }
    ++i;
  }
  Sink sink;
  httplib::Server server;
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(1u << 30);
  server.set_keep_alive_timeout(30);
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.Post("/api/v1/write", [&](const httplib::Request& req, httplib::Response& res) {
    std::string why = sink.Handle(req.body);
    if (why.empty()) {
      res.status = 204;
    } else {
      res.status = 400;
      res.set_content(why + "\n", "text/plain");
    }
  });
  server.Get("/stats", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(sink.StatsJson(), "application/json");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  if (port <= 0) {
    std::fprintf(stderr, "compare_sink: cannot listen on 127.0.0.1\n");
    return 1;
  }
  std::printf("port=%d\n", port);
  std::fflush(stdout);
  return server.listen_after_bind() ? 0 : 1;
}
