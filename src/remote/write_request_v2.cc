#include "src/remote/write_request_v2.h"

#include <cstring>

#include "src/remote/internal/wire.h"
#include "src/remote/internal/wire_labels.h"

namespace ferry::remote {
namespace {

using internal::Int64FieldSize;
using internal::LengthDelimitedSize;
using internal::Tag;
using internal::VarintSize;

// io.prometheus.write.v2.Request
constexpr uint8_t kRequestTimeseries = Tag(5, internal::kLengthDelimited);
// io.prometheus.write.v2.TimeSeries
constexpr uint8_t kSeriesLabelsRefs = Tag(1, internal::kLengthDelimited);
constexpr uint8_t kSeriesSamples = Tag(2, internal::kLengthDelimited);
constexpr uint8_t kSeriesExemplars = Tag(4, internal::kLengthDelimited);
constexpr uint8_t kSeriesMetadata = Tag(5, internal::kLengthDelimited);
constexpr uint8_t kSeriesCreatedTimestamp = Tag(6, internal::kVarint);
// io.prometheus.write.v2.Sample
constexpr uint8_t kSampleValue = Tag(1, internal::kFixed64);
constexpr uint8_t kSampleTimestamp = Tag(2, internal::kVarint);
// io.prometheus.write.v2.Exemplar
constexpr uint8_t kExemplarLabelsRefs = Tag(1, internal::kLengthDelimited);
constexpr uint8_t kExemplarValue = Tag(2, internal::kFixed64);
constexpr uint8_t kExemplarTimestamp = Tag(3, internal::kVarint);
// io.prometheus.write.v2.Metadata
constexpr uint8_t kMetadataType = Tag(1, internal::kVarint);
constexpr uint8_t kMetadataHelpRef = Tag(3, internal::kVarint);
constexpr uint8_t kMetadataUnitRef = Tag(4, internal::kVarint);

size_t PackedPayloadSize(std::span<const uint32_t> refs) {
  size_t n = 0;
  for (uint32_t r : refs) n += VarintSize(r);
  return n;
}

// A packed repeated field is left out entirely when empty.
size_t PackedFieldSize(std::span<const uint32_t> refs) {
  return refs.empty() ? 0 : LengthDelimitedSize(PackedPayloadSize(refs));
}

char* WritePacked(char* p, uint8_t tag, std::span<const uint32_t> refs) {
  if (refs.empty()) return p;
  p = internal::WriteByte(p, tag);
  p = internal::WriteVarint(p, PackedPayloadSize(refs));
  for (uint32_t r : refs) p = internal::WriteVarint(p, r);
  return p;
}

size_t UintFieldSize(uint64_t v) { return v != 0 ? 1 + VarintSize(v) : 0; }

char* WriteUintField(char* p, uint8_t tag, uint64_t v) {
  if (v == 0) return p;
  p = internal::WriteByte(p, tag);
  return internal::WriteVarint(p, v);
}

size_t SampleSize(const Sample& s) {
  return internal::DoubleFieldSize(s.value) + Int64FieldSize(s.timestamp_ms);
}

}  // namespace

Status WriteRequestV2Builder::AddSeries(const labels::Labels& labels,
                                        std::span<const Sample> samples,
                                        const SeriesExtrasV2& extras) {
  // Validate everything before interning anything, so a rejected series
  // leaves neither bytes nor symbols behind.
  FERRY_RETURN_IF_ERROR(internal::CollectSeriesLabels(labels, &wire_labels_));
  Status st = CheckExemplars(extras.exemplars);
  if (!st.ok()) return st.WithContext("series " + labels.ToString());
  refs_.clear();
  for (const labels::Label* l : wire_labels_) {
    refs_.push_back(symbols_.Intern(l->name));
    refs_.push_back(symbols_.Intern(l->value));
  }
  AppendSeries(samples, extras);
  return Status::Ok();
}

Status WriteRequestV2Builder::AddSeries(EncodedLabelsView labels,
                                        std::span<const Sample> samples,
                                        const SeriesExtrasV2& extras) {
  if (labels.empty()) {
    return internal::NoLabelsError({});  // "series {}: ..."
  }
  Status st = CheckExemplars(extras.exemplars);
  if (!st.ok()) return st.WithContext("series " + labels.ToString());
  refs_.clear();
  for (const LabelView& l : labels) {
    refs_.push_back(symbols_.Intern(l.name));
    refs_.push_back(symbols_.Intern(l.value));
  }
  AppendSeries(samples, extras);
  return Status::Ok();
}

Status WriteRequestV2Builder::CheckExemplars(std::span<const Exemplar> exemplars) {
  for (const Exemplar& e : exemplars) {
    FERRY_RETURN_IF_ERROR(internal::CollectWireLabels(e.labels, "exemplar", &exemplar_labels_));
  }
  return Status::Ok();
}

void WriteRequestV2Builder::AppendSeries(std::span<const Sample> samples,
                                         const SeriesExtrasV2& extras) {
  exemplar_refs_.clear();
  exemplar_ends_.clear();
  for (const Exemplar& e : extras.exemplars) {
    // Cannot fail: CheckExemplars() passed.
    internal::CollectWireLabels(e.labels, "exemplar", &exemplar_labels_).IgnoreError();
    for (const labels::Label* l : exemplar_labels_) {
      exemplar_refs_.push_back(symbols_.Intern(l->name));
      exemplar_refs_.push_back(symbols_.Intern(l->value));
    }
    exemplar_ends_.push_back(exemplar_refs_.size());
  }
  const SeriesMetadataRef& md = extras.metadata;
  const auto type = static_cast<uint64_t>(md.type);
  const uint32_t help_ref = md.help.empty() ? 0 : symbols_.Intern(md.help);
  const uint32_t unit_ref = md.unit.empty() ? 0 : symbols_.Intern(md.unit);
  const size_t md_size = UintFieldSize(type) + UintFieldSize(help_ref) + UintFieldSize(unit_ref);

  size_t body = PackedFieldSize(refs_);
  for (const Sample& s : samples) body += LengthDelimitedSize(SampleSize(s));
  size_t begin = 0;
  for (size_t i = 0; i < extras.exemplars.size(); ++i) {
    const Exemplar& e = extras.exemplars[i];
    std::span<const uint32_t> r(exemplar_refs_.data() + begin, exemplar_ends_[i] - begin);
    begin = exemplar_ends_[i];
    body += LengthDelimitedSize(PackedFieldSize(r) + internal::DoubleFieldSize(e.value) +
                                Int64FieldSize(e.timestamp_ms));
  }
  if (md_size != 0) body += LengthDelimitedSize(md_size);
  body += Int64FieldSize(extras.created_timestamp_ms);

  const size_t old_size = series_buf_.size();
  series_buf_.resize(old_size + LengthDelimitedSize(body));
  char* p = series_buf_.data() + old_size;
  p = internal::WriteByte(p, kRequestTimeseries);
  p = internal::WriteVarint(p, body);
  p = WritePacked(p, kSeriesLabelsRefs, refs_);
  for (const Sample& s : samples) {
    p = internal::WriteByte(p, kSeriesSamples);
    p = internal::WriteVarint(p, SampleSize(s));
    p = internal::WriteDoubleField(p, kSampleValue, s.value);
    p = internal::WriteInt64Field(p, kSampleTimestamp, s.timestamp_ms);
  }
  begin = 0;
  for (size_t i = 0; i < extras.exemplars.size(); ++i) {
    const Exemplar& e = extras.exemplars[i];
    std::span<const uint32_t> r(exemplar_refs_.data() + begin, exemplar_ends_[i] - begin);
    begin = exemplar_ends_[i];
    p = internal::WriteByte(p, kSeriesExemplars);
    p = internal::WriteVarint(p, PackedFieldSize(r) + internal::DoubleFieldSize(e.value) +
                                     Int64FieldSize(e.timestamp_ms));
    p = WritePacked(p, kExemplarLabelsRefs, r);
    p = internal::WriteDoubleField(p, kExemplarValue, e.value);
    p = internal::WriteInt64Field(p, kExemplarTimestamp, e.timestamp_ms);
  }
  if (md_size != 0) {
    p = internal::WriteByte(p, kSeriesMetadata);
    p = internal::WriteVarint(p, md_size);
    p = WriteUintField(p, kMetadataType, type);
    p = WriteUintField(p, kMetadataHelpRef, help_ref);
    p = WriteUintField(p, kMetadataUnitRef, unit_ref);
  }
  p = internal::WriteInt64Field(p, kSeriesCreatedTimestamp, extras.created_timestamp_ms);
  FERRY_DCHECK(p == series_buf_.data() + series_buf_.size());

  ++series_;
  samples_ += samples.size();
  exemplars_ += extras.exemplars.size();
}

std::string_view WriteRequestV2Builder::Finish() {
  out_.resize(symbols_.EncodedSize() + series_buf_.size());
  char* p = symbols_.Encode(out_.data());
  if (!series_buf_.empty()) std::memcpy(p, series_buf_.data(), series_buf_.size());
  return out_;
}

void WriteRequestV2Builder::Reset() {
  symbols_.Reset();
  series_buf_.clear();
  out_.clear();
  series_ = samples_ = exemplars_ = 0;
}

}  // namespace ferry::remote
