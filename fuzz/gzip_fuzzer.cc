// Feeds arbitrary bytes to GzipDecoder with a 1 MiB limit: it must return an
// error or a body within the limit, never crash, hang or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "src/httpclient/gzip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static ferry::httpclient::GzipDecoder decoder;  // reused, as the client does
  constexpr uint64_t kLimit = 1 << 20;
  std::string out;
  ferry::Status s =
      decoder.Decode(std::string_view(reinterpret_cast<const char*>(data), size), kLimit, &out);
  if (s.ok() && out.size() > kLimit) std::abort();
  if (!s.ok() && s.message().empty()) std::abort();
  return 0;
}
