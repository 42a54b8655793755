// Builders for single-sample prometheus-cpp metric families, shared by the
// agent's hand-written collectors (process, WAL).
#pragma once

#include <prometheus/metric_family.h>

namespace ferry::agent {

inline prometheus::MetricFamily EmptyFamily(const char* name, const char* help,
                                            prometheus::MetricType type) {
  prometheus::MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = type;
  return f;
}

inline prometheus::MetricFamily CounterFamily(const char* name, const char* help, double v) {
  auto f = EmptyFamily(name, help, prometheus::MetricType::Counter);
  prometheus::ClientMetric m;
  m.counter.value = v;
  f.metric.push_back(m);
  return f;
}

inline prometheus::MetricFamily GaugeFamily(const char* name, const char* help, double v) {
  auto f = EmptyFamily(name, help, prometheus::MetricType::Gauge);
  prometheus::ClientMetric m;
  m.gauge.value = v;
  f.metric.push_back(m);
  return f;
}

}  // namespace ferry::agent
