// YamlNode: a YAML document copied out of yaml-cpp into plain values.
//
// This is the only place ferry touches yaml-cpp's parser. yaml-cpp reports
// errors by throwing and its Node accessors throw on type mismatches, so the
// document is converted once, here, into a tree that cannot throw; the
// decoders in this folder work on YamlNode only.
//
// Thread-safety: plain values.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/base/status.h"

namespace ferry::config::internal {

struct YamlMark {
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
};

struct YamlEntry;

struct YamlNode {
  enum class Kind { kNull, kScalar, kSequence, kMap };
  Kind kind = Kind::kNull;
  YamlMark mark;
  // kScalar: the text, after YAML unescaping.
  std::string scalar;
  // kScalar: written quoted or with an explicit !!str tag, so it is a string
  // even if it looks like a number or a boolean (YAML 1.1 resolution).
  bool is_string = false;
  // kSequence: the elements.
  std::vector<YamlNode> items;
  // kMap: (key, value) pairs in document order, duplicates kept so that the
  // decoder can refuse them as Go's strict YAML decoder does.
  std::vector<YamlEntry> entries;

  bool IsNull() const { return kind == Kind::kNull; }
  // "!!null", "!!str", "!!seq" or "!!map", as Go's YAML errors name kinds.
  std::string_view KindName() const;
};

// One key/value pair of a mapping (named like std::pair's members, which
// cannot hold the incomplete YamlNode inside YamlNode itself).
struct YamlEntry {
  YamlNode first;   // the key
  YamlNode second;  // the value
};

// Limits that keep hostile input (alias bombs) from exhausting memory.
inline constexpr size_t kMaxYamlNodes = 2'000'000;

// Parses the first document of "text". Syntax errors come back as
// kInvalidArgument "FILENAME:LINE:COL: yaml: <reason>". An empty document is
// a kNull node.
Result<YamlNode> ParseYaml(std::string_view text, const std::string& filename);

}  // namespace ferry::config::internal
