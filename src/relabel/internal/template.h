// Internal to src/relabel: Go regexp Expand templates ("$1", "${1}", "$name",
// "${name}", "$$"), parsed once at compile time.
//
// Parsing follows Go's regexp.(*Regexp).expand and extract exactly:
//   - "$$" is a literal "$";
//   - after "$", a name is the longest run of Unicode letters, decimal
//     digits and "_" ("${...}" must close with "}"); a malformed reference
//     leaves the "$" as literal text;
//   - a name of at most nine ASCII digits without a leading zero
//     is a group number; anything else, including "1x", is a group *name*
//     ("$1x" is the group named "1x", which usually does not exist);
//   - a reference to a group that does not exist, or that did not take
//     part in the match, expands to nothing.
//
// Thread-safety: immutable after Parse(); Expand() may run concurrently.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <re2/re2.h>

namespace ferry::relabel::internal {

class ExpandTemplate {
 public:
  ExpandTemplate() = default;

  // Parses "tmpl" against the capture groups of "re". Never fails: Go has no
  // invalid template, only literal "$".
  static ExpandTemplate Parse(std::string_view tmpl, const RE2& re);

  // Appends the expansion to "*out". "groups[i]" is capture group i (0 is
  // the whole match), "ngroups" how many entries "groups" holds; groups
  // that did not participate have a null data().
  // REQUIRES: ngroups >= needed_groups().
  void Expand(const re2::StringPiece* groups, int ngroups, std::string* out) const;

  // How many leading submatch entries Expand() reads (max group index + 1),
  // 0 when the template references no group.
  int needed_groups() const { return needed_groups_; }
  // True when the template text contains "$" (Prometheus' varInRegexTemplate).
  bool has_dollar() const { return has_dollar_; }
  // True when the expansion never depends on the match (no group reference
  // that can expand to text); literal() is then the whole expansion.
  bool is_literal() const { return pieces_.empty(); }
  const std::string& literal() const { return tail_; }

 private:
  struct Piece {
    std::string before;  // literal text preceding the reference
    int group;           // capture index, or -1 for a reference that never expands
  };
  std::vector<Piece> pieces_;
  std::string tail_;  // literal text after the last reference
  int needed_groups_ = 0;
  bool has_dollar_ = false;
};

}  // namespace ferry::relabel::internal
