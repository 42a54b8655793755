#include "src/remote/internal/symbol_table.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <functional>

#include "src/remote/internal/wire.h"

namespace ferry::remote::internal {
namespace {
constexpr uint8_t kRequestSymbols = Tag(4, kLengthDelimited);
constexpr size_t kInitialSlots = 1024;

size_t Hash(std::string_view s) { return std::hash<std::string_view>{}(s); }
}  // namespace

SymbolTable::SymbolTable() : slots_(kInitialSlots, 0) { Insert("", Hash("")); }

namespace {
// A slot holds the entry index + 1 in its low half and the hash's high half
// as a tag, so a probe rejects a different symbol without touching the
// entry or the arena (one cache miss instead of three).
constexpr uint64_t Slot(uint32_t index, size_t hash) {
  return (static_cast<uint64_t>(hash) & 0xffffffff00000000ull) | (index + uint64_t{1});
}
constexpr bool TagMatches(uint64_t slot, size_t hash) {
  return ((slot ^ static_cast<uint64_t>(hash)) >> 32) == 0;
}
}  // namespace

uint32_t SymbolTable::Intern(std::string_view s) {
  const size_t hash = Hash(s);
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const uint64_t slot = slots_[i];
    if (slot == 0) break;
    if (!TagMatches(slot, hash)) continue;
    const auto index = static_cast<uint32_t>(slot) - 1;
    const Entry& e = entries_[index];
    if (e.length == s.size() &&
        (s.empty() || std::memcmp(arena_.data() + e.offset, s.data(), s.size()) == 0)) {
      return index;
    }
  }
  return Insert(s, hash);
}

uint32_t SymbolTable::Insert(std::string_view s, size_t hash) {
  if ((entries_.size() + 1) * 2 > slots_.size()) Grow();
  const auto index = static_cast<uint32_t>(entries_.size());
  entries_.push_back(Entry{arena_.size(), s.size(), hash});
  arena_.append(s);
  encoded_size_ += LengthDelimitedSize(s.size());
  const size_t mask = slots_.size() - 1;
  size_t i = hash & mask;
  while (slots_[i] != 0) i = (i + 1) & mask;
  slots_[i] = Slot(index, hash);
  return index;
}

void SymbolTable::Grow() {
  slots_.assign(slots_.size() * 2, 0);
  const size_t mask = slots_.size() - 1;
  for (size_t idx = 0; idx < entries_.size(); ++idx) {
    const size_t hash = entries_[idx].hash;
    size_t i = hash & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = Slot(static_cast<uint32_t>(idx), hash);
  }
}

char* SymbolTable::Encode(char* p) const {
  for (const Entry& e : entries_) {
    p = WriteStringField(p, kRequestSymbols, std::string_view(arena_).substr(e.offset, e.length));
  }
  return p;
}

void SymbolTable::Reset() {
  // Keep the table no larger than needed for a typical request: a table
  // grown once for a huge batch would otherwise make every Reset() slow.
  if (slots_.size() > 4 * entries_.size() && slots_.size() > kInitialSlots) {
    slots_.assign(std::max(kInitialSlots, std::bit_ceil(entries_.size() * 2)), 0);
  } else {
    std::fill(slots_.begin(), slots_.end(), 0);
  }
  entries_.clear();
  arena_.clear();
  encoded_size_ = 0;
  Insert("", Hash(""));
}

}  // namespace ferry::remote::internal
