// Helpers shared by the benchmarks: locating the repository and reading the
// bodies under bench/testdata/.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

namespace ferry::bench {

// $FERRY_SOURCE_DIR, else the checkout this header was compiled from.
inline std::string RepoRoot() {
  if (const char* d = std::getenv("FERRY_SOURCE_DIR")) return d;
  std::string here = __FILE__;
  return here.substr(0, here.rfind("/bench/"));
}

// The whole of bench/testdata/<name>; aborts with a message naming the path
// when it cannot be read (a benchmark without its input measures nothing).
inline std::string ReadTestdata(const std::string& name) {
  std::string path = RepoRoot() + "/bench/testdata/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s (set FERRY_SOURCE_DIR)\n", path.c_str());
    std::abort();
  }
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace ferry::bench
