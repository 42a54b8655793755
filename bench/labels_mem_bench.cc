// Heap bytes per series of the long-lived per-series state: the label set
// alone (Labels vs PackedLabels), the WAL's series index
// (wal::internal::SeriesTable) and a target's scrape cache (a ScrapeAppender
// after its scrapes); and the series table's Insert and Find speed. Figures
// and command: docs/perf-notes/wal.md and docs/perf-notes/scrape.md.
//
//   bench/labels_mem_bench
//
// Series: the side-by-side harness' (bench/compare): 20 targets x 5000
// series, gen_requests_<f>_total / gen_level_<f>{code, handler, series, zone}
// plus the target labels instance, job and target: 8 labels, ~90 bytes of
// names and values.
//
// Method: glibc's mallinfo2() (uordblks + hblkhd: bytes in use, mmapped
// chunks included) before and after building the structure, with its inputs
// (label sets, scrape bodies) built beforehand and the scratch (batches)
// freed, so the delta is what the structure keeps. Counter "bytes_per_series"
// is that delta / series; it includes malloc's chunk headers and rounding,
// which is what RSS pays. Single-threaded: one arena.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "src/labels/labels.h"
#include "src/labels/packed_labels.h"
#include "src/scrape/scrape_append.h"
#include "wal/internal/series_table.h"
#include "wal/record.h"

namespace ferry {
namespace {

constexpr int kTargets = 20;
constexpr int kSeriesPerTarget = 5000;
constexpr int kSeriesPerFamily = 100;
constexpr char kText[] = "text/plain; version=0.0.4";
constexpr int64_t kT0 = 1'700'000'000'000;

size_t HeapInUse() {
  const struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

std::string FamilyName(int j) {
  const int family = j / kSeriesPerFamily;
  return family % 2 == 0 ? "gen_requests_" + std::to_string(family) + "_total"
                         : "gen_level_" + std::to_string(family);
}

const char* Code(int j) {
  static const char* kCodes[] = {"200", "200", "200", "404", "500"};
  return kCodes[j % 5];
}

labels::Labels TargetLabels(int t) {
  return labels::Labels::Of({{"instance", "127.0.0.1:40123"}, {"job", "gen"},
                             {"target", std::to_string(t)}});
}

// The final label set of series "j" of target "t" (as the scrape cache and
// the WAL hold it).
labels::Labels SeriesLabels(int t, int j) {
  return labels::Labels::Of({{"__name__", FamilyName(j)},
                             {"code", Code(j)},
                             {"handler", "/api/v1/h" + std::to_string(j % 20)},
                             {"instance", "127.0.0.1:40123"},
                             {"job", "gen"},
                             {"series", std::to_string(j)},
                             {"target", std::to_string(t)},
                             {"zone", "z" + std::to_string(j % 3)}});
}

std::vector<labels::Labels> AllSeries() {
  std::vector<labels::Labels> all;
  all.reserve(kTargets * kSeriesPerTarget);
  for (int t = 0; t < kTargets; ++t) {
    for (int j = 0; j < kSeriesPerTarget; ++j) all.push_back(SeriesLabels(t, j));
  }
  return all;
}

// A body of compare_target (bench/compare/compare_target.cc) at scrape "n".
std::string Body(int n) {
  std::string out;
  for (int j = 0; j < kSeriesPerTarget; ++j) {
    const std::string name = FamilyName(j);
    const bool counter = (j / kSeriesPerFamily) % 2 == 0;
    if (j % kSeriesPerFamily == 0) {
      out += "# HELP " + name + " Generated family.\n# TYPE " + name + " " +
             (counter ? "counter" : "gauge") + "\n";
    }
    char line[256];
    std::snprintf(line, sizeof line, "%s{code=\"%s\",handler=\"/api/v1/h%d\",series=\"%d\",zone=\"z%d\"} %d\n",
                  name.c_str(), Code(j), j % 20, j, j % 3, n * (1 + j % 13) + j);
    out += line;
  }
  return out;
}

void Report(benchmark::State& state, size_t before, size_t series) {
  const size_t after = HeapInUse();
  state.counters["bytes_per_series"] =
      static_cast<double>(after - before) / static_cast<double>(series);
  state.counters["series"] = static_cast<double>(series);
}

// The label set alone, in a vector: arg 0 = Labels, 1 = PackedLabels.
void BM_LabelSet(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<labels::Labels> all = AllSeries();
    state.ResumeTiming();
    const size_t before = HeapInUse();
    if (state.range(0) == 0) {
      std::vector<labels::Labels> kept(all.begin(), all.end());
      Report(state, before, kept.size());
    } else {
      std::vector<labels::PackedLabels> kept;
      kept.reserve(all.size());
      for (const labels::Labels& l : all) kept.push_back(labels::PackedLabels::Pack(l));
      Report(state, before, kept.size());
    }
  }
}
BENCHMARK(BM_LabelSet)->Arg(0)->Arg(1)->Iterations(1)->Unit(benchmark::kMillisecond);

// The WAL's series index holding every series (as after a restart or a
// first scrape of every target).
void BM_SeriesTable(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<labels::Labels> all = AllSeries();
    state.ResumeTiming();
    const size_t before = HeapInUse();
    auto table = std::make_unique<wal::internal::SeriesTable>();
    for (size_t i = 0; i < all.size(); ++i) table->Insert(i + 1, all[i].Hash(), 1);
    Report(state, before, table->size());
    // Lookups still find every series (the WAL compares the candidates'
    // labels, read from its series family).
    std::vector<wal::SeriesRef> c;
    for (size_t i = 0; i < all.size(); i += 997) {
      c.clear();
      table->Candidates(all[i].Hash(), &c);
      if (std::find(c.begin(), c.end(), i + 1) == c.end()) {
        state.SkipWithError("Candidates lost a series");
      }
    }
  }
}
BENCHMARK(BM_SeriesTable)->Iterations(1)->Unit(benchmark::kMillisecond);

// Not memory: the speed of the table's two paths, Insert (a new series) and
// Candidates (the refs a label set may resolve to, as Wal::Append looks up
// every sample given by labels, before comparing labels), over the same
// 100k series; items = series.
void BM_SeriesTableInsert(benchmark::State& state) {
  const std::vector<labels::Labels> all = AllSeries();
  for (auto _ : state) {
    wal::internal::SeriesTable table;
    for (size_t i = 0; i < all.size(); ++i) table.Insert(i + 1, all[i].Hash(), 1);
    benchmark::DoNotOptimize(table.size());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * all.size()));
}
BENCHMARK(BM_SeriesTableInsert)->Unit(benchmark::kMillisecond);

