// Value types shared by ferry's remote-write encoders and decoders: samples,
// exemplars, metric metadata, and Prometheus' stale marker.
//
// Thread-safety: plain values; const access from many threads is safe.
#pragma once

#include <bit>
#include <cstdint>
#include <string>
#include <string_view>

#include "src/labels/labels.h"

namespace ferry::remote {

// The exact bits of Prometheus' stale marker (value.StaleNaN). A stale marker
// is a NaN, so it must be recognised by its bits, never with ==, and every
// encoder on the path must keep NaN payload bits exactly (ferry's do: doubles
// are copied bit for bit, never through arithmetic).
inline constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ull;

inline constexpr double StaleNaN() { return std::bit_cast<double>(kStaleNaNBits); }

// True only for the stale marker's exact bit pattern; other NaNs are ordinary
// values ("NaN" scraped from a target is a different bit pattern).
inline constexpr bool IsStaleNaN(double v) { return std::bit_cast<uint64_t>(v) == kStaleNaNBits; }

// One float sample. Timestamps are milliseconds since the Unix epoch.
struct Sample {
  int64_t timestamp_ms = 0;
  double value = 0;
};

// Bitwise equality: NaN payloads count, -0.0 != +0.0. This is the equality a
// wire-format round trip must satisfy.
inline bool BitwiseEqual(const Sample& a, const Sample& b) {
  return a.timestamp_ms == b.timestamp_ms &&
         std::bit_cast<uint64_t>(a.value) == std::bit_cast<uint64_t>(b.value);
}

// An exemplar attached to a series' samples. "timestamp_ms" 0 means unset.
struct Exemplar {
  labels::Labels labels;
  double value = 0;
  int64_t timestamp_ms = 0;
};

// Prometheus' metric types. The numeric values are those of both
// prometheus.MetricMetadata.MetricType (1.0) and
// io.prometheus.write.v2.Metadata.MetricType (2.0), which agree.
enum class MetricType : uint8_t {
  kUnknown = 0,  // 1.0 UNKNOWN, 2.0 METRIC_TYPE_UNSPECIFIED
  kCounter = 1,
  kGauge = 2,
  kHistogram = 3,
  kGaugeHistogram = 4,
  kSummary = 5,
  kInfo = 6,
  kStateSet = 7,
};
inline constexpr uint32_t kMaxMetricType = 7;

// RW 1.0 metadata entry (prometheus.MetricMetadata), sent per metric family.
struct MetricMetadata {
  MetricType type = MetricType::kUnknown;
  std::string metric_family_name;
  std::string help;
  std::string unit;
  friend bool operator==(const MetricMetadata&, const MetricMetadata&) = default;
};

// RW 2.0 per-series metadata (io.prometheus.write.v2.Metadata) as borrowed
// views; the encoder interns "help" and "unit" into the symbol table. Empty
// strings mean absent.
struct SeriesMetadataRef {
  MetricType type = MetricType::kUnknown;
  std::string_view help;
  std::string_view unit;
};

}  // namespace ferry::remote
