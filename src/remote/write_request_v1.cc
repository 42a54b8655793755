#include "src/remote/write_request_v1.h"

#include <algorithm>

#include "src/remote/internal/wire.h"
#include "src/remote/internal/wire_labels.h"

namespace ferry::remote {
namespace {

using internal::Int64FieldSize;
using internal::LengthDelimitedSize;
using internal::Tag;

// prometheus.WriteRequest
constexpr uint8_t kRequestTimeseries = Tag(1, internal::kLengthDelimited);
constexpr uint8_t kRequestMetadata = Tag(3, internal::kLengthDelimited);
// prometheus.TimeSeries
constexpr uint8_t kSeriesSamples = Tag(2, internal::kLengthDelimited);
constexpr uint8_t kSeriesExemplars = Tag(3, internal::kLengthDelimited);
// prometheus.Sample
constexpr uint8_t kSampleValue = Tag(1, internal::kFixed64);
constexpr uint8_t kSampleTimestamp = Tag(2, internal::kVarint);
// prometheus.Exemplar
constexpr uint8_t kExemplarValue = Tag(2, internal::kFixed64);
constexpr uint8_t kExemplarTimestamp = Tag(3, internal::kVarint);
// prometheus.MetricMetadata
constexpr uint8_t kMetadataType = Tag(1, internal::kVarint);
constexpr uint8_t kMetadataFamily = Tag(2, internal::kLengthDelimited);
constexpr uint8_t kMetadataHelp = Tag(4, internal::kLengthDelimited);
constexpr uint8_t kMetadataUnit = Tag(5, internal::kLengthDelimited);

size_t SampleSize(const Sample& s) {
  return internal::DoubleFieldSize(s.value) + Int64FieldSize(s.timestamp_ms);
}

size_t ExemplarSize(const Exemplar& e, const std::vector<const labels::Label*>& ls) {
  return internal::V1LabelsSize(ls) + internal::DoubleFieldSize(e.value) +
         Int64FieldSize(e.timestamp_ms);
}

size_t StringFieldSize(std::string_view s) { return s.empty() ? 0 : LengthDelimitedSize(s.size()); }

char* WriteOptionalString(char* p, uint8_t tag, std::string_view s) {
  return s.empty() ? p : internal::WriteStringField(p, tag, s);
}

}  // namespace

// prometheus.TimeSeries.labels and prometheus.Exemplar.labels are both
// field 1 (internal::kV1LabelsTag), which is what EncodedLabels holds.
static_assert(internal::kV1LabelsTag == Tag(1, internal::kLengthDelimited));

Status WriteRequestBuilder::AddSeries(const labels::Labels& labels, std::span<const Sample> samples,
                                      std::span<const Exemplar> exemplars) {
  FERRY_RETURN_IF_ERROR(internal::CollectSeriesLabels(labels, &wire_labels_));
  size_t body = 0;
  Status st = SizeSeries(internal::V1LabelsSize(wire_labels_), samples, exemplars, &body);
  if (!st.ok()) return st.WithContext("series " + labels.ToString());
  char* p = StartSeries(body);
  p = internal::WriteV1Labels(p, wire_labels_);
  FinishSeries(p, samples, exemplars);
  return Status::Ok();
}

Status WriteRequestBuilder::AddSeries(EncodedLabelsView labels, std::span<const Sample> samples,
                                      std::span<const Exemplar> exemplars) {
  const std::string_view bytes = labels.bytes();
  return AddSeries(std::span(&bytes, 1), samples, exemplars);
}

Status WriteRequestBuilder::AddSeries(std::span<const std::string_view> label_pieces,
                                      std::span<const Sample> samples,
                                      std::span<const Exemplar> exemplars) {
  size_t labels_size = 0;
  for (std::string_view piece : label_pieces) labels_size += piece.size();
  if (labels_size == 0) return internal::NoLabelsError({});
  size_t body = 0;
  Status st = SizeSeries(labels_size, samples, exemplars, &body);
  if (!st.ok()) {
    std::string joined;
    for (std::string_view piece : label_pieces) joined += piece;
    return st.WithContext("series " + EncodedLabelsView(joined).ToString());
  }
  char* p = StartSeries(body);
  for (std::string_view piece : label_pieces) p = internal::WriteBytes(p, piece);
  FinishSeries(p, samples, exemplars);
  return Status::Ok();
}

Status WriteRequestBuilder::SizeSeries(size_t labels_size, std::span<const Sample> samples,
                                       std::span<const Exemplar> exemplars, size_t* body) {
  // Validate and size everything first, so that a rejected series leaves no
  // partial bytes and the buffer grows once.
  size_t n = labels_size;
  for (const Sample& s : samples) n += LengthDelimitedSize(SampleSize(s));
  exemplar_sizes_.clear();
  for (const Exemplar& e : exemplars) {
    FERRY_RETURN_IF_ERROR(internal::CollectWireLabels(e.labels, "exemplar", &exemplar_labels_));
    const size_t size = ExemplarSize(e, exemplar_labels_);
    exemplar_sizes_.push_back(size);
    n += LengthDelimitedSize(size);
  }
  *body = n;
  return Status::Ok();
}

char* WriteRequestBuilder::Append(size_t n) {
  if (used_ + n > buf_.size()) buf_.resize(std::max(used_ + n, 2 * buf_.size()));
  char* p = buf_.data() + used_;
  used_ += n;
  return p;
}

char* WriteRequestBuilder::StartSeries(size_t body) {
  char* p = Append(LengthDelimitedSize(body));
  p = internal::WriteByte(p, kRequestTimeseries);
  return internal::WriteVarint(p, body);
}

void WriteRequestBuilder::FinishSeries(char* p, std::span<const Sample> samples,
                                       std::span<const Exemplar> exemplars) {
  for (const Sample& s : samples) {
    p = internal::WriteByte(p, kSeriesSamples);
    p = internal::WriteVarint(p, SampleSize(s));
    p = internal::WriteDoubleField(p, kSampleValue, s.value);
    p = internal::WriteInt64Field(p, kSampleTimestamp, s.timestamp_ms);
  }
  for (size_t i = 0; i < exemplars.size(); ++i) {
    const Exemplar& e = exemplars[i];
    // Cannot fail: SizeSeries() checked the same labels.
    internal::CollectWireLabels(e.labels, "exemplar", &exemplar_labels_).IgnoreError();
    p = internal::WriteByte(p, kSeriesExemplars);
    p = internal::WriteVarint(p, exemplar_sizes_[i]);
    p = internal::WriteV1Labels(p, exemplar_labels_);
    p = internal::WriteDoubleField(p, kExemplarValue, e.value);
    p = internal::WriteInt64Field(p, kExemplarTimestamp, e.timestamp_ms);
  }
  FERRY_DCHECK(p == buf_.data() + used_);
  ++series_;
  samples_ += samples.size();
  exemplars_ += exemplars.size();
}

void WriteRequestBuilder::AddMetadata(const MetricMetadata& md) {
  const auto type = static_cast<uint64_t>(md.type);
  const size_t body = (type != 0 ? 1 + internal::VarintSize(type) : 0) +
                      StringFieldSize(md.metric_family_name) + StringFieldSize(md.help) +
                      StringFieldSize(md.unit);
  char* p = Append(LengthDelimitedSize(body));
  p = internal::WriteByte(p, kRequestMetadata);
  p = internal::WriteVarint(p, body);
  if (type != 0) {
    p = internal::WriteByte(p, kMetadataType);
    p = internal::WriteVarint(p, type);
  }
  p = WriteOptionalString(p, kMetadataFamily, md.metric_family_name);
  p = WriteOptionalString(p, kMetadataHelp, md.help);
  p = WriteOptionalString(p, kMetadataUnit, md.unit);
  FERRY_DCHECK(p == buf_.data() + used_);
  ++metadata_;
}

void WriteRequestBuilder::Reset() {
  used_ = 0;
  series_ = samples_ = exemplars_ = metadata_ = 0;
}

}  // namespace ferry::remote
