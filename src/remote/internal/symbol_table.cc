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
}  // namespace

SymbolTable::SymbolTable() : slots_(kInitialSlots, 0) {
  Insert("", std::hash<std::string_view>{}(""));
}

uint32_t SymbolTable::Intern(std::string_view s) {
  const size_t hash = std::hash<std::string_view>{}(s);
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const uint32_t slot = slots_[i];
    if (slot == 0) break;
    const Entry& e = entries_[slot - 1];
    if (e.hash == hash && e.length == s.size() &&
        (s.empty() || std::memcmp(arena_.data() + e.offset, s.data(), s.size()) == 0)) {
      return slot - 1;
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
  slots_[i] = index + 1;
  return index;
}

void SymbolTable::Grow() {
  slots_.assign(slots_.size() * 2, 0);
  const size_t mask = slots_.size() - 1;
  for (size_t idx = 0; idx < entries_.size(); ++idx) {
    size_t i = entries_[idx].hash & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = static_cast<uint32_t>(idx + 1);
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
  Insert("", std::hash<std::string_view>{}(""));
}

}  // namespace ferry::remote::internal
