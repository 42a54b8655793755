#include "src/httpclient/gzip.h"

#include <libdeflate.h>

#include <algorithm>
#include <limits>

namespace ferry::httpclient {
namespace {

// Smallest gzip member: 10-byte header, an empty final block, 8-byte trailer.
constexpr size_t kMinMember = 18;
// DEFLATE expands at most 1032:1 (a 258-byte match in about 2 bits), so a
// member decoding to more than this is damaged; libdeflate may otherwise keep
// producing output from a truncated stream, which would grow the buffer
// without bound when there is no limit.
constexpr uint64_t kMaxRatio = 1032;

uint32_t Le32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return uint32_t{u[0]} | uint32_t{u[1]} << 8 | uint32_t{u[2]} << 16 | uint32_t{u[3]} << 24;
}

}  // namespace

GzipDecoder::GzipDecoder() = default;

GzipDecoder::~GzipDecoder() {
  if (d_ != nullptr) libdeflate_free_decompressor(d_);
}

Status GzipDecoder::Decode(std::string_view in, uint64_t max_bytes, std::string* out) {
  const uint64_t limit = max_bytes > 0 ? max_bytes : std::numeric_limits<size_t>::max() / 2;
  out->clear();
  if (d_ == nullptr && (d_ = libdeflate_alloc_decompressor()) == nullptr) {
    return Status::ResourceExhausted("gzip: cannot allocate a decompressor");
  }
  if (in.empty()) return Status::InvalidArgument("gzip body is empty");
  size_t pos = 0;
  while (pos < in.size()) {
    const std::string_view member = in.substr(pos);
    const uint64_t cap = std::min(limit - out->size(), member.size() * kMaxRatio + 1024);
    if (member.size() < kMinMember) {
      return Status::InvalidArgument("gzip: " + std::to_string(member.size()) +
                                     " bytes at offset " + std::to_string(pos) +
                                     " are too short for a gzip member");
    }
    // First guess: the trailer's ISIZE when this is the last member (the
    // common case), else four times the compressed size; then doubling.
    uint64_t guess = Le32(in.data() + in.size() - 4);
    if (guess == 0 || guess > cap) guess = std::min<uint64_t>(cap, member.size() * 4 + 64);
    size_t room = static_cast<size_t>(guess);
    while (true) {
      const size_t base = out->size();
      out->resize(base + room);
      size_t in_used = 0, produced = 0;
      libdeflate_result r = libdeflate_gzip_decompress_ex(
          d_, member.data(), member.size(), out->data() + base, room, &in_used, &produced);
      if (r == LIBDEFLATE_SUCCESS) {
        out->resize(base + produced);
        pos += in_used;
        break;
      }
      out->resize(base);
      if (r != LIBDEFLATE_INSUFFICIENT_SPACE) {
        return Status::InvalidArgument("gzip: invalid or truncated member at offset " +
                                       std::to_string(pos) + " of " + std::to_string(in.size()) +
                                       " bytes");
      }
      if (room >= cap) {
        if (base + room >= limit) {
          return Status::ResourceExhausted("decoded gzip body exceeds " + std::to_string(limit) +
                                           " bytes");
        }
        return Status::InvalidArgument("gzip: member at offset " + std::to_string(pos) +
                                       " decodes to more than DEFLATE's 1032:1 bound");
      }
      room = static_cast<size_t>(std::min<uint64_t>(uint64_t{room} * 2, cap));
    }
  }
  return Status::Ok();
}

}  // namespace ferry::httpclient
