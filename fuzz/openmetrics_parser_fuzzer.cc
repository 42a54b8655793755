// Fuzzes the OpenMetrics parser: any input must end in kEof or a
// "line L col C: ..." error, without crashing, reading outside the input or
// looping; every view the parser hands out must lie inside the input.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "fuzz/parse_fuzz_common.h"
#include "src/parse/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto p = ferry::parse::NewOpenMetricsParser(body);
  ferry::parse::fuzz::Drain(*p, body);
  return 0;
}
