#include "src/ship/label_pool.h"

#include <cstring>
#include <functional>

#include "src/base/check.h"

namespace ferry::ship {

namespace {
constexpr size_t kInitialTable = 64;
constexpr size_t kFirstBlock = 4096;  // blocks double up to kBlockSize

size_t HashOf(std::string_view piece) { return std::hash<std::string_view>()(piece); }
}  // namespace

LabelPool::Id LabelPool::Intern(std::string_view piece) {
  if (table_.empty() || (count_ + 1) * 2 > table_.size()) Grow();
  const size_t mask = table_.size() - 1;
  for (size_t i = HashOf(piece) & mask;; i = (i + 1) & mask) {
    if (table_[i] == 0) {
      Id id = Store(piece);
      table_[i] = id + 1;
      ++count_;
      return id;
    }
    if (Get(table_[i] - 1) == piece) return table_[i] - 1;
  }
}

LabelPool::Id LabelPool::Store(std::string_view piece) {
  if (blocks_.empty() || piece.size() > block_sizes_.back() - used_) {
    // A new block; a piece larger than a block gets one of its own.
    const size_t next = block_sizes_.empty() ? kFirstBlock
                                             : std::min(kBlockSize, 2 * block_sizes_.back());
    const size_t size = std::max(next, piece.size());
    FERRY_CHECK(blocks_.size() < (size_t{1} << (32 - kOffsetBits)));  // 4 GiB of pieces
    blocks_.push_back(std::make_unique<char[]>(size));
    block_sizes_.push_back(size);
    used_ = 0;
  }
  const size_t block = blocks_.size() - 1;
  std::memcpy(blocks_.back().get() + used_, piece.data(), piece.size());
  const Id id = static_cast<Id>(block << kOffsetBits | used_);
  used_ += piece.size();
  return id;
}

void LabelPool::Grow() {
  std::vector<uint32_t> old;
  old.swap(table_);
  table_.assign(old.empty() ? kInitialTable : old.size() * 2, 0);
  const size_t mask = table_.size() - 1;
  for (uint32_t v : old) {
    if (v == 0) continue;
    size_t i = HashOf(Get(v - 1)) & mask;
    while (table_[i] != 0) i = (i + 1) & mask;
    table_[i] = v;
  }
}

void LabelPool::Clear() {
  std::vector<std::unique_ptr<char[]>>().swap(blocks_);
  std::vector<size_t>().swap(block_sizes_);
  std::vector<uint32_t>().swap(table_);
  used_ = 0;
  count_ = 0;
}

}  // namespace ferry::ship
