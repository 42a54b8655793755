// Remote-write encode (+ snappy) throughput: batches of 2000 samples over
// 2000 series with label sets shaped like node_exporter / kube-state-metrics
// scrapes, for RW 1.0 and 2.0, from labels::Labels and from pre-encoded
// EncodedLabels (what a shard's series cache holds), and the protoc-generated
// classes as a baseline. Counters: samples/s ("items_per_second"), and
// uncompressed and compressed bytes per sample on the wire. BM_CacheHeap
// measures the heap a series cache entry costs with either representation.
//
//   build-remote/bench/remote_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <malloc.h>

#include <cstdint>
#include <random>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <string>
#include <vector>

#include "src/labels/labels.h"
#include "src/remote/compression.h"
#include "src/remote/decode.h"
#include "src/remote/encoded_labels.h"
#include "src/remote/proto/io/prometheus/write/v2/types.pb.h"
#include "src/remote/proto/remote.pb.h"
#include "src/remote/write_request_v1.h"
#include "src/remote/write_request_v2.h"

namespace ferry::remote {
namespace {

constexpr int kSeries = 2000;

struct Batch {
  std::vector<labels::Labels> labels;
  std::vector<EncodedLabels> encoded;  // the same labels, pre-encoded
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
    // Encoded after all the Labels, so the Labels' heap layout is the one
    // it was before EncodedLabels existed (interleaving the allocations
    // slowed the Labels cases by ~6 % through cache misses).
    for (const labels::Labels& ls : b.labels) {
      Result<EncodedLabels> e = EncodedLabels::FromLabels(ls);
      if (!e.ok()) std::abort();
      b.encoded.push_back(std::move(*e));
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

// "encoded": labels from Batch::encoded (the shard's cached form) rather
// than Batch::labels.
void BM_EncodeV1(benchmark::State& state, bool compress, bool encoded) {
  const Batch& b = TheBatch();
  WriteRequestBuilder builder;
  std::string wire;
  size_t raw = 0;
  for (auto _ : state) {
    builder.Reset();
    for (int i = 0; i < kSeries; ++i) {
      Status st = encoded ? builder.AddSeries(b.encoded[i], std::span(&b.samples[i], 1))
                          : builder.AddSeries(b.labels[i], std::span(&b.samples[i], 1));
      if (!st.ok()) std::abort();
    }
    std::string_view body = builder.Finish();
    raw = body.size();
    if (compress) Compress(body, &wire);
    benchmark::DoNotOptimize(body.data());
  }
  Compress(builder.Finish(), &wire);
  Report(state, raw, wire.size());
}

void BM_EncodeV2(benchmark::State& state, bool compress, bool encoded) {
  const Batch& b = TheBatch();
  WriteRequestV2Builder builder;
  std::string wire;
  size_t raw = 0;
  for (auto _ : state) {
    builder.Reset();
    for (int i = 0; i < kSeries; ++i) {
      Status st = encoded ? builder.AddSeries(b.encoded[i], std::span(&b.samples[i], 1))
                          : builder.AddSeries(b.labels[i], std::span(&b.samples[i], 1));
      if (!st.ok()) std::abort();
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

// What a series costs the first time a shard sees it: validating and
// encoding its labels into the cache.
void BM_EncodeLabels(benchmark::State& state) {
  const Batch& b = TheBatch();
  for (auto _ : state) {
    for (int i = 0; i < kSeries; ++i) {
      Result<EncodedLabels> e = EncodedLabels::FromLabels(b.labels[i]);
      benchmark::DoNotOptimize(e.ok());
    }
  }
  state.SetItemsProcessed(state.iterations() * kSeries);
  size_t heap = 0;
  for (const EncodedLabels& e : b.encoded) heap += e.allocated_bytes();
  state.counters["block_B/series"] = static_cast<double>(heap) / kSeries;
}

// ship::Shard's series cache entry before (labels::Labels) and after
// (EncodedLabels); the shard's own types are private.
struct LabelsEntry {
  labels::Labels labels;
  std::string_view drop_reason;
};
struct EncodedEntry {
  EncodedLabels labels;
  uint8_t drop = 0;
};

// Heap bytes per entry of a series cache shaped like ship::Shard's
// (unordered_map<SeriesRef, entry>), 100k series (the 2000 label sets,
// 50 times each), by glibc's count of bytes in use: map nodes, buckets and
// whatever the entry owns.
template <typename Entry>
void BM_CacheHeap(benchmark::State& state) {
  const Batch& b = TheBatch();
  constexpr int kCopies = 50;
  double per_series = 0;
  for (auto _ : state) {
    const size_t before = mallinfo2().uordblks;
    {
      std::unordered_map<uint64_t, Entry> cache;
      for (int c = 0; c < kCopies; ++c) {
        for (int i = 0; i < kSeries; ++i) {
          const uint64_t ref = static_cast<uint64_t>(c) * kSeries + static_cast<uint64_t>(i);
          if constexpr (std::is_same_v<Entry, LabelsEntry>) {
            cache.emplace(ref, LabelsEntry{b.labels[i], {}});
          } else {
            cache.emplace(ref, EncodedEntry{b.encoded[i], 0});
          }
        }
      }
      per_series = static_cast<double>(mallinfo2().uordblks - before) / (kCopies * kSeries);
      benchmark::DoNotOptimize(cache.size());
    }
  }
  state.counters["heap_B/series"] = per_series;
}

BENCHMARK_CAPTURE(BM_EncodeV1, encode_only, false, false);
BENCHMARK_CAPTURE(BM_EncodeV1, encode_snappy, true, false);
BENCHMARK_CAPTURE(BM_EncodeV1, pre_encoded_only, false, true);
BENCHMARK_CAPTURE(BM_EncodeV1, pre_encoded_snappy, true, true);
BENCHMARK_CAPTURE(BM_EncodeV2, encode_only, false, false);
BENCHMARK_CAPTURE(BM_EncodeV2, encode_snappy, true, false);
BENCHMARK_CAPTURE(BM_EncodeV2, pre_encoded_only, false, true);
BENCHMARK_CAPTURE(BM_EncodeV2, pre_encoded_snappy, true, true);
BENCHMARK(BM_EncodeLabels);
BENCHMARK_TEMPLATE(BM_CacheHeap, LabelsEntry)->Iterations(1);
BENCHMARK_TEMPLATE(BM_CacheHeap, EncodedEntry)->Iterations(1);
BENCHMARK(BM_GeneratedV1);
BENCHMARK(BM_DecodeV1);

}  // namespace
}  // namespace ferry::remote

BENCHMARK_MAIN();
