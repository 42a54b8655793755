// Puts a label set into remote-write order: sorted by name (byte order),
// empty values dropped, names non-empty and unique. Shared by the 1.0 and 2.0
// encoders.
//
// Thread-safety: free functions; the caller owns "*out".
#pragma once

#include <string_view>
#include <vector>

#include "src/base/status.h"
#include "src/labels/labels.h"

namespace ferry::remote::internal {

// Fills "*out" (cleared first) with pointers into "ls" in wire order. The
// pointers are valid while "ls" lives. "what" names the label set in errors,
// e.g. "series" or "exemplar".
//
// Returns kInvalidArgument, naming the label set, for an empty label name or a
// duplicate name. Labels built by labels::LabelsBuilder are already sorted and
// free of empty values, so the common path is one comparison per label and no
// allocation once "*out" has grown.
[[nodiscard]] Status CollectWireLabels(const labels::Labels& ls, std::string_view what,
                                       std::vector<const labels::Label*>* out);

}  // namespace ferry::remote::internal
