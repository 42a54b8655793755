// Helpers for the remote-write tests: a random request generator covering the
// shapes the encoders must handle, the expected decode of an input, bitwise
// comparison, and a reference encoding through the protoc-generated classes.
#pragma once

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "src/labels/labels.h"
#include "src/remote/decode.h"
#include "src/remote/types.h"

namespace ferry::remote::testing {

// One series as given to a builder.
struct InputSeries {
  labels::Labels labels;
  std::vector<Sample> samples;
  std::vector<Exemplar> exemplars;
  MetricType type = MetricType::kUnknown;
  std::string help;
  std::string unit;
  int64_t created_timestamp_ms = 0;
};

// Labels as they must appear on the wire: sorted, empty values dropped.
inline labels::Labels WireLabels(const labels::Labels& in) {
  std::vector<labels::Label> out;
  for (const labels::Label& l : in) {
    if (!l.value.empty()) out.push_back(l);
  }
  return labels::Labels::FromUnsorted(std::move(out));
}

inline DecodedSeries Expected(const InputSeries& in, bool v2) {
  DecodedSeries s;
  s.labels = WireLabels(in.labels);
  s.samples = in.samples;
  for (const Exemplar& e : in.exemplars) {
    s.exemplars.push_back(Exemplar{WireLabels(e.labels), e.value, e.timestamp_ms});
  }
  if (v2) {
    s.type = in.type;
    s.help = in.help;
    s.unit = in.unit;
    s.created_timestamp_ms = in.created_timestamp_ms;
  }
  return s;
}

inline uint64_t Bits(double v) { return std::bit_cast<uint64_t>(v); }

// Lower-case hex of "s", for byte-exact comparisons that print readably.
inline std::string Hex(std::string_view s) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

inline void ExpectSameSeries(const DecodedSeries& want, const DecodedSeries& got,
                             const std::string& where) {
  EXPECT_EQ(want.labels, got.labels) << where;
  ASSERT_EQ(want.samples.size(), got.samples.size()) << where;
  for (size_t i = 0; i < want.samples.size(); ++i) {
    EXPECT_EQ(want.samples[i].timestamp_ms, got.samples[i].timestamp_ms)
        << where << " sample " << i;
    EXPECT_EQ(Bits(want.samples[i].value), Bits(got.samples[i].value)) << where << " sample " << i;
  }
  ASSERT_EQ(want.exemplars.size(), got.exemplars.size()) << where;
  for (size_t i = 0; i < want.exemplars.size(); ++i) {
    EXPECT_EQ(want.exemplars[i].labels, got.exemplars[i].labels) << where << " exemplar " << i;
    EXPECT_EQ(Bits(want.exemplars[i].value), Bits(got.exemplars[i].value)) << where;
    EXPECT_EQ(want.exemplars[i].timestamp_ms, got.exemplars[i].timestamp_ms) << where;
  }
  EXPECT_EQ(want.histograms, got.histograms) << where;
  EXPECT_EQ(want.type, got.type) << where;
  EXPECT_EQ(want.help, got.help) << where;
  EXPECT_EQ(want.unit, got.unit) << where;
  EXPECT_EQ(want.created_timestamp_ms, got.created_timestamp_ms) << where;
}

inline void ExpectSameSeriesList(const std::vector<DecodedSeries>& want,
                                 const std::vector<DecodedSeries>& got) {
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size(); ++i) {
    ExpectSameSeries(want[i], got[i], "series " + std::to_string(i));
  }
}

// Deterministic generator of awkward but valid inputs.
class RandomInput {
 public:
  explicit RandomInput(uint64_t seed) : rng_(seed) {}

