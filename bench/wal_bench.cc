// wal/ benchmarks. Figures and commands: docs/perf-notes/wal.md.
//
//   BM_Append/<samples per scrape>/<durability 0=always 1=interval 2=never>
//   BM_AppendThreads/<samples>/<durability>  (4 appender threads: group commit)
//   BM_ReadDecode/<samples per scrape>
//   BM_BytesPerSample/<series per target>/<compression 0=none 1=snappy 2=snappy+zstd bottommost>
//     (counter "bytes_per_sample")
#include <benchmark/benchmark.h>
#include <rocksdb/db.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tests/testing/test_util.h"
#include "wal/internal/wal_impl.h"
#include "wal/wal.h"

namespace ferry::wal {
namespace {

constexpr int kStreams = 64;

// A realistic scrape: 40% integer counters, 20% float counters (cpu
// seconds), 20% gauges (bytes in page steps), 20% constants (info/up).
class Target {
 public:
  Target(uint64_t id, int series) : id_(id), rng_(id) {
    for (int i = 0; i < series; ++i) {
      values_.push_back(i % 5 == 4 ? 1.0 : static_cast<double>(rng_() % 100000));
      labels_.push_back(labels::Labels::Of({{"__name__", "metric_" + std::to_string(i % 97)},
                                            {"instance", "host-" + std::to_string(id) + ":9100"},
                                            {"job", "node"},
                                            {"series", std::to_string(i)}}));
    }
  }
  // Advances one scrape interval and fills "b" (by ref once known).
  void Next(Batch& b) {
    ts_ += 15000;
    b.Clear();
    b.set_stream(id_);
    for (size_t i = 0; i < values_.size(); ++i) {
      double& v = values_[i];
      switch (i % 5) {
        case 0:
        case 1:
          if (rng_() % 3 == 0) v += static_cast<double>(rng_() % 20);
          break;
        case 2:
          v += static_cast<double>(rng_() % 1500) / 100.0;
          break;
        case 3:
          if (rng_() % 2 == 0)
            v += 4096.0 * static_cast<double>(static_cast<int>(rng_() % 64) - 32);
          break;
        default:
          break;
      }
      if (refs_.empty()) {
        b.Add(labels_[i], ts_, v);
      } else {
        b.Add(refs_[i], ts_, v);
      }
    }
  }
  void Acked(const Batch& b) {
    if (refs_.empty()) refs_ = b.refs();
  }

