// Encoding of a label set as stored in the `series` column family
// (docs/wal-format.md "labels"):
//
//   labels := n:varint ( name_len:varint name value_len:varint value ){n}
//
// Thread-safety: free functions without shared state.
#pragma once

#include <string>
#include <string_view>

#include "src/base/status.h"
#include "src/labels/labels.h"

namespace ferry::wal::internal {

void EncodeLabels(const labels::Labels& labels, std::string* out);

// Decodes "bytes" into "*out". Corruption (naming the problem) when the bytes
// are truncated, have trailing garbage, zero labels or names out of order,
// and with kNames also for an empty or a repeated name. kStructure reads back whatever
// Append stored (it does not judge names: the shipper's encoder does, per
// endpoint); kNames is what open uses to skip a damaged series.
enum class LabelCheck { kNames, kStructure };
Status DecodeLabels(std::string_view bytes, labels::Labels* out,
                    LabelCheck check = LabelCheck::kNames);

}  // namespace ferry::wal::internal
