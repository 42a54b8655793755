// Loading speed of prometheus.yml: a small real config and generated ones
// with N jobs (each with auth, TLS, two targets with labels and three
// relabel rules, about 23 lines per job). Loading runs at start and on every
// reload, never on the data path.
//   build-x/bench/config_bench --benchmark_filter=Load
#include <benchmark/benchmark.h>

#include <string>

#include "src/config/dump.h"
#include "src/config/loader.h"

namespace {

std::string Generate(int jobs) {
  std::string y = "global:\n  scrape_interval: 15s\n  external_labels:\n    cluster: big\n";
  y += "scrape_configs:\n";
  for (int i = 0; i < jobs; ++i) {
    const std::string n = std::to_string(i);
    y += "  - job_name: job-" + n + "\n    scrape_interval: " + std::to_string(10 + i % 50) +
         "s\n    scheme: https\n    authorization:\n      credentials_file: /var/run/token\n"
         "    tls_config:\n      ca_file: /etc/ca.crt\n    static_configs:\n"
         "      - targets: [\"10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250) +
         ":9100\", \"10.1.0.1:" + n + "\"]\n        labels:\n          team: t" +
         std::to_string(i % 17) +
         "\n    relabel_configs:\n      - source_labels: [__address__]\n"
         "        regex: '([^:]+):\\d+'\n        target_label: host\n"
         "      - source_labels: [__address__]\n        modulus: 4\n"
         "        target_label: __tmp_hash\n        action: hashmod\n"
         "    metric_relabel_configs:\n      - source_labels: [__name__]\n"
         "        regex: go_.*\n        action: drop\n";
  }
  y += "remote_write:\n  - url: http://127.0.0.1:9090/api/v1/write\n";
  return y;
}

void BM_LoadGenerated(benchmark::State& state) {
  const std::string yaml = Generate(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    ferry::Result<ferry::config::Config> c = ferry::config::LoadString(yaml, "bench.yml", "");
    if (!c.ok()) state.SkipWithError(c.status().message().c_str());
    benchmark::DoNotOptimize(c);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * yaml.size()));
  state.counters["jobs"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_LoadGenerated)->Arg(1)->Arg(100)->Arg(2000)->Unit(benchmark::kMillisecond);

void BM_ToYaml(benchmark::State& state) {
  ferry::Result<ferry::config::Config> c =
      ferry::config::LoadString(Generate(static_cast<int>(state.range(0))), "bench.yml", "");
  if (!c.ok()) {
    state.SkipWithError(c.status().message().c_str());
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(ferry::config::ToYaml(*c));
}
BENCHMARK(BM_ToYaml)->Arg(100)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
