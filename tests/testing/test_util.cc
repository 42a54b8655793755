#include "tests/testing/test_util.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "src/base/check.h"

namespace ferry::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TEST_TMPDIR");
  std::filesystem::path root = base ? base : std::filesystem::temp_directory_path();
  std::random_device rd;
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto candidate = root / ("ferry-test-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
    std::error_code ec;
    if (std::filesystem::create_directories(candidate, ec)) {
      path_ = candidate;
      return;
    }
  }
  FERRY_CHECK(false && "could not create a temporary directory");
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string SourceDir() {
  const char* d = std::getenv("FERRY_SOURCE_DIR");
  return d ? d : FERRY_SOURCE_DIR_DEFAULT;
}

std::string BinaryDir() {
  const char* d = std::getenv("FERRY_BINARY_DIR");
  return d ? d : FERRY_BINARY_DIR_DEFAULT;
}

std::string FerryBinary() { return BinaryDir() + "/ferry"; }

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFileOrDie(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  FERRY_CHECK(out.good());
}

}  // namespace ferry::testing
