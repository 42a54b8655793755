// Snappy block-format compression for remote-write bodies.
//
// Remote write (1.0 and 2.0) uses snappy's *block* format
// (Content-Encoding: snappy), not the framed/stream format: a varint of the
// uncompressed length followed by the compressed elements. Prometheus and every
// known receiver reject the framed format.
//
// Thread-safety: free functions, safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "src/base/status.h"

namespace ferry::remote {

// Default limit on the decompressed size accepted by Decompress(): 32 MiB,
// the same as Prometheus' remote-write receiver (decodeReadLimit).
inline constexpr size_t kDefaultMaxDecompressedBytes = 32 * 1024 * 1024;

// Replaces "*out" with the snappy block compression of "in". Reuses "*out"'s
// capacity, so one string per shard avoids an allocation per request.
void Compress(std::string_view in, std::string* out);

// Replaces "*out" with the decompression of the snappy block "in".
// Returns kCorruption when "in" is not a valid snappy block (bad length
// header, bad element, truncated), and kResourceExhausted when its declared
// uncompressed length exceeds "max_bytes" (checked before allocating).
// "*out" is unspecified on error. Never reads outside "in".
[[nodiscard]] Status Decompress(std::string_view in, size_t max_bytes, std::string* out);

// As above, returning a new string.
[[nodiscard]] Result<std::string> Decompress(std::string_view in,
                                             size_t max_bytes = kDefaultMaxDecompressedBytes);

}  // namespace ferry::remote
