// Paths, quoting and label-name rules shared by the decoders.
#include "src/config/internal/decoder.h"

namespace ferry::config::internal {

std::string JoinPath(std::string_view base, std::string_view key) {
  if (base.empty()) return std::string(key);
  std::string out(base);
  out += '.';
  out += key;
  return out;
}

std::string IndexPath(std::string_view base, size_t index) {
  return std::string(base) + "[" + std::to_string(index) + "]";
}

std::string Quote(std::string_view s) {
  std::string out;
  labels::AppendQuoted(&out, s);
  return out;
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    int n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c >> 5) == 0x6) {
      n = 1;
      cp = c & 0x1f;
    } else if ((c >> 4) == 0xe) {
      n = 2;
      cp = c & 0x0f;
    } else if ((c >> 3) == 0x1e) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (int k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc >> 6) != 0x2) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are invalid.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

bool IsLegacyLabelName(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                    (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool IsValidLabelName(std::string_view s, NameValidation scheme) {
  if (scheme == NameValidation::kLegacy) return IsLegacyLabelName(s);
  return !s.empty() && IsValidUtf8(s);
}

}  // namespace ferry::config::internal

namespace ferry::config::internal {
namespace {

bool IsShellSpecial(char c) {
  return c == '*' || c == '#' || c == '$' || c == '@' || c == '!' || c == '?' || c == '-' ||
         (c >= '0' && c <= '9');
}

bool IsAlnumUnderscore(char c) {
  return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

}  // namespace

std::string ExpandEnv(std::string_view s, const std::function<std::string(std::string_view)>& env) {
  // Go's os.Expand with Prometheus' mapping: "$$" is a literal "$".
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] != '$' || i + 1 >= s.size()) {
      out += s[i++];
      continue;
    }
    const char next = s[i + 1];
    if (next == '{') {
      const size_t close = s.find('}', i + 2);
      if (close == std::string_view::npos || close == i + 2) {
        i += 2;  // bad syntax: Go eats "${" and keeps the rest
        continue;
      }
      out += env(s.substr(i + 2, close - i - 2));
      i = close + 1;
    } else if (IsShellSpecial(next)) {
      out += next == '$' ? std::string("$") : env(s.substr(i + 1, 1));
      i += 2;
    } else if (IsAlnumUnderscore(next)) {
      size_t j = i + 1;
      while (j < s.size() && IsAlnumUnderscore(s[j])) ++j;
      out += env(s.substr(i + 1, j - i - 1));
      i = j;
    } else {
      i += 1;  // "$" followed by anything else: Go drops the "$"
    }
  }
  return out;
}

}  // namespace ferry::config::internal
