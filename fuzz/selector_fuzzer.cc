// Fuzzes the PromQL selector parser and matching: any bytes must parse or
// fail cleanly, and a parsed selector must round-trip through ToString().
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "src/base/check.h"
#include "src/selector/selector.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto parsed = ferry::selector::Parse(in);
  if (!parsed.ok()) return 0;
  auto again = ferry::selector::Parse(parsed->ToString());
  FERRY_CHECK(again.ok());
  FERRY_CHECK(again->ToString() == parsed->ToString());
  auto series = ferry::labels::Labels::Of({{"__name__", "up"}, {"job", in.substr(0, 8)}});
  (void)parsed->Matches(series);
  return 0;
}