 private:
  uint64_t id_;
  std::mt19937_64 rng_;
  int64_t ts_ = 1'700'000'000'000;
  std::vector<double> values_;
  std::vector<labels::Labels> labels_;
  std::vector<SeriesRef> refs_;
};

std::unique_ptr<Wal> OpenWal(const std::string& dir, Durability d,
                             Compression compression = Options().samples_compression) {
  Options o;
  o.samples_compression = compression;
  o.dir = dir;
  o.durability = d;
  o.retention_interval = std::chrono::milliseconds(0);
  auto w = Wal::Open(o);
  if (!w.ok()) {
    std::fprintf(stderr, "%s\n", w.status().ToString().c_str());
    std::abort();
  }
  return std::move(w).value();
}

void BM_Append(benchmark::State& state) {
  const int series = static_cast<int>(state.range(0));
  const auto durability = static_cast<Durability>(state.range(1));
  ferry::testing::TempDir tmp;
  auto wal = OpenWal(tmp.Sub("wal"), durability);
  std::vector<Target> targets;
  for (int i = 0; i < kStreams; ++i) targets.emplace_back(i + 1, series);
  Batch b;
  // Warm up: create every series once (not measured).
  for (Target& t : targets) {
    t.Next(b);
    if (!wal->Append(b).ok()) std::abort();
    t.Acked(b);
  }
  size_t i = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Target& t = targets[i++ % targets.size()];
    t.Next(b);
    state.ResumeTiming();
    if (!wal->Append(b).ok()) std::abort();
  }
  state.SetItemsProcessed(state.iterations() * series);
}
BENCHMARK(BM_Append)
    ->ArgsProduct({{1000, 10000}, {0, 1, 2}})
    ->ArgNames({"samples", "durability"})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// Four scrapers appending at once: group commit shares syncs.
void BM_AppendThreads(benchmark::State& state) {
  static std::unique_ptr<ferry::testing::TempDir> tmp;
  static std::unique_ptr<Wal> wal;
  const int series = static_cast<int>(state.range(0));
  if (state.thread_index() == 0) {
    tmp = std::make_unique<ferry::testing::TempDir>();
    wal = OpenWal(tmp->Sub("wal"), static_cast<Durability>(state.range(1)));
  }
  Target t(state.thread_index() + 1, series);
  Batch b;
  for (auto _ : state) {
    state.PauseTiming();
    t.Next(b);
    state.ResumeTiming();
    if (!wal->Append(b).ok()) std::abort();
    t.Acked(b);
  }
  state.SetItemsProcessed(state.iterations() * series);
  if (state.thread_index() == 0) {
    state.counters["group_commits"] = static_cast<double>(wal->GetStats().group_commits);
  }
}
BENCHMARK(BM_AppendThreads)
    ->ArgsProduct({{1000, 10000}, {0, 1}})
    ->ArgNames({"samples", "durability"})
    ->Threads(4)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

void BM_ReadDecode(benchmark::State& state) {
  const int series = static_cast<int>(state.range(0));
  ferry::testing::TempDir tmp;
  auto wal = OpenWal(tmp.Sub("wal"), Durability::kNever);
  std::vector<Target> targets;
  for (int i = 0; i < 16; ++i) targets.emplace_back(i + 1, series);
  Batch b;
  const int records = 4'000'000 / series;
  for (int r = 0; r < records; ++r) {
    Target& t = targets[r % targets.size()];
    t.Next(b);
    if (!wal->Append(b).ok()) std::abort();
    t.Acked(b);
  }
  uint64_t samples = 0;
  Record rec;
  for (auto _ : state) {
    auto reader = std::move(wal->NewReader(1)).value();
    while (*reader->Next(rec)) samples += rec.size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(samples));
}
BENCHMARK(BM_ReadDecode)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();

// One hour of 15 s scrapes of 50 targets, compacted; bytes of SSTs per sample.
void BM_BytesPerSample(benchmark::State& state) {
  const int series = static_cast<int>(state.range(0));
  for (auto _ : state) {
    ferry::testing::TempDir tmp;
    auto wal = OpenWal(tmp.Sub("wal"), Durability::kNever, static_cast<Compression>(state.range(1)));
    std::vector<Target> targets;
    for (int i = 0; i < 50; ++i) targets.emplace_back(i + 1, series);
    Batch b;
    uint64_t samples = 0;
    for (int scrape = 0; scrape < 240; ++scrape) {
      for (Target& t : targets) {
        t.Next(b);
        if (!wal->Append(b).ok()) std::abort();
        t.Acked(b);
        samples += b.size();
      }
    }
    auto* impl = static_cast<internal::WalImpl*>(wal.get());
    rocksdb::CompactRangeOptions co;
    co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    if (!impl->db()->Flush(rocksdb::FlushOptions()).ok()) std::abort();
    if (!impl->db()->Flush(rocksdb::FlushOptions(), impl->samples_cf()).ok()) std::abort();
    if (!impl->db()->CompactRange(co, impl->samples_cf(), nullptr, nullptr).ok()) std::abort();
    if (!wal->Close().ok()) std::abort();
    uint64_t sst = 0, total = 0;
    for (const auto& e : std::filesystem::directory_iterator(tmp.Sub("wal"))) {
      if (!e.is_regular_file()) continue;
      total += e.file_size();
      if (e.path().extension() == ".sst") sst += e.file_size();
    }
    state.counters["bytes_per_sample"] = static_cast<double>(sst) / static_cast<double>(samples);
    state.counters["dir_bytes_per_sample"] =
        static_cast<double>(total) / static_cast<double>(samples);
    state.counters["samples"] = static_cast<double>(samples);
  }
}
BENCHMARK(BM_BytesPerSample)
    ->Args({1000, static_cast<int64_t>(Compression::kNone)})
    ->Args({1000, static_cast<int64_t>(Compression::kSnappy)})
    ->Args({1000, static_cast<int64_t>(Compression::kSnappyZstdBottommost)})
    ->ArgNames({"series", "compression"})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ferry::wal

BENCHMARK_MAIN();
