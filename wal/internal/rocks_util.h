// Adapters between RocksDB and ferry: rocksdb::Status never leaves wal/.
#pragma once

#include <rocksdb/options.h>
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

// Read options for the samples and series families outside appends: scans
// and the rare seeks of open, retention and inspection. They keep what they
// read (data and index blocks) out of the block cache, so the cache holds
// what appends and meta lookups use and not a share of the log that grows
// with the backlog.
inline rocksdb::ReadOptions UncachedReads() {
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  return ro;
}

}  // namespace ferry::wal::internal
