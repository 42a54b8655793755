// Backlog drain: a WAL holding N samples (2000 series x N/2000 scrapes) is
// shipped by a ShipManager to a loopback sink that reads each request and
// answers 204. Reports samples/s from start to caught-up cursor, the peak
// RSS sampled during the drain (drain_rss_mb, /proc/self/statm every 20 ms)
// and the process' ru_maxrss. Run with 1 M and 10 M samples to compare the
// drain RSS of a 10x larger backlog (it must stay flat; the shard count is
// pinned to min_shards). The WAL is closed and reopened between building and
// draining, as for an agent restarted with a backlog on disk:
//
//   build-ship/bench/ship_bench --benchmark_filter=Drain
//
// batch_send_deadline is 100 ms (not the default 5 s, which would only add
// a 5 s wait for the last partial batches to the measured time).
//
// The WAL is built in $TMPDIR (about 1 GB for 10 M samples) and removed.
#include <benchmark/benchmark.h>
#include <httplib.h>
#include <prometheus/registry.h>
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "src/httpclient/client.h"
#include "src/ship/ship_manager.h"
#include "wal/wal.h"

namespace ferry::ship {
namespace {

using std::chrono::milliseconds;

constexpr int kSeries = 2000;

double RssMb() {
  std::ifstream f("/proc/self/statm");
  long pages = 0, resident = 0;
  f >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1048576.0;
}

void BM_DrainBacklog(benchmark::State& state) {
  const int64_t samples = state.range(0);
  const int scrapes = static_cast<int>(samples / kSeries);
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("ferry-ship-bench-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  for (auto _ : state) {
    wal::Options o;
    o.dir = dir.string();
    o.durability = wal::Durability::kNever;
    o.retention_interval = milliseconds(0);
    o.max_age = milliseconds(0);
    auto w = wal::Wal::Open(o);
    if (!w.ok()) {
      state.SkipWithError(w.status().ToString().c_str());
      return;
    }
    std::vector<labels::Labels> ls;
    for (int i = 0; i < kSeries; ++i) {
      ls.push_back(labels::Labels::Of({{"__name__", "node_cpu_seconds_total"},
                                       {"cpu", std::to_string(i % 64)},
                                       {"instance", "host-" + std::to_string(i / 64) + ":9100"},
                                       {"job", "node"},
                                       {"mode", "m" + std::to_string(i % 7)}}));
    }
    const int64_t t0 = 1'700'000'000'000;
    std::vector<wal::SeriesRef> refs;
    for (int r = 0; r < scrapes; ++r) {
      wal::Batch b(1);
      for (int i = 0; i < kSeries; ++i) {
        if (refs.empty() || r == 0) {
          b.Add(ls[i], t0 + int64_t{r} * 15000, r * 1.5 + i);
        } else {
          b.Add(refs[i], t0 + int64_t{r} * 15000, r * 1.5 + i);
        }
      }
      auto seq = (*w)->Append(b);
      if (!seq.ok()) {
        state.SkipWithError(seq.status().ToString().c_str());
        return;
      }
      if (r == 0) refs = b.refs();
    }
    const uint64_t last = (*w)->LastSequence();
    // The situation being measured is an agent (re)started with a backlog on
    // disk: close and reopen the WAL (memtables flushed, empty again) and
    // hand the heap the appends left behind back to the OS, as a fresh
    // process would not have it.
    if (!(*w)->Close().ok()) {
      state.SkipWithError("close failed");
      return;
    }
    w = wal::Wal::Open(o);
    if (!w.ok()) {
      state.SkipWithError(w.status().ToString().c_str());
      return;
    }
    malloc_trim(0);

    httplib::Server sink;
    std::atomic<uint64_t> bytes{0};
    sink.Post("/write", [&](const httplib::Request& req, httplib::Response& res) {
      bytes += req.body.size();
      res.status = 204;
    });
    int port = sink.bind_to_any_port("127.0.0.1");
    std::thread sink_thread([&] { sink.listen_after_bind(); });

    config::Config cfg;
    config::RemoteWriteConfig rw;
    rw.url = "http://127.0.0.1:" + std::to_string(port) + "/write";
    rw.name = "bench";
    rw.queue_config.min_shards = static_cast<int64_t>(state.range(1));
    // Shards hold up to `capacity` samples each: memory scales with the shard
    // count by design. Pin it, so that the figure compares backlogs, not the
    // resharding decisions a noisy machine makes.
    rw.queue_config.max_shards = rw.queue_config.min_shards;
    // The default 5 s would add a 5 s wait for the last partial batches.
    rw.queue_config.batch_send_deadline = milliseconds(100);
    cfg.remote_write.push_back(rw);
    httpclient::Client client(httpclient::Client::Options{});
    prometheus::Registry registry;
    ShipperOptions opts;
    opts.reshard_interval = milliseconds(1000);

    std::atomic<bool> done{false};
    double drain_rss = 0;
    double rss_before = RssMb();
    const wal::WalStats mem_before = (*w)->GetStats();
    std::thread monitor([&] {
      while (!done) {
        drain_rss = std::max(drain_rss, RssMb());
        std::this_thread::sleep_for(milliseconds(20));
      }
    });
    auto start = std::chrono::steady_clock::now();
    int shards = 0;
    {
      ShipManager m(**w, client, registry, opts);
      if (!m.ApplyConfig(cfg).ok()) {
        state.SkipWithError("apply failed");
      }
      while (true) {
        auto st = m.Status();
        shards = std::max(shards, st[0].shards);
        if (st[0].cursor > last) break;
        std::this_thread::sleep_for(milliseconds(5));
      }
      state.SetIterationTime(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      m.Stop();
    }
    const wal::WalStats mem_after = (*w)->GetStats();
    done = true;
    monitor.join();
    client.Stop();
    sink.stop();
    sink_thread.join();
    (*w)->Close().IgnoreError();  // benchmark teardown
    w->reset();
    std::filesystem::remove_all(dir);

    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    state.counters["rss_before_drain_mb"] = rss_before;
    state.counters["drain_rss_mb"] = drain_rss;
    state.counters["ru_maxrss_mb"] = static_cast<double>(ru.ru_maxrss) / 1024.0;
    state.counters["max_shards_seen"] = shards;
    // Where RocksDB's share of the drain's memory went (before -> after).
    constexpr double kMb = 1 << 20;
    state.counters["memtables_mb"] = static_cast<double>(mem_after.memtable_bytes) / kMb;
    state.counters["block_cache_mb_before"] = static_cast<double>(mem_before.block_cache_bytes) / kMb;
    state.counters["block_cache_mb_after"] = static_cast<double>(mem_after.block_cache_bytes) / kMb;
    state.counters["table_readers_mb"] = static_cast<double>(mem_after.table_reader_bytes) / kMb;
    state.counters["wire_bytes_per_sample"] =
        static_cast<double>(bytes.load()) / static_cast<double>(samples);
  }
  state.SetItemsProcessed(state.iterations() * samples);
}
BENCHMARK(BM_DrainBacklog)
    ->ArgNames({"samples", "min_shards"})
    ->Args({1'000'000, 1})
    ->Args({1'000'000, 4})
    ->Args({10'000'000, 1})
    ->Args({10'000'000, 4})
    ->Args({100'000'000, 4})
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kSecond);

}  // namespace
}  // namespace ferry::ship
BENCHMARK_MAIN();
