// Decoders for remote-write requests, built on the protoc-generated classes
// (src/remote/proto/*.pb.h) rather than on ferry's hand-written encoders, so
// that tests check one implementation against the other. Used by tests, the
// fuzzer and loopback receivers; not on ferry's send path.
//
// Input is the *uncompressed* body (see Decompress() in compression.h).
// Decoding is strict, like a careful receiver: every problem is a
// kInvalidArgument whose message says where ("timeseries[3].labels_refs[4]")
// and what. Checked:
//   - the bytes parse as the message (proto3 strings must be valid UTF-8);
//   - label names non-empty, values non-empty, names strictly increasing in
//     byte order (sorted, no duplicates) -- exemplar labels included;
//   - 2.0: symbols[0] == "" whenever symbols exist, every ref in range,
//     labels_refs of even length, metadata type known.
//   - 1.0: metadata type known.
// Not checked: label name character sets, sample timestamp order, or the 2.0
// rule "samples or histograms, not both" -- receivers decide those.
//
// Native histograms are counted per series but not decoded.
//
// Thread-safety: free functions, safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/status.h"
#include "src/labels/labels.h"
#include "src/remote/types.h"

namespace ferry::remote {

struct DecodedSeries {
  labels::Labels labels;
  std::vector<Sample> samples;
  std::vector<Exemplar> exemplars;
  // Number of native histogram samples present (not decoded).
  size_t histograms = 0;
  // 2.0 only; left at their defaults by the 1.0 decoder.
  MetricType type = MetricType::kUnknown;
  std::string help;
  std::string unit;
  int64_t created_timestamp_ms = 0;
};

struct DecodedRequest {
  std::vector<DecodedSeries> series;
  // 1.0 only (WriteRequest.metadata).
  std::vector<MetricMetadata> metadata;
  // 2.0 only: the symbol table as sent.
  std::vector<std::string> symbols;
};

// Decodes a prometheus.WriteRequest (remote write 1.0).
[[nodiscard]] Result<DecodedRequest> DecodeWriteRequestV1(std::string_view uncompressed);

// Decodes an io.prometheus.write.v2.Request (remote write 2.0), resolving
// every reference through the symbol table.
[[nodiscard]] Result<DecodedRequest> DecodeWriteRequestV2(std::string_view uncompressed);

}  // namespace ferry::remote
