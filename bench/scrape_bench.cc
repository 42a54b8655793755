// The scrape append path of src/scrape without network: a body in memory
// turned into a wal::Batch by a ScrapeAppender, and end to end into a real
// WAL.
//
//   bench/scrape_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// Bodies: a real node_exporter scrape (bench/testdata/node_exporter.prom) and
// a generated body of 10k series (100 counter families x 100 series, five
// labels each; the same shape as bench/parse_bench.cc).
//
// - Cold: a fresh ScrapeAppender every iteration (first scrape of a target):
//   parse, materialise labels, add target labels, metric_relabel_configs
//   (the *Relabel variants: one drop rule and one replace rule, typical of a
//   real config), cache insert, batch by label set.
// - Warm: the steady state. The appender scraped the body before and knows
//   every series' WAL ref, so each sample is one cache lookup by its raw
//   series bytes plus a push into the batch. Includes staleness bookkeeping
//   and Committed().
// - WarmChangedAtEnd: the fast path's worst case, a body that changes in
//   its last line every scrape (fast=1), against the full parser (fast=0).
// - ToWal: warm scrape + report series + Wal::Append (durability interval,
//   as the agent's default) + Committed, measured in process CPU time (every
//   thread, including the WAL's) so "cpu_s_per_Msamples" is the whole cost of
//   ingesting a million samples.
// Reported: bytes/s (MB/s of body) and samples/s per core.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "bench/bench_util.h"
#include "src/relabel/relabel.h"
#include "src/scrape/scrape_append.h"
#include "tests/testing/test_util.h"
#include "wal/wal.h"

namespace ferry::scrape {
namespace {

constexpr char kText[] = "text/plain; version=0.0.4";
constexpr int64_t kT0 = 1'700'000'000'000;

using ::ferry::bench::ReadTestdata;

std::string Generated() {
  std::string out;
  char buf[512];
  for (int f = 0; f < 100; ++f) {
    std::snprintf(buf, sizeof(buf),
                  "# HELP app_requests_%d_total Total requests handled by handler group %d.\n"
                  "# TYPE app_requests_%d_total counter\n",
                  f, f, f);
    out += buf;
    for (int s = 0; s < 100; ++s) {
      std::snprintf(buf, sizeof(buf),
                    "app_requests_%d_total{method=\"%s\",code=\"%d\",handler=\"/api/v1/h%d\","
                    "instance=\"10.1.%d.%d:9100\",job=\"app\"} %d.%03d\n",
                    f, s % 2 ? "GET" : "POST", 200 + s % 5, s, f, s, 1000 * s + f, s);
      out += buf;
    }
  }
  return out;
}

const std::string& Body(int which) {
  static const std::string node = ReadTestdata("node_exporter.prom");
  static const std::string gen = Generated();
  return which == 0 ? node : gen;
}

labels::Labels TargetLabels() {
  return labels::Labels::Of({{"instance", "10.0.0.1:9100"}, {"job", "node"}});
}

// One drop rule and one replace rule, as a typical metric_relabel_configs.
const relabel::Relabeler* TypicalRelabeler() {
  static const std::unique_ptr<relabel::Relabeler> r = [] {
    relabel::RelabelConfig drop;
    drop.source_labels = {"__name__"};
    drop.regex = "go_gc_.*|unused_metric_.*";
    drop.action = relabel::Action::kDrop;
    relabel::RelabelConfig replace;
    replace.source_labels = {"instance"};
    replace.regex = "([^:]+):.*";
    replace.target_label = "host";
    replace.replacement = "$1";
    std::vector<relabel::RelabelConfig> rules = {drop, replace};
    auto c = relabel::Relabeler::Compile(rules);
    if (!c.ok()) std::abort();
    return std::move(c).value();
  }();
  return r.get();
}

// Assigns refs to the batch's label-set samples, as a WAL commit would.
void FakeCommit(ScrapeAppender& app, wal::Batch& batch, wal::SeriesRef* next) {
  for (auto& p : batch.pending()) batch.mutable_refs()[p.index] = (*next)++;
  app.Committed(batch);
}

void Report(benchmark::State& state, size_t body_bytes, size_t samples) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body_bytes));
  state.counters["samples/s"] = benchmark::Counter(
      static_cast<double>(samples * state.iterations()), benchmark::Counter::kIsRate);
  state.counters["samples"] = static_cast<double>(samples);
}

void BM_Cold(benchmark::State& state) {
  const std::string& body = Body(static_cast<int>(state.range(0)));
  ScrapeSettings settings;
  if (state.range(1)) settings.metric_relabeler = TypicalRelabeler();
  size_t samples = 0;
  for (auto _ : state) {
    ScrapeAppender app(TargetLabels(), settings);
    wal::Batch batch(1);
    ScrapeOutcome out = app.AddScrape(body, kText, kT0, &batch);
    if (!out.error.ok()) {
      state.SkipWithError(out.error.message().c_str());
      return;
    }
    samples = out.total;
    benchmark::DoNotOptimize(batch);
  }
  Report(state, body.size(), samples);
}
BENCHMARK(BM_Cold)
    ->ArgNames({"body", "relabel"})
    ->Args({0, 0})
    ->Args({0, 1})
    ->Args({1, 0})
    ->Args({1, 1});

