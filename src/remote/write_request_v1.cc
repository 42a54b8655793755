#include "src/remote/write_request_v1.h"

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
constexpr uint8_t kSeriesLabels = Tag(1, internal::kLengthDelimited);
constexpr uint8_t kSeriesSamples = Tag(2, internal::kLengthDelimited);
constexpr uint8_t kSeriesExemplars = Tag(3, internal::kLengthDelimited);
// prometheus.Label
constexpr uint8_t kLabelName = Tag(1, internal::kLengthDelimited);
constexpr uint8_t kLabelValue = Tag(2, internal::kLengthDelimited);
// prometheus.Sample
constexpr uint8_t kSampleValue = Tag(1, internal::kFixed64);
constexpr uint8_t kSampleTimestamp = Tag(2, internal::kVarint);
// prometheus.Exemplar
constexpr uint8_t kExemplarLabels = Tag(1, internal::kLengthDelimited);
constexpr uint8_t kExemplarValue = Tag(2, internal::kFixed64);
constexpr uint8_t kExemplarTimestamp = Tag(3, internal::kVarint);
// prometheus.MetricMetadata
constexpr uint8_t kMetadataType = Tag(1, internal::kVarint);
constexpr uint8_t kMetadataFamily = Tag(2, internal::kLengthDelimited);
constexpr uint8_t kMetadataHelp = Tag(4, internal::kLengthDelimited);
constexpr uint8_t kMetadataUnit = Tag(5, internal::kLengthDelimited);

// Label payload; the name is never empty (checked by CollectWireLabels) and
// the value never empty (dropped), so both fields are always present.
size_t LabelSize(const labels::Label& l) {
  return LengthDelimitedSize(l.name.size()) + LengthDelimitedSize(l.value.size());
}

size_t LabelsFieldSize(const std::vector<const labels::Label*>& ls) {
  size_t n = 0;
  for (const labels::Label* l : ls) n += LengthDelimitedSize(LabelSize(*l));
  return n;
}

char* WriteLabels(char* p, uint8_t tag, const std::vector<const labels::Label*>& ls) {
  for (const labels::Label* l : ls) {
    p = internal::WriteByte(p, tag);
    p = internal::WriteVarint(p, LabelSize(*l));
    p = internal::WriteStringField(p, kLabelName, l->name);
    p = internal::WriteStringField(p, kLabelValue, l->value);
  }
  return p;
}

size_t SampleSize(const Sample& s) {
  return internal::DoubleFieldSize(s.value) + Int64FieldSize(s.timestamp_ms);
}

size_t ExemplarSize(const Exemplar& e, const std::vector<const labels::Label*>& ls) {
  return LabelsFieldSize(ls) + internal::DoubleFieldSize(e.value) + Int64FieldSize(e.timestamp_ms);
}

size_t StringFieldSize(std::string_view s) { return s.empty() ? 0 : LengthDelimitedSize(s.size()); }

char* WriteOptionalString(char* p, uint8_t tag, std::string_view s) {
  return s.empty() ? p : internal::WriteStringField(p, tag, s);
}

}  // namespace

Status WriteRequestBuilder::AddSeries(const labels::Labels& labels, std::span<const Sample> samples,
                                      std::span<const Exemplar> exemplars) {
  FERRY_RETURN_IF_ERROR(internal::CollectWireLabels(labels, "series", &wire_labels_));
  if (wire_labels_.empty()) {
    return Status::InvalidArgument("series " + labels.ToString() +
                                   ": no labels with a non-empty value");
  }

  // Pass 1: validate and size everything, so that a rejected series leaves
  // no partial bytes and the buffer grows once.
  size_t body = LabelsFieldSize(wire_labels_);
  for (const Sample& s : samples) body += LengthDelimitedSize(SampleSize(s));
  exemplar_sizes_.clear();
  for (const Exemplar& e : exemplars) {
    Status st = internal::CollectWireLabels(e.labels, "exemplar", &exemplar_labels_);
    if (!st.ok()) return st.WithContext("series " + labels.ToString());
    size_t n = ExemplarSize(e, exemplar_labels_);
    exemplar_sizes_.push_back(n);
    body += LengthDelimitedSize(n);
  }

  // Pass 2: write.
  const size_t old_size = buf_.size();
  buf_.resize(old_size + LengthDelimitedSize(body));
  char* p = buf_.data() + old_size;
  p = internal::WriteByte(p, kRequestTimeseries);
  p = internal::WriteVarint(p, body);
  p = WriteLabels(p, kSeriesLabels, wire_labels_);
  for (const Sample& s : samples) {
    p = internal::WriteByte(p, kSeriesSamples);
    p = internal::WriteVarint(p, SampleSize(s));
    p = internal::WriteDoubleField(p, kSampleValue, s.value);
    p = internal::WriteInt64Field(p, kSampleTimestamp, s.timestamp_ms);
  }
  for (size_t i = 0; i < exemplars.size(); ++i) {
    const Exemplar& e = exemplars[i];
    // Cannot fail: the same labels passed in pass 1.
    internal::CollectWireLabels(e.labels, "exemplar", &exemplar_labels_).IgnoreError();
    p = internal::WriteByte(p, kSeriesExemplars);
    p = internal::WriteVarint(p, exemplar_sizes_[i]);
    p = WriteLabels(p, kExemplarLabels, exemplar_labels_);
    p = internal::WriteDoubleField(p, kExemplarValue, e.value);
    p = internal::WriteInt64Field(p, kExemplarTimestamp, e.timestamp_ms);
  }
  FERRY_DCHECK(p == buf_.data() + buf_.size());

  ++series_;
  samples_ += samples.size();
  exemplars_ += exemplars.size();
  return Status::Ok();
}

void WriteRequestBuilder::AddMetadata(const MetricMetadata& md) {
  const auto type = static_cast<uint64_t>(md.type);
  const size_t body = (type != 0 ? 1 + internal::VarintSize(type) : 0) +
                      StringFieldSize(md.metric_family_name) + StringFieldSize(md.help) +
                      StringFieldSize(md.unit);
  const size_t old_size = buf_.size();
  buf_.resize(old_size + LengthDelimitedSize(body));
  char* p = buf_.data() + old_size;
  p = internal::WriteByte(p, kRequestMetadata);
  p = internal::WriteVarint(p, body);
  if (type != 0) {
    p = internal::WriteByte(p, kMetadataType);
    p = internal::WriteVarint(p, type);
  }
  p = WriteOptionalString(p, kMetadataFamily, md.metric_family_name);
  p = WriteOptionalString(p, kMetadataHelp, md.help);
  p = WriteOptionalString(p, kMetadataUnit, md.unit);
  FERRY_DCHECK(p == buf_.data() + buf_.size());
  ++metadata_;
}

void WriteRequestBuilder::Reset() {
  buf_.clear();
  series_ = samples_ = exemplars_ = metadata_ = 0;
}

}  // namespace ferry::remote
