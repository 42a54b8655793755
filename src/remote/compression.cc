#include "src/remote/compression.h"

#include <snappy.h>

namespace ferry::remote {

void Compress(std::string_view in, std::string* out) {
  out->resize(snappy::MaxCompressedLength(in.size()));
  size_t n = 0;
  snappy::RawCompress(in.data(), in.size(), out->data(), &n);
  out->resize(n);
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
