// SymbolTable: the de-duplicated string table of a remote-write 2.0 request
// (io.prometheus.write.v2.Request.symbols). Index 0 is always "", as the spec
// requires, so ref 0 means "absent" for help and unit.
//
// Strings are copied into one contiguous arena and found again through an
// open-addressing hash table of indices, so interning a known string costs a
// hash and one memcmp and never allocates; a new string allocates only when
// the arena or the table grows.
//
// Thread-safety: not thread-safe; owned by one WriteRequestV2Builder.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::remote::internal {

class SymbolTable {
 public:
  SymbolTable();

  // Returns the index of "s", adding it if new.
  uint32_t Intern(std::string_view s);

  size_t size() const { return entries_.size(); }
  // REQUIRES: i < size(). Valid until the next Intern() or Reset().
  std::string_view symbol(uint32_t i) const {
    return std::string_view(arena_).substr(entries_[i].offset, entries_[i].length);
  }

  // Bytes of every symbol as repeated field 4 of Request (tag, length, bytes).
  size_t EncodedSize() const { return encoded_size_; }
  // Writes EncodedSize() bytes at "p"; returns the end.
  char* Encode(char* p) const;

  // Back to just "", keeping capacity.
  void Reset();

 private:
  struct Entry {
    size_t offset;
    size_t length;
    size_t hash;
  };
  void Grow();
  uint32_t Insert(std::string_view s, size_t hash);

  std::string arena_;
  std::vector<Entry> entries_;
  // Open addressing, linear probing; 0 = empty, else (hash tag << 32) |
  // (entry index + 1). Capacity is a power of two, at most half full.
  std::vector<uint64_t> slots_;
  size_t encoded_size_ = 0;
};

}  // namespace ferry::remote::internal
