#include "src/labels/packed_labels.h"

#include <cstring>

namespace ferry::labels {
namespace {

size_t VarintLength(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

char* WriteVarint(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

char* WriteString(char* p, std::string_view s) {
  p = WriteVarint(p, s.size());
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

// FNV-1a step of Labels::Hash(): the bytes of "s", then 0xff.
void MixHash(uint64_t* h, std::string_view s) {
  uint64_t x = *h;
  for (unsigned char c : s) {
    x ^= c;
    x *= 1099511628211ull;
  }
  x ^= 0xff;
  x *= 1099511628211ull;
  *h = x;
}

}  // namespace

PackedLabels PackedLabels::Pack(const Labels& labels) {
  PackedLabels out;
  if (labels.empty()) return out;
  size_t payload = 0;
  for (const Label& l : labels) {
    payload += VarintLength(l.name.size()) + l.name.size() + VarintLength(l.value.size()) +
               l.value.size();
  }
  const size_t total = VarintLength(payload) + payload;
  out.data_.reset(new char[total]);
  char* p = WriteVarint(out.data_.get(), payload);
  for (const Label& l : labels) {
    p = WriteString(p, l.name);
    p = WriteString(p, l.value);
  }
  return out;
}

PackedLabels::PackedLabels(const PackedLabels& other) {
  if (other.data_ == nullptr) return;
  const size_t n = other.size_bytes();
  data_.reset(new char[n]);
  std::memcpy(data_.get(), other.data_.get(), n);
}

PackedLabels& PackedLabels::operator=(const PackedLabels& other) {
  if (this != &other) *this = PackedLabels(other);
  return *this;
}

Labels PackedLabels::Unpack() const {
  std::vector<Label> v;
  v.reserve(size());
  Range([&v](std::string_view n, std::string_view val) {
    v.push_back(Label{std::string(n), std::string(val)});
  });
  // Every Labels is sorted by name (FromUnsorted, Of and LabelsBuilder sort;
  // FromSorted requires it), so the packed sequence is too.
  return Labels::FromSorted(std::move(v));
}

std::string_view PackedLabels::Get(std::string_view name) const {
  const std::string_view pl = payload();
  const char* p = pl.data();
  const char* const end = p + pl.size();
  while (p < end) {
    std::string_view n = ReadString(&p);
    std::string_view v = ReadString(&p);
    if (n == name) return v;
    if (n > name) break;  // sorted: "name" cannot follow
  }
  return {};
}

bool PackedLabels::Has(std::string_view name) const {
  const std::string_view pl = payload();
  const char* p = pl.data();
  const char* const end = p + pl.size();
  while (p < end) {
    std::string_view n = ReadString(&p);
    ReadString(&p);
    if (n == name) return true;
    if (n > name) break;
  }
  return false;
}

size_t PackedLabels::size() const {
  size_t n = 0;
  Range([&n](std::string_view, std::string_view) { ++n; });
  return n;
}

size_t PackedLabels::size_bytes() const {
  if (data_ == nullptr) return 0;
  const size_t payload_len = payload().size();
  return VarintLength(payload_len) + payload_len;
}

uint64_t PackedLabels::Hash() const {
  uint64_t h = 14695981039346656037ull;
  Range([&h](std::string_view n, std::string_view v) {
    MixHash(&h, n);
    MixHash(&h, v);
  });
  return h;
}

std::string PackedLabels::ToString() const {
  std::string out = "{";
  bool first = true;
  Range([&](std::string_view n, std::string_view v) {
    if (!first) out += ", ";
    first = false;
    out += n;
    out += '=';
    AppendQuoted(&out, v);
  });
  out += '}';
  return out;
}

bool operator==(const PackedLabels& a, const PackedLabels& b) {
  // Shortest-form varints make the encoding canonical: same labels, same bytes.
  const std::string_view pa = a.payload(), pb = b.payload();
  return pa == pb;
}

bool operator==(const PackedLabels& a, const Labels& b) {
  const std::string_view pl = a.payload();
  const char* p = pl.data();
  const char* const end = p + pl.size();
  for (const Label& l : b) {
    if (p >= end) return false;
    if (PackedLabels::ReadString(&p) != l.name) return false;
    if (PackedLabels::ReadString(&p) != l.value) return false;
  }
  return p == end;
}

}  // namespace ferry::labels
