// Remote-write encode (+ snappy) throughput: batches of 2000 samples over
// 2000 series with label sets shaped like node_exporter / kube-state-metrics
// scrapes, for RW 1.0 and 2.0, and the protoc-generated classes as a
// baseline. Counters: samples/s ("items_per_second"), and uncompressed and
// compressed bytes per sample on the wire.
//
//   build-remote/bench/remote_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "src/labels/labels.h"
#include "src/remote/compression.h"
#include "src/remote/decode.h"
#include "src/remote/proto/io/prometheus/write/v2/types.pb.h"
#include "src/remote/proto/remote.pb.h"
#include "src/remote/write_request_v1.h"
#include "src/remote/write_request_v2.h"

namespace ferry::remote {
namespace {

constexpr int kSeries = 2000;

struct Batch {
  std::vector<labels::Labels> labels;
  std::vector<Sample> samples;  // one per series
};

// 2000 series: 40 metric names x 50 targets, each series with job, instance,
// namespace, pod, container and a metric-specific label (cpu / mode / le /
// device), values like counters and gauges, timestamps one scrape apart.
const Batch& TheBatch() {
  static const Batch batch = [] {
    std::mt19937_64 rng(42);
    Batch b;
    const char* kExtra[] = {"cpu", "mode", "le", "device"};
    const char* kModes[] = {"idle", "user", "system", "iowait", "irq", "softirq", "steal"};
    for (int i = 0; i < kSeries; ++i) {
      const int metric = i % 40, target = i / 40;
      std::string name = "node_metric_" + std::to_string(metric) + "_total";
      std::string instance =
          "10.20." + std::to_string(target / 10) + "." + std::to_string(target % 10 + 11) + ":9100";
      std::string pod = "node-exporter-" + std::to_string(100000 + rng() % 900000);
      std::string extra_value = metric % 4 == 1   ? kModes[rng() % 7]
                                : metric % 4 == 2 ? std::to_string(0.005 * (1 << (rng() % 10)))
                                                  : std::to_string(rng() % 64);
      b.labels.push_back(labels::Labels::Of({{"__name__", name},
                                             {"job", "node-exporter"},
                                             {"instance", instance},
                                             {"namespace", "monitoring"},
                                             {"pod", pod},
                                             {"container", "node-exporter"},
                                             {kExtra[metric % 4], extra_value}}));
      const int64_t ts = 1'700'000'000'000 + static_cast<int64_t>(rng() % 15'000);
      const double v = metric % 2 == 0 ? static_cast<double>(rng() % 10'000'000)
                                       : std::uniform_real_distribution<double>(0, 1e6)(rng);
      b.samples.push_back(Sample{ts, v});
    }
    return b;
  }();
  return batch;
}

void Report(benchmark::State& state, size_t raw, size_t compressed) {
  state.SetItemsProcessed(state.iterations() * kSeries);
  state.counters["raw_B/sample"] = static_cast<double>(raw) / kSeries;
  state.counters["wire_B/sample"] = static_cast<double>(compressed) / kSeries;
}

void BM_EncodeV1(benchmark::State& state, bool compress) {
  const Batch& b = TheBatch();
  WriteRequestBuilder builder;
  std::string wire;
  size_t raw = 0;
  for (auto _ : state) {
    builder.Reset();
    for (int i = 0; i < kSeries; ++i) {
      if (!builder.AddSeries(b.labels[i], std::span(&b.samples[i], 1)).ok()) std::abort();
    }
    std::string_view body = builder.Finish();
    raw = body.size();
    if (compress) Compress(body, &wire);
    benchmark::DoNotOptimize(body.data());
  }
  Compress(builder.Finish(), &wire);
  Report(state, raw, wire.size());
}

void BM_EncodeV2(benchmark::State& state, bool compress) {
  const Batch& b = TheBatch();
  WriteRequestV2Builder builder;
  std::string wire;
  size_t raw = 0;
  for (auto _ : state) {
    builder.Reset();
    for (int i = 0; i < kSeries; ++i) {
      if (!builder.AddSeries(b.labels[i], std::span(&b.samples[i], 1)).ok()) std::abort();
    }
    std::string_view body = builder.Finish();
    raw = body.size();
    if (compress) Compress(body, &wire);
    benchmark::DoNotOptimize(body.data());
  }
  Compress(builder.Finish(), &wire);
  Report(state, raw, wire.size());
}

// Baseline: the same 1.0 request through the generated classes (what a
// straightforward implementation would do), message reused across batches.
void BM_GeneratedV1(benchmark::State& state) {
  const Batch& b = TheBatch();
  prometheus::WriteRequest req;
  std::string body, wire;
  for (auto _ : state) {
    req.Clear();
    for (int i = 0; i < kSeries; ++i) {
      prometheus::TimeSeries* ts = req.add_timeseries();
      for (const labels::Label& l : b.labels[i]) {
        prometheus::Label* pl = ts->add_labels();
        pl->set_name(l.name);
        pl->set_value(l.value);
      }
      prometheus::Sample* s = ts->add_samples();
      s->set_value(b.samples[i].value);
      s->set_timestamp(b.samples[i].timestamp_ms);
    }
    req.SerializeToString(&body);
    Compress(body, &wire);
  }
  Report(state, body.size(), wire.size());
}

void BM_DecodeV1(benchmark::State& state) {
  const Batch& b = TheBatch();
  WriteRequestBuilder builder;
  for (int i = 0; i < kSeries; ++i) {
    if (!builder.AddSeries(b.labels[i], std::span(&b.samples[i], 1)).ok()) std::abort();
  }
  std::string wire;
  Compress(builder.Finish(), &wire);
  for (auto _ : state) {
    auto raw = Decompress(wire);
    auto d = DecodeWriteRequestV1(*raw);
    benchmark::DoNotOptimize(d.ok());
  }
  Report(state, builder.Finish().size(), wire.size());
}

BENCHMARK_CAPTURE(BM_EncodeV1, encode_only, false);
BENCHMARK_CAPTURE(BM_EncodeV1, encode_snappy, true);
BENCHMARK_CAPTURE(BM_EncodeV2, encode_only, false);
BENCHMARK_CAPTURE(BM_EncodeV2, encode_snappy, true);
BENCHMARK(BM_GeneratedV1);
BENCHMARK(BM_DecodeV1);

}  // namespace
}  // namespace ferry::remote

BENCHMARK_MAIN();
