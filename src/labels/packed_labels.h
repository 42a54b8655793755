// PackedLabels: a label set stored compactly for long-lived per-series state
// (the WAL's series index, the scrape cache), like Prometheus'
// `stringlabels` build of labels.Labels.
//
// The object is one pointer (8 bytes). A non-empty set owns exactly one heap
// allocation holding, in order:
//
//   varint(payload_len) payload
//   payload := { varint(len(name)) name varint(len(value)) value }*
//
// with the labels in the order of the Labels it was packed from (sorted by
// name for every Labels built by FromUnsorted/LabelsBuilder). Varints are
// LEB128 as in src/base/coding.h, always in their shortest form, so two
// PackedLabels hold the same bytes if and only if they hold the same
// sequence of labels: equality is one memcmp. The empty set allocates
// nothing. Names and values are arbitrary bytes (NUL and 0xff included).
//
// An 8-label series with ~100 bytes of names and values takes ~118 bytes
// here (one 128-byte malloc chunk) versus ~560 as a Labels (a vector of
// 8 x 64-byte Label, plus a heap string for each name or value longer than
// 15 bytes); bench/labels_mem_bench measures both.
//
// Reading is sequential: Get() is a linear scan (with an early exit past the
// name in sorted sets), Unpack() rebuilds a Labels. Use Labels on hot paths
// that read labels repeatedly; keep PackedLabels where a set is mostly stored.
//
// Thread-safety: immutable after construction (assignment replaces the whole
// value); const methods may be called from many threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "src/labels/labels.h"

namespace ferry::labels {

class PackedLabels {
 public:
  // The empty set (no allocation).
  PackedLabels() = default;
  // Packs "labels" (kept in their order, duplicates included).
  static PackedLabels Pack(const Labels& labels);

  // Deep copy: one allocation of size_bytes().
  PackedLabels(const PackedLabels& other);
  PackedLabels& operator=(const PackedLabels& other);
  PackedLabels(PackedLabels&&) noexcept = default;
  PackedLabels& operator=(PackedLabels&&) noexcept = default;
  ~PackedLabels() = default;

  // The same label set as a Labels (one vector, two strings per label).
  Labels Unpack() const;

  // Calls "fn(std::string_view name, std::string_view value)" for every
  // label in order (name order for sorted sets). The views are valid while
  // this PackedLabels lives and is not assigned to.
  template <typename Fn>
  void Range(Fn&& fn) const {
    if (data_ == nullptr) return;
    const char* p = data_.get();
    const size_t n = ReadVarint(&p);
    const char* const end = p + n;
    while (p < end) {
      std::string_view name = ReadString(&p);
      std::string_view value = ReadString(&p);
      fn(name, value);
    }
  }

  // Returns the value of "name", or "" when absent. The view is valid while
  // this PackedLabels lives and is not assigned to. REQUIRES: sorted by name
  // (the scan stops at the first greater name).
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const;

  bool empty() const { return data_ == nullptr; }
  // Number of labels (a scan).
  size_t size() const;
  // Bytes of the one heap allocation (0 for the empty set); malloc's own
  // per-chunk overhead is not included.
  size_t size_bytes() const;

  // Equal to Labels::Hash() of the same label sequence.
  uint64_t Hash() const;
  // Labels::ToString() of the same set: {__name__="up", job="x"}.
  std::string ToString() const;

  friend bool operator==(const PackedLabels& a, const PackedLabels& b);
  // Compares without unpacking.
  friend bool operator==(const PackedLabels& a, const Labels& b);

 private:
  // Reads the varint at "*p" and advances "*p" past it. Trusted input: the
  // bytes were written by Pack().
  static size_t ReadVarint(const char** p) {
    uint64_t n = 0;
    int shift = 0;
    for (;;) {
      const auto byte = static_cast<uint8_t>(*(*p)++);
      n |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return static_cast<size_t>(n);
      shift += 7;
    }
  }
  // Reads one varint-length-prefixed string at "*p" and advances "*p".
  static std::string_view ReadString(const char** p) {
    const size_t n = ReadVarint(p);
    std::string_view s(*p, n);
    *p += n;
    return s;
  }
  // The payload (after the leading length varint); empty for the empty set.
  std::string_view payload() const {
    if (data_ == nullptr) return {};
    const char* p = data_.get();
    const size_t n = ReadVarint(&p);
    return {p, n};
  }

  std::unique_ptr<char[]> data_;
};

static_assert(sizeof(PackedLabels) == sizeof(void*), "PackedLabels is one pointer");

}  // namespace ferry::labels
