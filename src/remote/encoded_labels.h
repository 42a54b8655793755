// EncodedLabels: an immutable, validated label set held as the exact bytes
// remote-write 1.0 puts in TimeSeries.labels, for senders that send the same
// series again and again (a shard's series cache). Adding it to a
// WriteRequestBuilder is one memcpy instead of sorting, checking and encoding
// every label for every request; the RW 2.0 builder and ToString() read the
// (name, value) pairs back from the bytes.
//
// Bytes held (labels sorted by name in byte order, labels with empty values
// left out, names non-empty and unique, at least one label):
//
//   { 0x0a len { 0x0a len name  0x12 len value } }*
//
// These are exactly the bytes WriteRequestBuilder::AddSeries(const
// labels::Labels&, ...) writes for the same labels: both go through
// src/remote/internal/wire_labels.h.
//
// Representation: one heap block, [u32 length, little-endian][bytes], owned
// through one pointer, so sizeof(EncodedLabels) == sizeof(void*) and the heap
// cost is 4 bytes plus the wire bytes. For node_exporter-like series of 7
// labels that is 185 bytes, and a ship::Shard cache entry costs ~264 bytes of
// heap in all, against ~600 with labels::Labels (BM_EncodeLabels and
// BM_CacheHeap in bench/remote_bench.cc). A default-constructed
// EncodedLabels is the empty set and allocates nothing.
// Copies allocate and copy the block; moves do not allocate.
//
// Thread-safety: immutable after construction; const methods may be called
// from many threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>

#include "src/base/check.h"
#include "src/base/status.h"
#include "src/labels/labels.h"
#include "src/remote/internal/wire.h"

namespace ferry::remote {

// One label of an EncodedLabels, viewing its bytes: valid while the
// EncodedLabels it came from lives (and is not assigned to).
struct LabelView {
  std::string_view name;
  std::string_view value;
  friend bool operator==(const LabelView&, const LabelView&) = default;
};

class EncodedLabels {
 public:
  // The empty set (no labels); what a moved-from EncodedLabels holds too.
  EncodedLabels() = default;

  // Validates and encodes "ls" with the rules and error texts of
  // WriteRequestBuilder::AddSeries(const labels::Labels&, ...): sorted by
  // name (also when "ls" bypassed labels::Labels' sorting), empty values
  // left out. Returns kInvalidArgument naming the set ("series {...}: ...")
  // for an empty label name ("empty label name"), a duplicate name
  // ("duplicate label name \"job\"") or when no label has a non-empty value
  // ("no labels with a non-empty value"); kResourceExhausted when the
  // encoding would exceed 4 GiB - 1 bytes.
  [[nodiscard]] static Result<EncodedLabels> FromLabels(const labels::Labels& ls);

  EncodedLabels(const EncodedLabels& other);
  EncodedLabels& operator=(const EncodedLabels& other);
  EncodedLabels(EncodedLabels&&) noexcept = default;
  EncodedLabels& operator=(EncodedLabels&&) noexcept = default;
  ~EncodedLabels() = default;

  // The RW 1.0 bytes (see above); empty for the empty set. Valid while this
  // object lives and is not assigned to.
  std::string_view bytes() const {
    if (rep_ == nullptr) return {};
    uint32_t n;
    std::memcpy(&n, rep_.get(), sizeof n);
    return std::string_view(rep_.get() + sizeof n, n);
  }
  bool empty() const { return rep_ == nullptr; }

  // Heap bytes owned (the block's requested size; the allocator adds its
  // own rounding and header).
  size_t allocated_bytes() const { return rep_ == nullptr ? 0 : sizeof(uint32_t) + bytes().size(); }

  // Forward iteration over the labels in wire (name) order, parsing the
  // bytes as it goes. Views are valid while this object lives.
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = LabelView;
    using difference_type = std::ptrdiff_t;
    using pointer = const LabelView*;
    using reference = const LabelView&;

    Iterator() = default;
    reference operator*() const { return label_; }
    pointer operator->() const { return &label_; }
    Iterator& operator++() {
      Parse();
      return *this;
    }
    Iterator operator++(int) {
      Iterator old = *this;
      Parse();
      return old;
    }
    friend bool operator==(const Iterator& a, const Iterator& b) { return a.next_ == b.next_; }

   private:
    friend class EncodedLabels;
    friend class EncodedLabelsView;
    // "p" at the start of a label within [p, end), or p == end.
    Iterator(const char* p, const char* end);
    // Reads the label at next_ into label_ and moves next_ past it; at the
    // end, sets next_ to nullptr (== end()). Inline: the RW 2.0 builder
    // calls it for every label of every series it sends.
    void Parse() {
      if (next_ == end_) {
        next_ = nullptr;
        label_ = {};
        return;
      }
      // Label := 0x0a len { 0x0a len name  0x12 len value }; the tags are
      // fixed single bytes (checked when the bytes were written), so only
      // the lengths need reading.
      uint64_t label_len, name_len, value_len;
      FERRY_DCHECK(*next_ == 0x0a);
      const char* p = internal::ReadTrustedVarint(next_ + 1, &label_len);
      const char* label_end = p + label_len;
      FERRY_DCHECK(*p == 0x0a);
      p = internal::ReadTrustedVarint(p + 1, &name_len);
      label_.name = std::string_view(p, name_len);
      FERRY_DCHECK(p[name_len] == 0x12);
      p = internal::ReadTrustedVarint(p + name_len + 1, &value_len);
      label_.value = std::string_view(p, value_len);
      FERRY_DCHECK(p + value_len == label_end && label_end <= end_);
      next_ = label_end;
    }

    const char* next_ = nullptr;  // the label after label_, or end_
    const char* end_ = nullptr;
    LabelView label_;
  };
  Iterator begin() const;
  Iterator end() const { return Iterator(); }

  // Number of labels (walks the bytes).
  size_t CountLabels() const;

  // Decodes back to a labels::Labels (allocates; for tests and slow paths).
  labels::Labels ToLabels() const;

  // {__name__="up", job="x"}, the text labels::Labels::ToString() gives for
  // the same labels.
  std::string ToString() const;

  friend bool operator==(const EncodedLabels& a, const EncodedLabels& b) {
    return a.bytes() == b.bytes();
  }

 private:
  friend class EncodedLabelsView;
  explicit EncodedLabels(std::unique_ptr<char[]> rep) : rep_(std::move(rep)) {}
  std::unique_ptr<char[]> rep_;  // null = empty set
};

// A view of encoded label bytes: EncodedLabels::bytes() of some set, or a
// copy of them (a cache that stores the labels otherwise assembles them).
// The builders take this, so both kinds are added the same way.
// REQUIRES: the bytes are what EncodedLabels::FromLabels wrote (they are
// parsed without checks). Valid while the bytes live.
class EncodedLabelsView {
 public:
  EncodedLabelsView() = default;
  explicit EncodedLabelsView(std::string_view bytes) : bytes_(bytes) {}
  EncodedLabelsView(const EncodedLabels& labels) : bytes_(labels.bytes()) {}  // NOLINT: implicit

  std::string_view bytes() const { return bytes_; }
  bool empty() const { return bytes_.empty(); }
  EncodedLabels::Iterator begin() const {
    if (bytes_.empty()) return end();
    return EncodedLabels::Iterator(bytes_.data(), bytes_.data() + bytes_.size());
  }
  EncodedLabels::Iterator end() const { return EncodedLabels::Iterator(); }
  // {__name__="up", job="x"}, as EncodedLabels::ToString().
  std::string ToString() const;

 private:
  std::string_view bytes_;
};

}  // namespace ferry::remote
