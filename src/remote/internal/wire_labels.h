// Puts a label set into remote-write order: sorted by name (byte order),
// empty values dropped, names non-empty and unique; and writes it as the
// repeated prometheus.Label field of remote-write 1.0. Shared by the 1.0 and
// 2.0 encoders and by EncodedLabels, so that every path validates, orders and
// encodes labels the same way.
//
// Thread-safety: free functions; the caller owns "*out".
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "src/base/status.h"
#include "src/labels/labels.h"
#include "src/remote/internal/wire.h"

namespace ferry::remote::internal {

// Fills "*out" (cleared first) with pointers into "ls" in wire order. The
// pointers are valid while "ls" lives. "what" names the label set in errors,
// e.g. "series" or "exemplar".
//
// Returns kInvalidArgument, naming the label set, for an empty label name or a
// duplicate name. Labels built by labels::LabelsBuilder are already sorted and
// free of empty values, so the common path is one comparison per label and no
// allocation once "*out" has grown.
[[nodiscard]] Status CollectWireLabels(const labels::Labels& ls, std::string_view what,
                                       std::vector<const labels::Label*>* out);

// CollectWireLabels(ls, "series", out), and additionally kInvalidArgument
// "series {...}: no labels with a non-empty value" when nothing is left:
// the checks every encoder applies to a series' own labels.
[[nodiscard]] inline Status CollectSeriesLabels(const labels::Labels& ls,
                                                std::vector<const labels::Label*>* out);

// Remote-write 1.0 labels: field 1 of both prometheus.TimeSeries and
// prometheus.Exemplar, each element a prometheus.Label:
//   { 0x0a len { 0x0a len name  0x12 len value } }*
inline constexpr uint8_t kV1LabelsTag = Tag(1, kLengthDelimited);
inline constexpr uint8_t kV1LabelNameTag = Tag(1, kLengthDelimited);
inline constexpr uint8_t kV1LabelValueTag = Tag(2, kLengthDelimited);

// Bytes WriteV1Labels() writes for "ls" (as filled by CollectWireLabels:
// names and values non-empty, so both fields of every Label are present).
inline size_t V1LabelsSize(std::span<const labels::Label* const> ls);
// Writes V1LabelsSize(ls) bytes at "p"; returns the end.
inline char* WriteV1Labels(char* p, std::span<const labels::Label* const> ls);

// Implementation. Inline: these run per series on the labels::Labels path
// of both builders, where an out-of-line call measurably cost (~5 %).

// "series {...}: no labels with a non-empty value".
[[nodiscard]] Status NoLabelsError(const labels::Labels& ls);

inline Status CollectSeriesLabels(const labels::Labels& ls,
                                  std::vector<const labels::Label*>* out) {
  FERRY_RETURN_IF_ERROR(CollectWireLabels(ls, "series", out));
  if (out->empty()) [[unlikely]] return NoLabelsError(ls);
  return Status::Ok();
}

// Payload of one prometheus.Label; both fields are always present.
inline size_t V1LabelSize(const labels::Label& l) {
  return LengthDelimitedSize(l.name.size()) + LengthDelimitedSize(l.value.size());
}

inline size_t V1LabelsSize(std::span<const labels::Label* const> ls) {
  size_t n = 0;
  for (const labels::Label* l : ls) n += LengthDelimitedSize(V1LabelSize(*l));
  return n;
}

inline char* WriteV1Labels(char* p, std::span<const labels::Label* const> ls) {
  for (const labels::Label* l : ls) {
    p = WriteByte(p, kV1LabelsTag);
    p = WriteVarint(p, V1LabelSize(*l));
    p = WriteStringField(p, kV1LabelNameTag, l->name);
    p = WriteStringField(p, kV1LabelValueTag, l->value);
  }
  return p;
}

}  // namespace ferry::remote::internal
