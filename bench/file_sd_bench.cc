// Decoding cost of file_sd / http_sd documents (src/discovery/group_decoder.h):
// a 10,000-target file as JSON and as YAML, 100 groups of 100 targets with
// three group labels each. Reported as targets/s and MB/s.
//
// Run: build-discovery/bench/file_sd_bench --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "src/discovery/group_decoder.h"

namespace ferry::discovery {
namespace {

constexpr int kGroups = 100;
constexpr int kTargetsPerGroup = 100;

std::string Target(int g, int t) {
  return "10." + std::to_string(g / 256) + "." + std::to_string(g % 256) + "." +
         std::to_string(t) + ":9100";
}

std::string JsonDoc() {
  std::string out = "[";
  for (int g = 0; g < kGroups; ++g) {
    out += g == 0 ? "\n" : ",\n";
    out += R"({"targets": [)";
    for (int t = 0; t < kTargetsPerGroup; ++t) {
      out += (t == 0 ? "\"" : ", \"") + Target(g, t) + "\"";
    }
    out += R"(], "labels": {"env": "prod", "team": "team-)" + std::to_string(g % 7) +
           R"(", "rack": "r)" + std::to_string(g) + "\"}}";
  }
  return out + "\n]\n";
}

std::string YamlDoc() {
  std::string out;
  for (int g = 0; g < kGroups; ++g) {
    out += "- targets:\n";
    for (int t = 0; t < kTargetsPerGroup; ++t) out += "  - " + Target(g, t) + "\n";
    out += "  labels:\n    env: prod\n    team: team-" + std::to_string(g % 7) + "\n    rack: r" +
           std::to_string(g) + "\n";
  }
  return out;
}

void Decode(benchmark::State& state, const std::string& doc, GroupFormat format) {
  for (auto _ : state) {
    auto r = DecodeTargetGroups(doc, format, LabelNameRules::kUtf8);
    if (!r.ok() || r.value().size() != kGroups) {
      std::fprintf(stderr, "bench document does not decode: %s\n",
                   r.status().ToString().c_str());
      std::abort();
    }
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * doc.size()));
  state.counters["targets/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * kGroups * kTargetsPerGroup,
      benchmark::Counter::kIsRate);
}

void BM_DecodeJson10k(benchmark::State& state) {
  static const std::string doc = JsonDoc();
  Decode(state, doc, GroupFormat::kJson);
}
BENCHMARK(BM_DecodeJson10k)->Unit(benchmark::kMillisecond);

void BM_DecodeYaml10k(benchmark::State& state) {
  static const std::string doc = YamlDoc();
  Decode(state, doc, GroupFormat::kYaml);
}
BENCHMARK(BM_DecodeYaml10k)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ferry::discovery

BENCHMARK_MAIN();
