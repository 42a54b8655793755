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
// are truncated, have trailing garbage, an empty or unsorted/duplicate name,
// or zero labels.
Status DecodeLabels(std::string_view bytes, labels::Labels* out);

}  // namespace ferry::wal::internal
