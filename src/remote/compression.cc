#include "src/remote/compression.h"

#include <snappy.h>

#include <memory>

namespace ferry::remote {

void Compress(std::string_view in, std::string* out) {
  // Compress into a per-thread scratch block that is never zero-filled
  // (std::string::resize to the worst-case length memset ~1.2x the input
  // every call: 3 % of ferry's CPU at 100 k series), then copy the
  // compressed bytes, typically a fifth of that.
  thread_local std::unique_ptr<char[]> scratch;
  thread_local size_t capacity = 0;
  const size_t max = snappy::MaxCompressedLength(in.size());
  if (capacity < max) {
    scratch.reset(new char[max]);
    capacity = max;
  }
  size_t n = 0;
  snappy::RawCompress(in.data(), in.size(), scratch.get(), &n);
  out->assign(scratch.get(), n);
}

Status Decompress(std::string_view in, size_t max_bytes, std::string* out) {
  size_t n = 0;
  if (!snappy::GetUncompressedLength(in.data(), in.size(), &n)) {
    return Status::Corruption("snappy: invalid block header (uncompressed length varint) in " +
                              std::to_string(in.size()) + "-byte body");
  }
  if (n > max_bytes) {
    return Status::ResourceExhausted("snappy: uncompressed length " + std::to_string(n) +
                                     " bytes exceeds the limit of " + std::to_string(max_bytes));
  }
  out->resize(n);
  if (!snappy::RawUncompress(in.data(), in.size(), out->data())) {
    return Status::Corruption("snappy: corrupt block (" + std::to_string(in.size()) +
                              " bytes declaring " + std::to_string(n) + " uncompressed)");
  }
  return Status::Ok();
}

Result<std::string> Decompress(std::string_view in, size_t max_bytes) {
  std::string out;
  FERRY_RETURN_IF_ERROR(Decompress(in, max_bytes, &out));
  return out;
}

}  // namespace ferry::remote
