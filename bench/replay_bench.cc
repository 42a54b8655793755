// Replay throughput: a WAL holding 10 M samples (100 targets x 20 series x
// 5000 scrapes, one record per target scrape) is replayed by a ReplayManager
// to a loopback sink that reads each request and answers 204.
//   BM_Replay/0  every series (10 M samples sent)
//   BM_Replay/1  {job="t7"}: 1 % of the series (100 k samples sent)
// Reports range_samples_per_s (samples of the range per wall second: what a
// full read would have to decode) and sent_samples_per_s.
//
//   build-bench/bench/replay_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true   (one command line)
//
// The WAL is built once per process in $TMPDIR (about 1 GB) and removed.
#include <benchmark/benchmark.h>
#include <httplib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "src/replay/manager.h"
#include "wal/wal.h"

namespace ferry::replay {
namespace {

using std::chrono::milliseconds;

constexpr int kTargets = 100, kSeriesPerTarget = 20, kScrapes = 5000;
constexpr int64_t kStart = 1'764'000'000'000;
constexpr int64_t kSamples = int64_t{kTargets} * kSeriesPerTarget * kScrapes;

class ManualClock final : public Clock {
 public:
  std::chrono::system_clock::time_point SystemNow() const override {
    return std::chrono::system_clock::time_point(milliseconds(ms));
  }
  std::chrono::steady_clock::time_point MonotonicNow() const override {
    return std::chrono::steady_clock::now();
  }
  int64_t ms = kStart;
};

struct Fixture {
  Fixture() {
    dir = std::filesystem::temp_directory_path() / ("ferry-replay-bench-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    wal::Options o;
    o.dir = dir.string();
    o.durability = wal::Durability::kNever;
    o.retention_interval = milliseconds(0);
    o.max_age = milliseconds(0);
    o.clock = &clock;
    wal = std::move(wal::Wal::Open(o)).value();
    std::vector<std::vector<wal::SeriesRef>> refs(kTargets);
    for (int r = 0; r < kScrapes; ++r) {
      clock.ms = kStart + int64_t{r} * 15'000;
      for (int t = 0; t < kTargets; ++t) {
        wal::Batch b(static_cast<uint64_t>(t + 1));
        for (int i = 0; i < kSeriesPerTarget; ++i) {
          const double v = static_cast<double>(r * 10 + i);
          if (r == 0) {
            b.Add(labels::Labels::Of({{"__name__", "bench_metric_total"},
                                      {"instance", "10.0.0." + std::to_string(t) + ":9100"},
                                      {"job", "t" + std::to_string(t)},
                                      {"series", std::to_string(i)}}),
                  clock.ms, v);
          } else {
            b.Add(refs[t][i], clock.ms, v);
          }
        }
        if (!wal->Append(b).ok()) std::abort();
        if (r == 0) refs[t] = b.refs();
      }
    }
    server.Post("/write", [](const httplib::Request& req, httplib::Response& res) {
      benchmark::DoNotOptimize(req.body.size());
      res.status = 204;
    });
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
  }
  ~Fixture() {
    server.stop();
    thread.join();
    wal->Close().IgnoreError();
    wal.reset();
    std::filesystem::remove_all(dir);
  }
  ManualClock clock;
  std::filesystem::path dir;
  std::unique_ptr<wal::Wal> wal;
  httplib::Server server;
  int port = 0;
  std::thread thread;
};

Fixture& Shared() {
  static Fixture* f = new Fixture();  // built once, outside the timings
  return *f;
}

void BM_Replay(benchmark::State& state) {
  Fixture& f = Shared();
  const bool selective = state.range(0) == 1;
  uint64_t sent = 0;
  double secs = 0;
  for (auto _ : state) {
    ManagerOptions o;
    o.wal = f.wal.get();
    auto m = std::move(ReplayManager::Open(o)).value();
    JobSpec spec;
    spec.from_ms = kStart;
    spec.to_ms = kStart + int64_t{kScrapes} * 15'000;
    spec.url.url = "http://127.0.0.1:" + std::to_string(f.port) + "/write";
    if (selective) spec.match = R"({job="t7"})";
    auto t0 = std::chrono::steady_clock::now();
    auto st = m->Submit(spec);
    if (!st.ok()) {
      state.SkipWithError(st.status().ToString().c_str());
      return;
    }
    auto done = m->Wait(st->id, std::chrono::minutes(10));
    secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.SetIterationTime(secs);
    if (!done.ok() || done->state != JobState::kDone) {
      state.SkipWithError("replay did not finish");
      return;
    }
    sent = done->counters.samples_sent;
  }
  state.counters["range_samples_per_s"] = static_cast<double>(kSamples) / secs;
  state.counters["sent_samples_per_s"] = static_cast<double>(sent) / secs;
  state.counters["sent"] = static_cast<double>(sent);
}
BENCHMARK(BM_Replay)->Arg(0)->Arg(1)->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ferry::replay

BENCHMARK_MAIN();
