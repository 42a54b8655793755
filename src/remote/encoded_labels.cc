#include "src/remote/encoded_labels.h"

#include <limits>
#include <vector>

#include "src/base/check.h"
#include "src/remote/internal/wire.h"
#include "src/remote/internal/wire_labels.h"

namespace ferry::remote {
namespace {

constexpr size_t kLengthPrefix = sizeof(uint32_t);

}  // namespace

Result<EncodedLabels> EncodedLabels::FromLabels(const labels::Labels& ls) {
  // thread_local scratch: FromLabels runs once per new series, from any
  // sender thread, and should not allocate for the pointer list.
  thread_local std::vector<const labels::Label*> wire;
  FERRY_RETURN_IF_ERROR(internal::CollectSeriesLabels(ls, &wire));
  const size_t n = internal::V1LabelsSize(wire);
  if (n > std::numeric_limits<uint32_t>::max()) {
    return Status::ResourceExhausted("series " + ls.ToString() + ": label set of " +
                                     std::to_string(n) + " bytes exceeds 4 GiB - 1 encoded");
  }
  std::unique_ptr<char[]> rep(new char[kLengthPrefix + n]);
  const auto len = static_cast<uint32_t>(n);
  std::memcpy(rep.get(), &len, kLengthPrefix);
  char* end = internal::WriteV1Labels(rep.get() + kLengthPrefix, wire);
  FERRY_CHECK(end == rep.get() + kLengthPrefix + n);
  return EncodedLabels(std::move(rep));
}

EncodedLabels::EncodedLabels(const EncodedLabels& other) {
  if (other.rep_ == nullptr) return;
  const size_t size = kLengthPrefix + other.bytes().size();
  rep_.reset(new char[size]);
  std::memcpy(rep_.get(), other.rep_.get(), size);
}

EncodedLabels& EncodedLabels::operator=(const EncodedLabels& other) {
  if (this != &other) *this = EncodedLabels(other);
  return *this;
}

EncodedLabels::Iterator::Iterator(const char* p, const char* end) : next_(p), end_(end) { Parse(); }

EncodedLabels::Iterator EncodedLabels::begin() const {
  std::string_view b = bytes();
  if (b.empty()) return end();
  return Iterator(b.data(), b.data() + b.size());
}

size_t EncodedLabels::CountLabels() const {
  size_t n = 0;
  for (auto it = begin(); it != end(); ++it) ++n;
  return n;
}

labels::Labels EncodedLabels::ToLabels() const {
  std::vector<labels::Label> out;
  for (const LabelView& l : *this) out.push_back({std::string(l.name), std::string(l.value)});
  return labels::Labels::FromSorted(std::move(out));
}

std::string EncodedLabelsView::ToString() const {
  std::string out = "{";
  bool first = true;
  for (const LabelView& l : *this) {
    if (!first) out += ", ";
    first = false;
    out += l.name;
    out += '=';
    labels::AppendQuoted(&out, l.value);
  }
  out += '}';
  return out;
}

std::string EncodedLabels::ToString() const { return EncodedLabelsView(*this).ToString(); }

}  // namespace ferry::remote