void BM_Warm(benchmark::State& state) {
  const std::string& body = Body(static_cast<int>(state.range(0)));
  ScrapeSettings settings;
  if (state.range(1)) settings.metric_relabeler = TypicalRelabeler();
  ScrapeAppender app(TargetLabels(), settings);
  wal::SeriesRef next = 1;
  wal::Batch batch(1);
  {
    ScrapeOutcome out = app.AddScrape(body, kText, kT0, &batch);
    if (!out.error.ok()) {
      state.SkipWithError(out.error.message().c_str());
      return;
    }
    FakeCommit(app, batch, &next);
  }
  size_t samples = 0;
  int64_t ts = kT0;
  for (auto _ : state) {
    batch.Clear();
    ts += 15000;
    ScrapeOutcome out = app.AddScrape(body, kText, ts, &batch);
    if (!batch.pending().empty() || out.stale != 0) {
      state.SkipWithError("warm scrape missed the cache");
      return;
    }
    app.Committed(batch);
    samples = out.total;
  }
  Report(state, body.size(), samples);
}
BENCHMARK(BM_Warm)
    ->ArgNames({"body", "relabel"})
    ->Args({0, 0})
    ->Args({0, 1})
    ->Args({1, 0})
    ->Args({1, 1});

// The fast path's worst case: each scrape's body differs from the last one
// in its final line (a series that alternates between two names), so the
// tape matches to the end, then the full parser runs over the whole body.
// Compare with BM_Warm (fast path) and the same benchmark with
// fast_path=false (arg "fast" 0: the full parser alone).
void BM_WarmChangedAtEnd(benchmark::State& state) {
  const std::string& base = Body(static_cast<int>(state.range(0)));
  const std::string bodies[2] = {base + "changing_a 1\n", base + "changing_b 1\n"};
  ScrapeSettings settings;
  settings.fast_path = state.range(1) != 0;
  ScrapeAppender app(TargetLabels(), settings);
  wal::SeriesRef next = 1;
  wal::Batch batch(1);
  int64_t ts = kT0;
  size_t samples = 0;
  for (int warmup = 0; warmup < 4; ++warmup) {
    batch.Clear();
    ScrapeOutcome out = app.AddScrape(bodies[warmup % 2], kText, ts += 15000, &batch);
    if (!out.error.ok()) {
      state.SkipWithError(out.error.message().c_str());
      return;
    }
    FakeCommit(app, batch, &next);
  }
  uint64_t i = 0;
  for (auto _ : state) {
    batch.Clear();
    ScrapeOutcome out = app.AddScrape(bodies[i++ % 2], kText, ts += 15000, &batch);
    FakeCommit(app, batch, &next);
    samples = out.total;
  }
  if (app.fast_scrapes() != 0) state.SkipWithError("a changed body took the fast path");
  Report(state, base.size(), samples);
}
BENCHMARK(BM_WarmChangedAtEnd)
    ->ArgNames({"body", "fast"})
    ->Args({0, 1})
    ->Args({0, 0})
    ->Args({1, 1})
    ->Args({1, 0});

void BM_ToWal(benchmark::State& state) {
  const std::string& body = Body(static_cast<int>(state.range(0)));
  testing::TempDir tmp;
  wal::Options o;
  o.dir = tmp.Sub("wal");
  o.durability = wal::Durability::kInterval;
  o.retention_interval = std::chrono::milliseconds(0);
  auto opened = wal::Wal::Open(o);
  if (!opened.ok()) {
    state.SkipWithError(opened.status().message().c_str());
    return;
  }
  std::unique_ptr<wal::Wal> wal = std::move(opened).value();
  ScrapeAppender app(TargetLabels(), ScrapeSettings{});
  size_t samples = 0;
  int64_t ts = kT0;
  for (auto _ : state) {
    wal::Batch batch(7);
    ts += 15000;
    ScrapeOutcome out = app.AddScrape(body, kText, ts, &batch);
    app.AddReport(ts, {.up = out.error.ok(), .duration_seconds = 0.01,
                       .samples_scraped = out.total, .samples_post_relabeling = out.added,
                       .series_added = out.series_added},
                  &batch);
    auto seq = wal->Append(batch);
    if (!seq.ok()) {
      state.SkipWithError(seq.status().message().c_str());
      return;
    }
    app.Committed(batch);
    samples = batch.size();
  }
  Report(state, body.size(), samples);
  state.counters["cpu_s_per_Msamples"] = benchmark::Counter(
      static_cast<double>(samples * state.iterations()) / 1e6,
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  wal->Close().IgnoreError();  // benchmark teardown
}
// The first iteration is the cold scrape; the rest (hundreds) are warm.
BENCHMARK(BM_ToWal)->ArgName("body")->Arg(0)->Arg(1)->MeasureProcessCPUTime();

}  // namespace
}  // namespace ferry::scrape

BENCHMARK_MAIN();
