// Adapters between RocksDB and ferry: rocksdb::Status never leaves wal/.
#pragma once

#include <rocksdb/slice.h>
#include <rocksdb/status.h>

#include <string>
#include <string_view>

#include "src/base/status.h"

namespace ferry::wal::internal {

// Maps a RocksDB status to a ferry Status with "context: " prepended.
Status FromRocks(const rocksdb::Status& s, std::string_view context);

inline rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }
inline std::string_view ToView(const rocksdb::Slice& s) {
  return std::string_view(s.data(), s.size());
}

}  // namespace ferry::wal::internal
