#include "src/relabel/internal/regex.h"

namespace ferry::relabel::internal {

std::string AnchoredPattern(std::string_view regex) {
  std::string p;
  p.reserve(regex.size() + 6);
  p += "^(?:";
  p += regex;
  p += ")$";
  return p;
}

RE2::Options GoRegexpOptions() {
  RE2::Options o;
  o.set_encoding(RE2::Options::EncodingUTF8);
  o.set_posix_syntax(false);  // Perl classes, \b, \d, (?flags) as in Go
  o.set_longest_match(false);
  o.set_log_errors(false);
  // Go's regexp has no memory budget; give RE2 a generous one so large
  // alternations from service discovery still compile. A pattern that needs
  // more fails Validate() with RE2's "pattern too large" error.
  o.set_max_mem(64 << 20);
  return o;
}

std::unique_ptr<RE2> CompileAnchored(std::string_view regex) {
  return std::make_unique<RE2>(AnchoredPattern(regex), GoRegexpOptions());
}

bool UsesAnyByteEscape(std::string_view regex) {
  size_t i = 0;
  while (i < regex.size()) {
    if (regex[i] != '\\' || i + 1 >= regex.size()) {
      ++i;
      continue;
    }
    const char next = regex[i + 1];
    if (next == 'C') return true;
    if (next == 'Q') {  // literal text up to \E (or the end)
      size_t end = regex.find("\\E", i + 2);
      if (end == std::string_view::npos) return false;
      i = end + 2;
      continue;
    }
    i += 2;  // any other escape, including "\\"
  }
  return false;
}

namespace {
bool IsAsciiLetterOrUnderscore(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsWordChar(char c) { return IsAsciiLetterOrUnderscore(c) || (c >= '0' && c <= '9'); }
}  // namespace

bool IsValidLabelName(std::string_view name) {
  if (name.empty() || !IsAsciiLetterOrUnderscore(name[0])) return false;
  for (char c : name) {
    if (!IsWordChar(c)) return false;
  }
  return true;
}

bool IsValidRelabelTarget(std::string_view tmpl) {
  // The pattern is static and valid; RE2 objects are thread-safe for matching.
  static const RE2* const kTarget = [] {
    RE2::Options o = GoRegexpOptions();
    return new RE2(R"(^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$)", o);
  }();
  return RE2::PartialMatch(tmpl, *kTarget);
}

}  // namespace ferry::relabel::internal
