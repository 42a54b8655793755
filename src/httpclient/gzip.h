// GzipDecoder: whole-buffer gzip decoding (RFC 1952) of HTTP response bodies
// with libdeflate, 3-4x faster than zlib's streaming inflate on scrape bodies
// (docs/perf-notes/scrape.md, "gzip").
//
// Decodes every member of a multi-member stream, as Go's gzip.Reader does
// for a scrape; bytes after the last member that do not start another valid
// member are an error. The ISIZE trailer only sizes the first attempt: it is
// untrusted, and the output never grows past the limit.
//
// Thread-safety: not thread-safe; one decoder per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "src/base/status.h"

struct libdeflate_decompressor;

namespace ferry::httpclient {

class GzipDecoder {
 public:
  GzipDecoder();
  ~GzipDecoder();
  GzipDecoder(const GzipDecoder&) = delete;
  GzipDecoder& operator=(const GzipDecoder&) = delete;

  // Replaces "*out" with the decoded bytes of "in". Returns kResourceExhausted
  // when they exceed "max_bytes" (0 = unlimited) and kInvalidArgument, saying
  // at which input offset and why, for bytes that are not gzip; "*out" is
  // unspecified after an error.
  [[nodiscard]] Status Decode(std::string_view in, uint64_t max_bytes, std::string* out);

 private:
  libdeflate_decompressor* d_ = nullptr;  // allocated on first use
};

}  // namespace ferry::httpclient
