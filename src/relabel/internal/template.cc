#include "src/relabel/internal/template.h"

#include <map>

#include "src/relabel/internal/regex.h"

namespace ferry::relabel::internal {
namespace {

// Length of the longest prefix of "s" made of Unicode letters (\p{L}),
// decimal digits (\p{Nd}) and "_", as Go's extract() scans with
// unicode.IsLetter / unicode.IsDigit. Invalid UTF-8 ends the run, as Go's
// RuneError is neither letter nor digit.
size_t NameLength(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '_') {
        ++i;
        continue;
      }
      return i;
    }
    break;  // non-ASCII: fall back to RE2's Unicode tables for the rest
  }
  if (i == s.size() || static_cast<unsigned char>(s[i]) < 0x80) return i;
  static const RE2* const kNameRun = [] {
    RE2::Options o = GoRegexpOptions();
    return new RE2(R"(^[\p{L}\p{Nd}_]+)", o);
  }();
  re2::StringPiece rest(s.data() + i, s.size() - i);
  re2::StringPiece m;
  if (!kNameRun->Match(rest, 0, rest.size(), RE2::ANCHOR_START, &m, 1)) return i;
  return i + m.size();
}

struct Extracted {
  bool ok = false;
  std::string_view name;
  int num = -1;
  size_t consumed = 0;  // bytes of "str" used, including braces
};

// Go's regexp extract(): parses "name" or "{name}" at the start of "str".
Extracted Extract(std::string_view str) {
  Extracted e;
  if (str.empty()) return e;
  size_t start = 0;
  bool brace = false;
  if (str[0] == '{') {
    brace = true;
    start = 1;
  }
  size_t n = NameLength(str.substr(start));
  if (n == 0) return e;
  e.name = str.substr(start, n);
  size_t end = start + n;
  if (brace) {
    if (end >= str.size() || str[end] != '}') return e;
    ++end;
  }
  int num = 0;
  for (char c : e.name) {
    if (c < '0' || c > '9' || num >= 100000000) {
      num = -1;
      break;
    }
    num = num * 10 + (c - '0');
  }
  if (e.name[0] == '0' && e.name.size() > 1) num = -1;
  e.num = num;
  e.consumed = end;
  e.ok = true;
  return e;
}

}  // namespace

ExpandTemplate ExpandTemplate::Parse(std::string_view tmpl, const RE2& re) {
  ExpandTemplate t;
  t.has_dollar_ = tmpl.find('$') != std::string_view::npos;
  const int ncap = re.NumberOfCapturingGroups();
  const std::map<std::string, int>& named = re.NamedCapturingGroups();
  std::string literal;
  while (!tmpl.empty()) {
    size_t dollar = tmpl.find('$');
    if (dollar == std::string_view::npos) break;
    literal.append(tmpl.substr(0, dollar));
    tmpl.remove_prefix(dollar + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {
      literal += '$';
      tmpl.remove_prefix(1);
      continue;
    }
    Extracted e = Extract(tmpl);
    if (!e.ok) {
      literal += '$';  // malformed: "$" is raw text
      continue;
    }
    tmpl.remove_prefix(e.consumed);
    int group = -1;
    if (e.num >= 0) {
      if (e.num <= ncap) group = e.num;
    } else {
      auto it = named.find(std::string(e.name));
      if (it != named.end()) group = it->second;
    }
    if (group < 0) continue;  // expands to nothing; keep accumulating literal
    t.pieces_.push_back(Piece{std::move(literal), group});
    literal.clear();
    if (group + 1 > t.needed_groups_) t.needed_groups_ = group + 1;
  }
  literal.append(tmpl);
  t.tail_ = std::move(literal);
  return t;
}

void ExpandTemplate::Expand(const re2::StringPiece* groups, int ngroups,
                            std::string* out) const {
  for (const Piece& p : pieces_) {
    out->append(p.before);
    if (p.group < ngroups) {
      const re2::StringPiece& g = groups[p.group];
      if (g.data() != nullptr) out->append(g.data(), g.size());
    }
  }
  out->append(tail_);
}

}  // namespace ferry::relabel::internal
