// Target: one scrape target after relabeling, as Prometheus' scrape.Target.
//
// BuildTarget() is Prometheus' PopulateLabels: it adds job, __scheme__,
// __metrics_path__, __scrape_interval__, __scrape_timeout__ and __param_*
// to the discovered labels, applies relabel_configs, validates __address__
// and the interval/timeout labels, removes __meta_* labels and defaults
// instance to __address__. Like Prometheus 3 it does not add a default port.
//
// Thread-safety: a Target is an immutable value.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "src/base/status.h"
#include "src/config/config.h"
#include "src/labels/labels.h"
#include "src/relabel/relabel.h"

namespace ferry::scrape {

struct Target {
  // After relabeling, including __address__, __scheme__, __metrics_path__,
  // __param_*, __scrape_interval__, __scrape_timeout__.
  labels::Labels labels;
  // Before relabeling (what discovery produced plus the job defaults).
  labels::Labels discovered_labels;
  std::string url;  // scheme://address/path?params
  std::chrono::milliseconds interval{0};
  std::chrono::milliseconds timeout{0};
  // Identity: a hash of labels and URL (stable across restarts).
  uint64_t hash = 0;

  // The labels attached to every sample: labels without those starting
  // with "__" (Prometheus' Target.Labels()).
  labels::Labels SampleLabels() const;
};

// The outcome of BuildTarget: a target, or dropped by relabeling (with its
// discovered labels kept for /api/v1/targets), or an error for this target.
struct BuildResult {
  std::optional<Target> target;
  labels::Labels discovered_labels;
  Status status;  // non-OK: the target is invalid (e.g. "no address")
};

// "target_labels" are the discovered labels (group labels merged with the
// target's own, the target's winning). "relabeler" may be null.
BuildResult BuildTarget(const labels::Labels& target_labels, const config::ScrapeConfig& cfg,
                        const relabel::Relabeler* relabeler);

// Prometheus' offset scheme: the first scrape of a target happens at a
// point in the interval fixed by the target's hash and "seed", pinned to
// absolute time, so targets spread evenly and a restart keeps each
// target's phase. Returns the delay from "now_ns" to that point.
std::chrono::nanoseconds ScrapeOffset(uint64_t target_hash, uint64_t seed,
                                      std::chrono::nanoseconds interval, int64_t now_ns);

// The seed: FNV-1a over the hostname and the external labels, as Prometheus.
uint64_t OffsetSeed(const std::string& hostname, const labels::Labels& external_labels);

}  // namespace ferry::scrape
