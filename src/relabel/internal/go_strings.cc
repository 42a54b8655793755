#include "src/relabel/internal/go_strings.h"

#include <locale.h>
#include <wctype.h>

#include <openssl/evp.h>

namespace ferry::relabel::internal {
namespace {

constexpr char32_t kRuneError = 0xFFFD;

// Decodes one rune with Go's utf8.DecodeRuneInString rules (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF).
// REQUIRES: !s.empty().
char32_t DecodeRune(std::string_view s, int* width) {
  const auto b = [&s](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c0 = b(0);
  *width = 1;
  if (c0 < 0x80) return c0;
  auto cont = [&](size_t i, unsigned char lo, unsigned char hi) {
    return i < s.size() && b(i) >= lo && b(i) <= hi;
  };
  if (c0 >= 0xC2 && c0 <= 0xDF) {
    if (!cont(1, 0x80, 0xBF)) return kRuneError;
    *width = 2;
    return (char32_t(c0 & 0x1F) << 6) | (b(1) & 0x3F);
  }
  if (c0 >= 0xE0 && c0 <= 0xEF) {
    unsigned char lo = c0 == 0xE0 ? 0xA0 : 0x80;
    unsigned char hi = c0 == 0xED ? 0x9F : 0xBF;
    if (!cont(1, lo, hi) || !cont(2, 0x80, 0xBF)) return kRuneError;
    *width = 3;
    return (char32_t(c0 & 0x0F) << 12) | (char32_t(b(1) & 0x3F) << 6) | (b(2) & 0x3F);
  }
  if (c0 >= 0xF0 && c0 <= 0xF4) {
    unsigned char lo = c0 == 0xF0 ? 0x90 : 0x80;
    unsigned char hi = c0 == 0xF4 ? 0x8F : 0xBF;
    if (!cont(1, lo, hi) || !cont(2, 0x80, 0xBF) || !cont(3, 0x80, 0xBF)) return kRuneError;
    *width = 4;
    return (char32_t(c0 & 0x07) << 18) | (char32_t(b(1) & 0x3F) << 12) |
           (char32_t(b(2) & 0x3F) << 6) | (b(3) & 0x3F);
  }
  return kRuneError;
}

void AppendRune(char32_t r, std::string* out) {
  if (r < 0x80) {
    *out += static_cast<char>(r);
  } else if (r < 0x800) {
    *out += static_cast<char>(0xC0 | (r >> 6));
    *out += static_cast<char>(0x80 | (r & 0x3F));
  } else if (r < 0x10000) {
    *out += static_cast<char>(0xE0 | (r >> 12));
    *out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (r & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (r >> 18));
    *out += static_cast<char>(0x80 | ((r >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (r & 0x3F));
  }
}

// glibc's C.UTF-8 locale carries the full Unicode case tables; a private
// locale_t leaves the process locale alone. Null when unavailable, in which
// case non-ASCII runes are left unchanged.
locale_t Utf8Locale() {
  static const locale_t kLocale = [] {
    locale_t l = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
    if (l == static_cast<locale_t>(0)) l = newlocale(LC_CTYPE_MASK, "C.utf8", static_cast<locale_t>(0));
    return l;
  }();
  return kLocale;
}

template <bool kUpper>
void GoMapCase(std::string_view s, std::string* out) {
  out->clear();
  bool ascii = true;
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    out->assign(s);
    for (char& c : *out) {
      if (kUpper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      if (!kUpper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return;
  }
  out->reserve(s.size() + 4);
  const locale_t loc = Utf8Locale();
  while (!s.empty()) {
    int width;
    char32_t r = DecodeRune(s, &width);
    s.remove_prefix(width);
    if (r >= 0x80 && loc != static_cast<locale_t>(0)) {
      wint_t m = kUpper ? towupper_l(static_cast<wint_t>(r), loc)
                        : towlower_l(static_cast<wint_t>(r), loc);
      r = static_cast<char32_t>(m);
    } else if (r < 0x80) {
      if (kUpper && r >= 'a' && r <= 'z') r = r - 'a' + 'A';
      if (!kUpper && r >= 'A' && r <= 'Z') r = r - 'A' + 'a';
    }
    AppendRune(r, out);
  }
}

const EVP_MD* Md5() {
  static const EVP_MD* const kMd5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
  return kMd5;
}

}  // namespace

void GoToLower(std::string_view s, std::string* out) { GoMapCase<false>(s, out); }
void GoToUpper(std::string_view s, std::string* out) { GoMapCase<true>(s, out); }

int GoRuneWidth(std::string_view s) {
  if (s.empty()) return 0;
  int width;
  DecodeRune(s, &width);
  return width;
}

bool Md5Available() { return Md5() != nullptr; }

bool HashModSum(std::string_view s, uint64_t* sum) {
  const EVP_MD* md = Md5();
  if (md == nullptr) return false;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(s.data(), s.size(), digest, &len, md, nullptr) != 1 || len != 16) return false;
  uint64_t v = 0;
  for (int i = 8; i < 16; ++i) v = (v << 8) | digest[i];
  *sum = v;
  return true;
}

}  // namespace ferry::relabel::internal
