// FERRY_CHECK and FERRY_DCHECK: crash on broken invariants, never on input.
//
// FERRY_CHECK is always on; FERRY_DCHECK only in debug builds (NDEBUG unset).
// Use them for bugs and start-up impossibilities only. Input from outside
// (config, scrape bodies, HTTP responses, stored bytes) is checked with code
// that returns a Status: the process never crashes on bytes it did not write.
#pragma once

namespace ferry::internal {
[[noreturn]] void CheckFailed(const char* file, int line, const char* condition);
}  // namespace ferry::internal

#define FERRY_CHECK(cond)                                                       \
  do {                                                                          \
    if (!(cond)) [[unlikely]] ::ferry::internal::CheckFailed(__FILE__, __LINE__, #cond); \
  } while (0)

#ifdef NDEBUG
#define FERRY_DCHECK(cond) \
  do {                     \
  } while (0)
#else
#define FERRY_DCHECK(cond) FERRY_CHECK(cond)
#endif
