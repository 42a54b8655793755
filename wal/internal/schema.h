// Keys of the WAL's column families (docs/wal-format.md "Column families").
//
// Thread-safety: free functions without shared state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "src/base/status.h"

namespace ferry::wal::internal {

// u64 big-endian key for `series` and `samples`.
std::string U64Key(uint64_t v);
// Parses an 8-byte big-endian key; false if the size is not 8.
bool ParseU64Key(std::string_view key, uint64_t* v);

std::string CursorKey(std::string_view name);
std::string KvKey(std::string_view prefix, std::string_view key);
// "k/<prefix>\0": the common prefix of every key under "prefix".
std::string KvPrefix(std::string_view prefix);

// Cursor value: varint next_seq, varsint commit_ms.
std::string EncodeCursor(uint64_t next_sequence, int64_t commit_ms);
Status DecodeCursor(std::string_view bytes, uint64_t* next_sequence, int64_t* commit_ms);

std::string EncodeVarintValue(uint64_t v);
Status DecodeVarintValue(std::string_view bytes, std::string_view what, uint64_t* v);

// InvalidArgument unless "name" is non-empty and has no '\0'.
Status ValidateName(std::string_view what, std::string_view name);

}  // namespace ferry::wal::internal