void BM_SeriesTableFind(benchmark::State& state) {
  const std::vector<labels::Labels> all = AllSeries();
  wal::internal::SeriesTable table;
  for (size_t i = 0; i < all.size(); ++i) table.Insert(i + 1, all[i].Hash(), 1);
  std::vector<wal::SeriesRef> c;
  for (auto _ : state) {
    uint64_t sum = 0;
    for (const labels::Labels& l : all) {
      c.clear();
      table.Candidates(l.Hash(), &c);
      sum += c.size();
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * all.size()));
}
BENCHMARK(BM_SeriesTableFind)->Unit(benchmark::kMillisecond);

// Every target's ScrapeAppender after two committed scrapes, the way a
// scrape loop builds it (parse, target labels, cache insert, commit with
// refs as the WAL assigns them): cache entries with their keys (in the
// cache's arena), the hash table, packed labels where a key does not
// rebuild them, body order, line tape, staleness lists, metadata, and the
// per-thread fast-path scratch. Arg 0: the second scrape is warm (same
// lines, new values: the fast path). Arg 1: the second body changed shape
// (one more series at its end), so both scrapes took the full parser and
// built an order and a tape.
void BM_ScrapeCache(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    const std::string body1 = Body(1);
    std::string body2 = Body(2);
    if (state.range(0) == 1) body2 += "gen_extra{code=\"200\"} 1\n";
    state.ResumeTiming();
    const size_t before = HeapInUse();
    std::vector<std::unique_ptr<scrape::ScrapeAppender>> apps;
    wal::SeriesRef next_ref = 1;
    for (int t = 0; t < kTargets; ++t) {
      apps.push_back(std::make_unique<scrape::ScrapeAppender>(TargetLabels(t), scrape::ScrapeSettings{}));
      for (int n = 0; n < 2; ++n) {
        wal::Batch b;
        auto out = apps.back()->AddScrape(n == 0 ? body1 : body2, kText, kT0 + n * 15000, &b);
        if (!out.error.ok()) state.SkipWithError(out.error.ToString().c_str());
        // As the WAL would: refs for the samples given by label set.
        for (auto& p : b.pending()) b.mutable_refs()[p.index] = next_ref++;
        b.pending().clear();
        apps.back()->Committed(b);
      }
    }
    Report(state, before, static_cast<size_t>(kTargets) * kSeriesPerTarget);
  }
}
BENCHMARK(BM_ScrapeCache)->Arg(0)->Arg(1)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ferry
BENCHMARK_MAIN();
