// Throughput of the text and OpenMetrics parsers (src/parse).
//
//   bench/parse_bench [--benchmark_filter=...]
//
// Bodies: a real node_exporter scrape (bench/testdata/node_exporter.prom and
// its OpenMetrics rendering node_exporter.om.txt) and a generated body of 10k
// series with 5 labels each. Every iteration builds a fresh parser ("cold":
// no state carried between scrapes) and walks the whole body. The plain
// benchmarks read Series() and Value() of every sample, which is what the
// scrape loop needs for a scrape-cache hit; the *Labels variants also
// materialise every label set, as for a cache miss. Reported: bytes/s
// (MB/s of body) and samples/s.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "bench/bench_util.h"
#include "src/labels/labels.h"
#include "src/parse/parser.h"

namespace ferry::parse {
namespace {

using ::ferry::bench::ReadTestdata;

// 10k series: 100 families x 100 series, with HELP/TYPE per family, five
// labels per series, realistic values, no timestamps.
std::string Generated(bool openmetrics) {
  std::string out;
  char buf[512];
  for (int f = 0; f < 100; ++f) {
    std::snprintf(buf, sizeof(buf),
                  "# HELP app_requests_%d Total requests handled by handler group %d.\n"
                  "# TYPE app_requests_%d counter\n",
                  f, f, f);
    out += buf;
    if (!openmetrics) {
      // The text format names counter families with their _total suffix.
      out.replace(out.rfind("# TYPE app_requests_"), std::string::npos, "");
      std::snprintf(buf, sizeof(buf), "# TYPE app_requests_%d_total counter\n", f);
      out += buf;
    }
    for (int s = 0; s < 100; ++s) {
      std::snprintf(buf, sizeof(buf),
                    "app_requests_%d_total{method=\"%s\",code=\"%d\",handler=\"/api/v1/h%d\","
                    "instance=\"10.1.%d.%d:9100\",job=\"app\"} %d.%03d\n",
                    f, s % 2 ? "GET" : "POST", 200 + s % 5, s, f, s, 1000 * s + f, s);
      out += buf;
    }
  }
  if (openmetrics) out += "# EOF\n";
  return out;
}

using Factory = std::unique_ptr<Parser> (*)(std::string_view);

void Run(benchmark::State& state, const std::string& body, Factory factory, bool labels) {
  size_t samples = 0;
  labels::LabelsBuilder b;
  for (auto _ : state) {
    auto p = factory(body);
    size_t n = 0;
    double sum = 0;
    size_t bytes = 0;
    for (;;) {
      auto e = p->Next();
      if (!e.ok()) {
        state.SkipWithError(e.status().message().c_str());
        return;
      }
      if (*e == Entry::kEof) break;
      if (*e != Entry::kSeries) continue;
      ++n;
      bytes += p->Series().size();
      sum += p->Value();
      if (labels) {
        b.Reset({});
        p->Labels(&b);
        benchmark::DoNotOptimize(b);
      }
    }
    benchmark::DoNotOptimize(sum);
    benchmark::DoNotOptimize(bytes);
    samples = n;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.counters["samples/s"] = benchmark::Counter(
      static_cast<double>(samples * state.iterations()), benchmark::Counter::kIsRate);
  state.counters["samples"] = static_cast<double>(samples);
}

const std::string& NodeText() {
  static const std::string s = ReadTestdata("node_exporter.prom");
  return s;
}
const std::string& NodeOm() {
  static const std::string s = ReadTestdata("node_exporter.om.txt");
  return s;
}
const std::string& GenText() {
  static const std::string s = Generated(false);
  return s;
}
const std::string& GenOm() {
  static const std::string s = Generated(true);
  return s;
}

void BM_Text_NodeExporter(benchmark::State& s) { Run(s, NodeText(), NewTextParser, false); }
void BM_OpenMetrics_NodeExporter(benchmark::State& s) { Run(s, NodeOm(), NewOpenMetricsParser, false); }
void BM_Text_Generated10k(benchmark::State& s) { Run(s, GenText(), NewTextParser, false); }
void BM_OpenMetrics_Generated10k(benchmark::State& s) { Run(s, GenOm(), NewOpenMetricsParser, false); }
void BM_TextLabels_NodeExporter(benchmark::State& s) { Run(s, NodeText(), NewTextParser, true); }
void BM_TextLabels_Generated10k(benchmark::State& s) { Run(s, GenText(), NewTextParser, true); }
void BM_OpenMetricsLabels_Generated10k(benchmark::State& s) {
  Run(s, GenOm(), NewOpenMetricsParser, true);
}

BENCHMARK(BM_Text_NodeExporter);
BENCHMARK(BM_OpenMetrics_NodeExporter);
BENCHMARK(BM_Text_Generated10k);
BENCHMARK(BM_OpenMetrics_Generated10k);
BENCHMARK(BM_TextLabels_NodeExporter);
BENCHMARK(BM_TextLabels_Generated10k);
BENCHMARK(BM_OpenMetricsLabels_Generated10k);

}  // namespace
}  // namespace ferry::parse

BENCHMARK_MAIN();
