// LabelPool: one copy of each label's remote-write 1.0 wire bytes
// ("piece": 0x0a len { 0x0a len name 0x12 len value }, as EncodedLabels
// holds them) for a series cache. A sender's series share most of their
// labels (__name__, job, instance, most values of the others), so a cache
// that stores each series as piece ids keeps those bytes once: at 100 k
// series of 5 labels it holds ~30 bytes of unique label bytes per series
// instead of ~150 (docs/perf-notes/ship.md, "Series cache memory").
//
// Pieces live in blocks that never move (4 KiB doubling up to 64 KiB; a
// larger piece gets a block of its own); an id is (block << 16 | offset), so
// Get() is one indexed load. A hash table of ids finds a piece
// already stored. There is no removal: the owner clears the whole pool.
//
// Thread-safety: not thread-safe (one sender thread owns it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "src/remote/internal/wire.h"

namespace ferry::ship {

class LabelPool {
 public:
  using Id = uint32_t;

  LabelPool() = default;
  LabelPool(LabelPool&&) noexcept = default;
  LabelPool& operator=(LabelPool&&) noexcept = default;

  // The id of "piece" (one label's wire bytes), storing it if new.
  // REQUIRES: "piece" is one well-formed label as EncodedLabels writes it.
  Id Intern(std::string_view piece);

  // The bytes of piece "id". REQUIRES: "id" from Intern() since Clear().
  std::string_view Get(Id id) const {
    const char* p = Address(id);
    uint64_t len;
    const char* body = remote::internal::ReadTrustedVarint(p + 1, &len);
    return std::string_view(p, static_cast<size_t>(body - p) + len);
  }

  // Where piece "id" starts (for prefetching). REQUIRES: as Get().
  const char* Address(Id id) const {
    return blocks_[id >> kOffsetBits].get() + (id & kOffsetMask);
  }

  // The length of the piece that starts "bytes" (for splitting a label set
  // into pieces). REQUIRES: "bytes" starts with a well-formed label.
  static size_t PieceSize(std::string_view bytes) {
    uint64_t len;
    const char* body = remote::internal::ReadTrustedVarint(bytes.data() + 1, &len);
    return static_cast<size_t>(body - bytes.data()) + len;
  }

  size_t size() const { return count_; }
  // Forgets every piece and frees the memory.
  void Clear();

 private:
  static constexpr int kOffsetBits = 16;
  static constexpr uint32_t kOffsetMask = (1u << kOffsetBits) - 1;
  static constexpr size_t kBlockSize = size_t{1} << kOffsetBits;

  Id Store(std::string_view piece);
  void Grow();

  std::vector<std::unique_ptr<char[]>> blocks_;
  std::vector<size_t> block_sizes_;
  size_t used_ = 0;  // bytes used in blocks_.back()
  std::vector<uint32_t> table_;  // id + 1, 0 = empty; power-of-two size, at most half full
  size_t count_ = 0;
};

}  // namespace ferry::ship
