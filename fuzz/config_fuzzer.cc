// Fuzzes the prometheus.yml loader: any bytes must give either a Config or
// an InvalidArgument Status with a "FILE:..." message, never a crash, an
// escaped yaml-cpp exception or a hang. Accepted configs must also survive
// the ToYaml() round trip (dump, load again, dump identically).
//
// Inputs that mention scrape_config_files are skipped: their globs would
// read arbitrary files of the machine running the fuzzer.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "src/config/dump.h"
#include "src/config/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (text.find("scrape_config_files") != std::string_view::npos) return 0;
  ferry::Result<ferry::config::Config> r =
      ferry::config::LoadString(text, "fuzz.yml", "/nonexistent-ferry-fuzz");
  if (!r.ok()) {
    if (!r.status().IsInvalidArgument() || r.status().message().rfind("fuzz.yml", 0) != 0) {
      std::abort();
    }
    return 0;
  }
  const std::string first = ferry::config::ToYaml(*r);
  ferry::Result<ferry::config::Config> again = ferry::config::LoadString(first, "dump.yml", "");
  if (!again.ok()) std::abort();
  if (ferry::config::ToYaml(*again) != first) std::abort();
  return 0;
}
