// Helpers shared by the 1.0 and 2.0 decoders.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "src/base/status.h"
#include "src/labels/labels.h"

namespace ferry::remote::internal {

// Accumulates decoded labels and checks them in wire order: names non-empty
// and strictly increasing, values non-empty. "where" prefixes errors, e.g.
// "timeseries[3]".
class LabelsChecker {
 public:
  [[nodiscard]] Status Add(std::string_view where, std::string_view name, std::string_view value);
  // Moves the labels out as a labels::Labels and resets.
  labels::Labels Take();

 private:
  std::vector<labels::Label> labels_;
};

// "prefix[i]" without going through iostreams.
std::string Indexed(std::string_view prefix, size_t i);

// The largest body the generated parsers accept (they take an int size).
inline constexpr size_t kMaxProtoBytes = 0x7fffffff;

}  // namespace ferry::remote::internal
