// Relabeling cost: target relabeling with rules typical of kubernetes_sd
// (ns/target) and a metric_relabel_configs drop rule (ns/series).
//
// Run: build-relabel/bench/relabel_bench --benchmark_min_time=1
// Figures and the machine they were taken on: docs/perf-notes/relabel.md.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "src/relabel/relabel.h"

namespace ferry::relabel {
namespace {

using labels::Labels;
using labels::LabelsBuilder;

std::unique_ptr<Relabeler> MustCompile(const std::vector<RelabelConfig>& rules) {
  auto r = Relabeler::Compile(rules);
  if (!r.ok()) {
    std::fprintf(stderr, "bench rules do not compile: %s\n", r.status().ToString().c_str());
    std::abort();
  }
  return std::move(r).value();
}

// A pod target as kubernetes_sd discovers it (from Prometheus'
// BenchmarkRelabel "kubernetes" case, plus a few pod labels to map).
Labels PodTarget() {
  return Labels::Of({
      {"__address__", "10.132.183.40:80"},
      {"__meta_kubernetes_namespace", "loki-boltdb-shipper"},
      {"__meta_kubernetes_pod_annotation_promtail_loki_boltdb_shipper_hash",
       "50523b9759094a144adcec2eae0aa4ad"},
      {"__meta_kubernetes_pod_annotation_prometheus_io_scrape", "true"},
      {"__meta_kubernetes_pod_annotation_prometheus_io_port", "3101"},
      {"__meta_kubernetes_pod_annotationpresent_promtail_loki_boltdb_shipper_hash", "true"},
      {"__meta_kubernetes_pod_container_init", "false"},
      {"__meta_kubernetes_pod_container_name", "promtail"},
      {"__meta_kubernetes_pod_container_port_name", "http-metrics"},
      {"__meta_kubernetes_pod_container_port_number", "80"},
      {"__meta_kubernetes_pod_container_port_protocol", "TCP"},
      {"__meta_kubernetes_pod_controller_kind", "DaemonSet"},
      {"__meta_kubernetes_pod_controller_name", "promtail-loki-boltdb-shipper"},
      {"__meta_kubernetes_pod_host_ip", "10.128.0.178"},
      {"__meta_kubernetes_pod_ip", "10.132.183.40"},
      {"__meta_kubernetes_pod_label_app_kubernetes_io_name", "promtail"},
      {"__meta_kubernetes_pod_label_app_kubernetes_io_instance", "loki"},
      {"__meta_kubernetes_pod_label_controller_revision_hash", "555b77cd7d"},
      {"__meta_kubernetes_pod_label_name", "promtail-loki-boltdb-shipper"},
      {"__meta_kubernetes_pod_label_pod_template_generation", "45"},
      {"__meta_kubernetes_pod_labelpresent_controller_revision_hash", "true"},
      {"__meta_kubernetes_pod_labelpresent_name", "true"},
      {"__meta_kubernetes_pod_labelpresent_pod_template_generation", "true"},
      {"__meta_kubernetes_pod_name", "promtail-loki-boltdb-shipper-jgtr7"},
      {"__meta_kubernetes_pod_node_name", "gke-dev-us-central-0-main-n2s8-2-14d53341-9hkr"},
      {"__meta_kubernetes_pod_phase", "Running"},
      {"__meta_kubernetes_pod_ready", "true"},
      {"__meta_kubernetes_pod_uid", "4c586419-7f6c-448d-aeec-ca4fa5b05e60"},
      {"__metrics_path__", "/metrics"},
      {"__scheme__", "http"},
      {"__scrape_interval__", "15s"},
      {"__scrape_timeout__", "10s"},
      {"job", "kubernetes-pods"},
  });
}

// The usual kubernetes-pods job: keep on the scrape annotation, rewrite the
// address with the port annotation, map pod labels, copy namespace and pod.
std::vector<RelabelConfig> TypicalPodRules() {
  return {
      {.source_labels = {"__meta_kubernetes_pod_annotation_prometheus_io_scrape"},
       .regex = "true",
       .action = Action::kKeep},
      {.source_labels = {"__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port"},
       .regex = "([^:]+)(?::\\d+)?;(\\d+)",
       .target_label = "__address__",
       .replacement = "$1:$2"},
      {.regex = "__meta_kubernetes_pod_label_(.+)", .action = Action::kLabelMap},
      {.source_labels = {"__meta_kubernetes_namespace"}, .target_label = "namespace"},
      {.source_labels = {"__meta_kubernetes_pod_name"}, .target_label = "pod"},
  };
}

// Prometheus' BenchmarkRelabel "kubernetes" rule set (model/relabel).
std::vector<RelabelConfig> PrometheusKubernetesRules() {
  return {
      {.source_labels = {"__meta_kubernetes_pod_container_port_name"},
       .regex = ".*-metrics",
       .action = Action::kKeep},
      {.source_labels = {"__meta_kubernetes_pod_label_name"}, .regex = "", .action = Action::kDrop},
      {.source_labels = {"__meta_kubernetes_pod_phase"},
       .regex = "Succeeded|Failed",
       .action = Action::kDrop},
      {.source_labels = {"__meta_kubernetes_pod_annotation_prometheus_io_scrape"},
       .regex = "false",
       .action = Action::kDrop},
      {.source_labels = {"__meta_kubernetes_pod_annotation_prometheus_io_scheme"},
       .regex = "(https?)",
       .target_label = "__scheme__"},
      {.source_labels = {"__meta_kubernetes_pod_annotation_prometheus_io_path"},
       .regex = "(.+)",
       .target_label = "__metrics_path__"},
      {.source_labels = {"__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port"},
       .regex = "(.+?)(\\:\\d+)?;(\\d+)",
       .target_label = "__address__",
       .replacement = "$1:$3"},
      {.regex = "__meta_kubernetes_pod_annotation_prometheus_io_param_(.+)",
       .replacement = "__param_$1",
       .action = Action::kLabelMap},
      {.regex = "__meta_kubernetes_pod_label_prometheus_io_label_(.+)",
       .action = Action::kLabelMap},
      {.regex = "__meta_kubernetes_pod_annotation_prometheus_io_label_(.+)",
       .action = Action::kLabelMap},
      {.source_labels = {"__meta_kubernetes_namespace", "__meta_kubernetes_pod_label_name"},
       .separator = "/",
       .target_label = "job"},
      {.source_labels = {"__meta_kubernetes_namespace"}, .target_label = "namespace"},
      {.source_labels = {"__meta_kubernetes_pod_name"}, .target_label = "pod"},
      {.source_labels = {"__meta_kubernetes_pod_container_name"}, .target_label = "container"},
      {.source_labels = {"__meta_kubernetes_pod_name", "__meta_kubernetes_pod_container_name",
                         "__meta_kubernetes_pod_container_port_name"},
       .separator = ":",
       .target_label = "instance"},
      {.target_label = "cluster", .replacement = "dev-us-central-0"},
      {.source_labels = {"__meta_kubernetes_namespace"},
       .regex = "hosted-grafana",
       .action = Action::kDrop},
      {.source_labels = {"__address__"},
       .modulus = 3,
       .target_label = "__tmp_hash",
       .action = Action::kHashMod},
      {.source_labels = {"__tmp_hash"}, .regex = "^0$", .action = Action::kKeep},
      {.regex = "__tmp_hash", .action = Action::kLabelDrop},
  };
}

// One target: build the builder from the discovered set, relabel, build the
// result (what target building does per target and per discovery update).
void RunTargets(benchmark::State& state, const std::vector<RelabelConfig>& rules) {
  const auto r = MustCompile(rules);
  const Labels in = PodTarget();
  int64_t kept = 0;
  for (auto _ : state) {
    LabelsBuilder lb(in);
    if (r->Process(&lb)) {
      Labels out = lb.Build();
      benchmark::DoNotOptimize(out);
      ++kept;
    }
  }
  state.counters["kept"] = benchmark::Counter(static_cast<double>(kept) /
                                              static_cast<double>(state.iterations()));
  state.SetItemsProcessed(state.iterations());
}

void BM_TargetRelabel_TypicalPod(benchmark::State& state) { RunTargets(state, TypicalPodRules()); }
BENCHMARK(BM_TargetRelabel_TypicalPod);

void BM_TargetRelabel_PrometheusKubernetes(benchmark::State& state) {
  RunTargets(state, PrometheusKubernetesRules());
}
BENCHMARK(BM_TargetRelabel_PrometheusKubernetes);

// metric_relabel_configs: drop go_gc_* and process_* series. The builder is
// reused across series as a scrape loop would reuse it; half the series are
// dropped.
void BM_MetricRelabel_DropRule(benchmark::State& state) {
  const auto r = MustCompile({{.source_labels = {"__name__"},
                               .regex = "go_gc_.*|process_.*",
                               .action = Action::kDrop}});
  std::vector<Labels> series;
  const char* names[] = {"http_requests_total", "go_gc_duration_seconds",
                         "node_cpu_seconds_total", "process_resident_memory_bytes"};
  for (int i = 0; i < 64; ++i) {
    series.push_back(Labels::Of({{"__name__", names[i % 4]},
                                 {"instance", "10.0.0.1:9100"},
                                 {"job", "node"},
                                 {"mode", i % 2 ? "idle" : "user"},
                                 {"cpu", std::to_string(i)}}));
  }
  LabelsBuilder lb;
  size_t i = 0;
  int64_t kept = 0;
  for (auto _ : state) {
    lb.Reset(series[i++ & 63]);
    kept += r->Process(&lb) ? 1 : 0;
  }
  benchmark::DoNotOptimize(kept);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MetricRelabel_DropRule)->Threads(1)->Threads(2);

// The same series with no rule at all: the floor (builder reset only).
void BM_MetricRelabel_BuilderResetOnly(benchmark::State& state) {
  const Labels s = Labels::Of({{"__name__", "http_requests_total"},
                               {"instance", "10.0.0.1:9100"},
                               {"job", "node"},
                               {"mode", "idle"},
                               {"cpu", "3"}});
  LabelsBuilder lb;
  for (auto _ : state) {
    lb.Reset(s);
    benchmark::DoNotOptimize(lb);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MetricRelabel_BuilderResetOnly);

// No rule: copying the pod target into a builder and building the result,
// the floor under every BM_Rule and BM_TargetRelabel figure.
void BM_TargetBuilderOnly(benchmark::State& state) { RunTargets(state, {}); }
BENCHMARK(BM_TargetBuilderOnly);

// Single rules in isolation, on the pod target.
void BM_Rule(benchmark::State& state, RelabelConfig rule) {
  RunTargets(state, {rule});
}
BENCHMARK_CAPTURE(BM_Rule, hashmod, RelabelConfig{.source_labels = {"__address__"},
                                                  .modulus = 3,
                                                  .target_label = "h",
                                                  .action = Action::kHashMod});
BENCHMARK_CAPTURE(BM_Rule, labelmap,
                  RelabelConfig{.regex = "__meta_kubernetes_pod_label_(.+)",
                                .action = Action::kLabelMap});
BENCHMARK_CAPTURE(BM_Rule, replace_address,
                  RelabelConfig{.source_labels = {"__address__",
                                                  "__meta_kubernetes_pod_annotation_prometheus_io_port"},
                                .regex = "([^:]+)(?::\\d+)?;(\\d+)",
                                .target_label = "__address__",
                                .replacement = "$1:$2"});
BENCHMARK_CAPTURE(BM_Rule, labeldrop_meta,
                  RelabelConfig{.regex = "__meta_.*", .action = Action::kLabelDrop});

}  // namespace
}  // namespace ferry::relabel

BENCHMARK_MAIN();
