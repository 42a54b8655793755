// WriteRequestV2Builder: a streaming encoder for Prometheus remote-write 2.0
// requests (io.prometheus.write.v2.Request,
// src/remote/proto/io/prometheus/write/v2/types.proto).
//
// Every string (label names and values, help, unit, exemplar labels) is
// interned once into the request's symbol table and referenced by index.
// Series are encoded as they are added into one reusable buffer; Finish()
// writes the symbol table in front of them, so the output has protobuf's
// canonical field order (symbols = 4 before timeseries = 5) and equals what
// protobuf's own serializer produces for the same message:
//
//   Request    := { 0x22 len symbol }*  { 0x2a len TimeSeries }*
//   TimeSeries := [0x0a len varint(ref)*]      labels_refs, packed, name/value pairs
//                 { 0x12 len Sample }*
//                 { 0x22 len Exemplar }*
//                 [0x2a len Metadata]          only when type, help or unit is set
//                 [0x30 varint created_timestamp]
//   Sample     := [0x09 fixed64 value] [0x10 varint timestamp]
//   Exemplar   := [0x0a len varint(ref)*] [0x11 fixed64 value] [0x18 varint timestamp]
//   Metadata   := [0x08 varint type] [0x18 varint help_ref] [0x20 varint unit_ref]
//
// symbols[0] is always "". Values are copied bit for bit (stale markers keep
// their payload). No allocation per sample; none per series once the buffers
// and the symbol table have grown to the batch size. Use one builder per shard
// and Reset() it between requests.
//
// Thread-safety: not thread-safe; one builder per sending shard.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/status.h"
#include "src/labels/labels.h"
#include "src/remote/encoded_labels.h"
#include "src/remote/internal/symbol_table.h"
#include "src/remote/types.h"

namespace ferry::remote {

// Optional per-series parts of a 2.0 TimeSeries.
struct SeriesExtrasV2 {
  // Exemplars attached to the series' samples. Default: none.
  std::span<const Exemplar> exemplars;
  // Type, help and unit of the series' metric family. Default: unspecified
  // (the Metadata field is then left out).
  SeriesMetadataRef metadata;
  // When a counter or histogram started counting, ms since the epoch.
  // Default: 0 = unset (to send exactly 0 the spec says to use 1 ms instead).
  int64_t created_timestamp_ms = 0;
};

class WriteRequestV2Builder {
 public:
  WriteRequestV2Builder() = default;
  WriteRequestV2Builder(const WriteRequestV2Builder&) = delete;
  WriteRequestV2Builder& operator=(const WriteRequestV2Builder&) = delete;
  WriteRequestV2Builder(WriteRequestV2Builder&&) = default;
  WriteRequestV2Builder& operator=(WriteRequestV2Builder&&) = default;

  // Appends one TimeSeries: "labels" as sorted name/value refs (labels with
  // empty values left out), "samples" in the given order (sorted by timestamp
  // is the caller's job), and "extras".
  //
  // Label bytes are sent as given: strings that are not valid UTF-8 make
  // receivers that validate proto3 strings reject the whole request.
  //
  // Returns kInvalidArgument, naming the series, when "labels" has no label
  // with a non-empty value, or for an empty or duplicate label name in
  // "labels" or in an exemplar's labels; nothing is added then
  // and the builder stays usable.
  [[nodiscard]] Status AddSeries(const labels::Labels& labels, std::span<const Sample> samples,
                                 const SeriesExtrasV2& extras = {});

  // The same with labels encoded beforehand (encoded_labels.h): the (name,
  // value) pairs are read from its bytes and interned, skipping the sorting
  // and checks. Appends what the overload above appends for the labels
  // "labels" was made from. Returns kInvalidArgument for an empty "labels"
  // ("no labels with a non-empty value") or a bad exemplar label set.
  [[nodiscard]] Status AddSeries(EncodedLabelsView labels, std::span<const Sample> samples,
                                 const SeriesExtrasV2& extras = {});

  // Returns the encoded request (uncompressed): symbols, then every series
  // added since the last Reset(). The view is valid until the next non-const
  // call. Costs one copy of the series bytes.
  std::string_view Finish();

  // Forgets everything added, keeping buffer capacity.
  void Reset();

  size_t series() const { return series_; }
  size_t samples() const { return samples_; }
  size_t exemplars() const { return exemplars_; }
  // Number of symbols including the leading "".
  size_t symbols() const { return symbols_.size(); }
  // Uncompressed size Finish() would return.
  size_t size_bytes() const { return symbols_.EncodedSize() + series_buf_.size(); }

 private:
  // Checks every exemplar's labels; errors name the exemplar, the caller
  // adds the series.
  [[nodiscard]] Status CheckExemplars(std::span<const Exemplar> exemplars);
  // Writes the TimeSeries whose labels_refs are in refs_, interning the
  // exemplars' labels and metadata. REQUIRES: CheckExemplars() passed.
  void AppendSeries(std::span<const Sample> samples, const SeriesExtrasV2& extras);

  internal::SymbolTable symbols_;
  std::string series_buf_;  // encoded TimeSeries fields, in order
  std::string out_;         // Finish() result
  size_t series_ = 0;
  size_t samples_ = 0;
  size_t exemplars_ = 0;
  // Scratch reused across calls.
  std::vector<const labels::Label*> wire_labels_;
  std::vector<const labels::Label*> exemplar_labels_;
  std::vector<uint32_t> refs_;           // series labels_refs
  std::vector<uint32_t> exemplar_refs_;  // all exemplars' labels_refs, concatenated
  std::vector<size_t> exemplar_ends_;    // end of each exemplar's refs in exemplar_refs_
};

}  // namespace ferry::remote
