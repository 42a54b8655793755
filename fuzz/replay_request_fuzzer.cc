// Fuzzes the replay admin API's request parser (POST /api/v1/admin/replay):
// any bytes must parse into a valid JobSpec or fail cleanly with
// kInvalidArgument; a parsed spec must survive the JSON round trip the job
// store relies on (SpecToJson -> ParseJobRequest gives the same spec).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "src/base/check.h"
#include "src/replay/job.h"
#include "src/replay/request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  constexpr int64_t kNow = 1'764'082'800'000;
  auto spec = ferry::replay::ParseJobRequest(in, kNow);
  if (!spec.ok()) {
    FERRY_CHECK(spec.status().code() == ferry::StatusCode::kInvalidArgument);
    return 0;
  }
  FERRY_CHECK(ferry::replay::ValidateSpec(*spec).ok());
  auto again = ferry::replay::ParseJobRequest(ferry::replay::SpecToJson(*spec), kNow);
  FERRY_CHECK(again.ok());
  FERRY_CHECK(*again == *spec);
  (void)ferry::replay::ParseTime(in, kNow);
  return 0;
}
