// WriteRequestBuilder: a streaming encoder for Prometheus remote-write 1.0
// requests (prometheus.WriteRequest, src/remote/proto/remote.proto).
//
// The protobuf wire format is written directly into one reusable buffer; no
// generated message objects and no allocation per series or per sample once
// the buffer has grown to the batch size. Use one builder per shard and
// Reset() it between batches:
//
//   WriteRequestBuilder b;
//   for (...) FERRY_RETURN_IF_ERROR(b.AddSeries(series_labels, samples));
//   std::string body;
//   Compress(b.Finish(), &body);      // src/remote/compression.h
//   ... POST body ...
//   b.Reset();
//
// Bytes produced (field order = field number order, proto3 defaults omitted,
// exactly what protobuf's own serializer produces for the same message):
//
//   WriteRequest := { 0x0a len TimeSeries }* { 0x1a len MetricMetadata }*
//   TimeSeries   := { 0x0a len Label }* { 0x12 len Sample }* { 0x1a len Exemplar }*
//   Label        := 0x0a len name  0x12 len value
//   Sample       := [0x09 fixed64 value]  [0x10 varint timestamp]
//   Exemplar     := { 0x0a len Label }* [0x11 fixed64 value] [0x18 varint timestamp]
//
// Values are copied bit for bit, so NaN payloads (the stale marker,
// kStaleNaNBits) survive. A value of +0.0 and a timestamp of 0 are omitted, as
// proto3 does; they decode back to the same bits.
//
// Thread-safety: not thread-safe; one builder per sending shard.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/status.h"
#include "src/labels/labels.h"
#include "src/remote/encoded_labels.h"
#include "src/remote/types.h"

namespace ferry::remote {

class WriteRequestBuilder {
 public:
  WriteRequestBuilder() = default;
  WriteRequestBuilder(const WriteRequestBuilder&) = delete;
  WriteRequestBuilder& operator=(const WriteRequestBuilder&) = delete;
  WriteRequestBuilder(WriteRequestBuilder&&) = default;
  WriteRequestBuilder& operator=(WriteRequestBuilder&&) = default;

  // Appends one TimeSeries with "labels" (written sorted by name, labels with
  // empty values left out), "samples" in the given order (the caller sorts by
  // timestamp; a receiver rejects out-of-order samples) and optional
  // "exemplars". A series with no samples is allowed (exemplar-only).
  //
  // Label bytes are sent as given: strings that are not valid UTF-8 make
  // receivers that validate proto3 strings reject the whole request.
  //
  // Returns kInvalidArgument, naming the series, when "labels" has no label
  // with a non-empty value, or for an empty or duplicate label name in
  // "labels" or in an exemplar's labels; nothing is appended
  // then and the builder stays usable.
  [[nodiscard]] Status AddSeries(const labels::Labels& labels, std::span<const Sample> samples,
                                 std::span<const Exemplar> exemplars = {});

  // The same with labels encoded beforehand (encoded_labels.h), for senders
  // that send a series many times: the labels are copied as one block, so a
  // series costs about what its samples cost. The bytes appended are
  // identical to those of the overload above for the labels "labels" was
  // made from. Returns kInvalidArgument for an empty "labels" ("no labels
  // with a non-empty value") or a bad exemplar label set, as above.
  [[nodiscard]] Status AddSeries(EncodedLabelsView labels, std::span<const Sample> samples,
                                 std::span<const Exemplar> exemplars = {});

  // The same with the encoded labels in pieces: each piece is one or more
  // whole labels as EncodedLabels writes them, in order, so that their
  // concatenation is the label set's bytes. They are copied straight into
  // the request (a cache that stores labels in pieces need not join them).
  [[nodiscard]] Status AddSeries(std::span<const std::string_view> label_pieces,
                                 std::span<const Sample> samples,
                                 std::span<const Exemplar> exemplars = {});

  // Appends one metadata entry (WriteRequest.metadata). Prometheus sends
  // metadata in requests of their own, without series; nothing here forbids
  // mixing them.
  void AddMetadata(const MetricMetadata& metadata);

  // Returns the encoded request (uncompressed). The view is valid until the
  // next non-const call. More series may be added after Finish(); the next
  // Finish() then covers all of them.
  std::string_view Finish() const { return std::string_view(buf_.data(), used_); }

  // Forgets everything added, keeping the buffer's capacity for reuse.
  void Reset();

  size_t series() const { return series_; }
  size_t samples() const { return samples_; }
  size_t exemplars() const { return exemplars_; }
  size_t metadata() const { return metadata_; }
  // Uncompressed size of the request so far.
  size_t size_bytes() const { return used_; }

 private:
  // The parts both AddSeries overloads share. SizeSeries checks the
  // exemplars (errors name the exemplar, the caller adds the series) and
  // returns the TimeSeries payload size for a labels field of "labels_size"
  // bytes; StartSeries appends the TimeSeries' tag and length and returns
  // where its labels go; FinishSeries writes samples and exemplars after the
  // labels ending at "p" and counts the series.
  [[nodiscard]] Status SizeSeries(size_t labels_size, std::span<const Sample> samples,
                                  std::span<const Exemplar> exemplars, size_t* body);
  char* StartSeries(size_t body);
  // Makes room for "n" more bytes and returns where they go.
  char* Append(size_t n);
  void FinishSeries(char* p, std::span<const Sample> samples, std::span<const Exemplar> exemplars);

  // The request is buf_[0, used_). buf_ keeps its high-water size across
  // Reset(), so appending does not zero-fill bytes about to be written.
  std::string buf_;
  size_t used_ = 0;
  size_t series_ = 0;
  size_t samples_ = 0;
  size_t exemplars_ = 0;
  size_t metadata_ = 0;
  // Scratch reused across calls so AddSeries does not allocate once warm.
  std::vector<const labels::Label*> wire_labels_;
  std::vector<const labels::Label*> exemplar_labels_;
  std::vector<size_t> exemplar_sizes_;
};

}  // namespace ferry::remote
