#include "src/remote/internal/symbol_table.h"

#include <gtest/gtest.h>

#include <string>

namespace ferry::remote::internal {
namespace {

TEST(SymbolTableTest, StartsWithTheEmptyString) {
  SymbolTable t;
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(t.symbol(0), "");
  EXPECT_EQ(t.Intern(""), 0u);
  EXPECT_EQ(t.EncodedSize(), 2u);  // 0x22 0x00
}

TEST(SymbolTableTest, InternsOnceAndKeepsIndicesThroughGrowth) {
  SymbolTable t;
  for (int round = 0; round < 2; ++round) {
    for (uint32_t i = 1; i <= 20000; ++i) {
      std::string s = "s";
      s += std::to_string(i);
      ASSERT_EQ(t.Intern(s), i);
    }
  }
  EXPECT_EQ(t.size(), 20001u);
  EXPECT_EQ(t.symbol(12345), "s12345");
  // Strings that differ only in length or share a prefix stay distinct.
  const uint32_t a = t.Intern("ab");
  const uint32_t b = t.Intern(std::string("ab\0", 3));
  EXPECT_NE(a, b);
}

TEST(SymbolTableTest, EncodesEverySymbolInIndexOrder) {
  SymbolTable t;
  t.Intern("a");
  t.Intern(std::string(200, 'b'));  // two-byte length
  std::string out(t.EncodedSize(), '\0');
  char* end = t.Encode(out.data());
  EXPECT_EQ(end, out.data() + out.size());
  EXPECT_EQ(out.substr(0, 5), std::string("\x22\x00\x22\x01"
                                          "a",
                                          5));
  EXPECT_EQ(static_cast<uint8_t>(out[5]), 0x22);
  EXPECT_EQ(static_cast<uint8_t>(out[6]), 0xc8);  // 200 = c8 01
  EXPECT_EQ(static_cast<uint8_t>(out[7]), 0x01);
  EXPECT_EQ(out.size(), 5u + 3u + 200u);
}

TEST(SymbolTableTest, ResetForgetsEverythingButTheEmptyString) {
  SymbolTable t;
  for (int i = 0; i < 5000; ++i) t.Intern(std::to_string(i));
  t.Reset();
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(t.EncodedSize(), 2u);
  EXPECT_EQ(t.Intern("42"), 1u);
}

}  // namespace
}  // namespace ferry::remote::internal
