#include "wal/internal/series_codec.h"

#include <vector>

#include "src/base/coding.h"

namespace ferry::wal::internal {

void EncodeLabels(const labels::Labels& labels, std::string* out) {
  coding::PutVarint64(out, labels.size());
  for (const labels::Label& l : labels) {
    coding::PutLengthPrefixed(out, l.name);
    coding::PutLengthPrefixed(out, l.value);
  }
}

Status DecodeLabels(std::string_view bytes, labels::Labels* out, LabelCheck check) {
  std::string_view in = bytes;
  uint64_t n;
  if (!coding::GetVarint64(&in, &n)) return Status::Corruption("series labels: bad count");
  if (n == 0) return Status::Corruption("series labels: empty label set");
  // Each label takes at least 3 bytes (two lengths and a 1-byte name), 2
  // when names are not checked (an empty name is read back as stored).
  const size_t min_label = check == LabelCheck::kNames ? 3 : 2;
  if (n > in.size() / min_label) return Status::Corruption("series labels: count exceeds size");
  std::vector<labels::Label> v;
  v.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view name, value;
    if (!coding::GetLengthPrefixed(&in, &name) || !coding::GetLengthPrefixed(&in, &value)) {
      return Status::Corruption("series labels: truncated label " + std::to_string(i));
    }
    if (check == LabelCheck::kNames && name.empty()) {
      return Status::Corruption("series labels: empty name at " + std::to_string(i));
    }
    // Append stores Labels, sorted by name: never out of order, and with
    // kNames never a name twice.
    if (!v.empty() &&
        (name < v.back().name || (check == LabelCheck::kNames && name == v.back().name))) {
      return Status::Corruption("series labels: names not sorted/unique at " + std::to_string(i));
    }
    v.push_back({std::string(name), std::string(value)});
  }
  if (!in.empty()) return Status::Corruption("series labels: trailing bytes");
  *out = labels::Labels::FromSorted(std::move(v));
  return Status::Ok();
}

}  // namespace ferry::wal::internal