  std::vector<InputSeries> Series(size_t max_series) {
    std::vector<InputSeries> out(Uniform(0, max_series));
    for (InputSeries& s : out) {
      s.labels = Labels(true);
      s.samples.resize(Uniform(0, 6));
      for (Sample& x : s.samples) x = Sample{Timestamp(), Value()};
      if (Uniform(0, 3) == 0) {
        s.exemplars.resize(Uniform(1, 3));
        for (Exemplar& e : s.exemplars) e = Exemplar{Labels(false), Value(), Timestamp()};
      }
      if (Uniform(0, 2) == 0) {
        s.type = static_cast<MetricType>(Uniform(0, kMaxMetricType));
        s.help = Uniform(0, 1) ? String() : "";
        s.unit = Uniform(0, 1) ? String() : "";
        s.created_timestamp_ms = Uniform(0, 1) ? Timestamp() : 0;
      }
    }
    return out;
  }

  std::vector<MetricMetadata> Metadata(size_t max) {
    std::vector<MetricMetadata> out(Uniform(0, max));
    for (MetricMetadata& m : out) {
      m.type = static_cast<MetricType>(Uniform(0, kMaxMetricType));
      m.metric_family_name = Uniform(0, 4) ? String() : "";
      m.help = Uniform(0, 1) ? String() : "";
      m.unit = Uniform(0, 1) ? String() : "";
    }
    return out;
  }

 private:
  size_t Uniform(size_t lo, size_t hi) {
    return std::uniform_int_distribution<size_t>(lo, hi)(rng_);
  }

  // Names from a small pool (so symbols repeat across series), values mixing
  // ASCII, multi-byte UTF-8, long strings (two-byte length varints) and
  // empty values (which must be dropped).
  labels::Labels Labels(bool with_name) {
    static const char* kNames[] = {
        "__name__", "job",  "instance", "le", "a",
        "b",        "zone", "Z",        "_x", "pod_name_with_a_long_label_name"};
    std::vector<labels::Label> ls;
    std::vector<bool> used(std::size(kNames));
    size_t n = Uniform(0, 6);
    if (with_name) ls.push_back({"__name__", String()}), used[0] = true;
    for (size_t i = 0; i < n; ++i) {
      size_t k = Uniform(0, std::size(kNames) - 1);
      if (used[k]) continue;
      used[k] = true;
      ls.push_back({kNames[k], Uniform(0, 5) == 0 ? "" : String()});
    }
    return labels::Labels::FromUnsorted(std::move(ls));
  }

  std::string String() {
    static const char* kPieces[] = {"x", "up", "é", "日本", "a\"b", "\n", "0.5", "+Inf"};
    switch (Uniform(0, 3)) {
      case 0:
        return std::string(Uniform(100, 300), 'v');  // long: 2-byte varint length
      default: {
        std::string s;
        for (size_t i = Uniform(1, 4); i > 0; --i) s += kPieces[Uniform(0, std::size(kPieces) - 1)];
        return s;
      }
    }
  }

  int64_t Timestamp() {
    switch (Uniform(0, 5)) {
      case 0:
        return 0;
      case 1:
        return -static_cast<int64_t>(Uniform(1, 1'000'000));
      case 2:
        return std::numeric_limits<int64_t>::max();
      case 3:
        return std::numeric_limits<int64_t>::min();
      default:
        return 1'700'000'000'000 + static_cast<int64_t>(Uniform(0, 1'000'000));
    }
  }

  double Value() {
    switch (Uniform(0, 9)) {
      case 0:
        return 0.0;
      case 1:
        return -0.0;
      case 2:
        return StaleNaN();
      case 3:
        return std::numeric_limits<double>::quiet_NaN();
      case 4:
        return std::bit_cast<double>(uint64_t{0xfff8dead0000beef});  // NaN with payload
      case 5:
        return std::numeric_limits<double>::infinity();
      case 6:
        return std::numeric_limits<double>::denorm_min();
      default:
        return std::uniform_real_distribution<double>(-1e9, 1e9)(rng_);
    }
  }

  std::mt19937_64 rng_;
};

}  // namespace ferry::remote::testing
