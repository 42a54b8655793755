// Selector: a PromQL series selector such as
//   up{job="node", instance=~"10\\..*"}   or   {__name__=~"node_.*", mode!="idle"}
// parsed into label matchers (=, !=, =~, !~) with PromQL's rules: regexes are
// RE2, fully anchored; a matcher on a missing label sees the empty string.
// Used by `ferry wal dump --match` and replay jobs.
//
// Thread-safety: a parsed Selector is immutable; Matches() is thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/status.h"
#include "src/labels/labels.h"

namespace re2 {
class RE2;
}

namespace ferry::selector {

enum class MatchType { kEqual, kNotEqual, kRegexMatch, kRegexNoMatch };

class Matcher {
 public:
  // Fails with kInvalidArgument when a regex does not compile.
  static Result<Matcher> Make(MatchType type, std::string name, std::string value);

  bool Matches(std::string_view value) const;
  MatchType type() const { return type_; }
  const std::string& name() const { return name_; }
  const std::string& value() const { return value_; }
  // PromQL form, e.g. job=~"node.*".
  std::string ToString() const;

 private:
  MatchType type_ = MatchType::kEqual;
  std::string name_, value_;
  std::shared_ptr<const re2::RE2> re_;  // immutable, shared by copies
};

class Selector {
 public:
  // An empty selector (matches every series).
  Selector() = default;
  explicit Selector(std::vector<Matcher> matchers) : matchers_(std::move(matchers)) {}

  // True when every matcher accepts "series".
  bool Matches(const labels::Labels& series) const;
  const std::vector<Matcher>& matchers() const { return matchers_; }
  bool empty() const { return matchers_.empty(); }
  std::string ToString() const;

 private:
  std::vector<Matcher> matchers_;
};

// Parses "text" ("", "metric", "{...}" or "metric{...}"). Errors say where:
// "1:12: unexpected character '}' in label matcher, expected a string".
Result<Selector> Parse(std::string_view text);

}  // namespace ferry::selector
