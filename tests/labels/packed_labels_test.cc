#include "src/labels/packed_labels.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

namespace ferry::labels {
namespace {

std::vector<std::pair<std::string, std::string>> Pairs(const PackedLabels& p) {
  std::vector<std::pair<std::string, std::string>> out;
  p.Range([&out](std::string_view n, std::string_view v) { out.emplace_back(n, v); });
  return out;
}

TEST(PackedLabelsTest, EmptySetAllocatesNothing) {
  PackedLabels p = PackedLabels::Pack(Labels());
  EXPECT_TRUE(p.empty());
  EXPECT_EQ(p.size(), 0u);
  EXPECT_EQ(p.size_bytes(), 0u);
  EXPECT_EQ(p.Unpack(), Labels());
  EXPECT_EQ(p.Hash(), Labels().Hash());
  EXPECT_EQ(p.ToString(), "{}");
  EXPECT_EQ(p.Get("a"), "");
  EXPECT_FALSE(p.Has("a"));
  EXPECT_TRUE(p == Labels());
  EXPECT_TRUE(p == PackedLabels());
  EXPECT_FALSE(p == Labels::Of({{"a", "1"}}));
  EXPECT_TRUE(Pairs(p).empty());
}

TEST(PackedLabelsTest, RoundTripsAndReads) {
  Labels l = Labels::Of({{"job", "node"}, {"__name__", "up"}, {"instance", "a:1"}});
  PackedLabels p = PackedLabels::Pack(l);
  EXPECT_FALSE(p.empty());
  EXPECT_EQ(p.size(), 3u);
  EXPECT_EQ(p.Unpack(), l);
  EXPECT_EQ(p.Get("__name__"), "up");
  EXPECT_EQ(p.Get("instance"), "a:1");
  EXPECT_EQ(p.Get("job"), "node");
  EXPECT_EQ(p.Get("jo"), "");
  EXPECT_EQ(p.Get("zzz"), "");
  EXPECT_EQ(p.Get(""), "");
  EXPECT_TRUE(p.Has("job"));
  EXPECT_FALSE(p.Has("instanc"));
  EXPECT_EQ(p.ToString(), l.ToString());
  EXPECT_EQ(p.ToString(), R"({__name__="up", instance="a:1", job="node"})");
  // Name order, as Labels.
  std::vector<std::pair<std::string, std::string>> want = {
      {"__name__", "up"}, {"instance", "a:1"}, {"job", "node"}};
  EXPECT_EQ(Pairs(p), want);
  // One length byte + 3 x (2 length bytes + name + value).
  EXPECT_EQ(p.size_bytes(), 1u + 3 * 2 + 8 + 2 + 8 + 3 + 3 + 4);
}

TEST(PackedLabelsTest, LongValuesUseMultiByteLengths) {
  // 127 fits one varint byte, 128 needs two, 16384 needs three; the whole
  // payload then also needs a multi-byte length.
  for (size_t len : {126u, 127u, 128u, 129u, 300u, 16383u, 16384u, 100000u}) {
    std::string value(len, 'v');
    value[len / 2] = 'x';
    Labels l = Labels::Of({{"__name__", "m"}, {"long", value}, {"z", "last"}});
    PackedLabels p = PackedLabels::Pack(l);
    EXPECT_EQ(p.Unpack(), l) << len;
    EXPECT_EQ(p.Get("long"), value) << len;
    EXPECT_EQ(p.Get("z"), "last") << len;
    EXPECT_EQ(p.Hash(), l.Hash()) << len;
    EXPECT_TRUE(p == l) << len;
    EXPECT_EQ(p.ToString(), l.ToString()) << len;
    const size_t payload = 2 + 8 + 1 + 1 + (len < 128 ? 1 : len < 16384 ? 2 : 3) + 4 + len + 2 + 1 + 4;
    const size_t header = payload < 128 ? 1 : payload < 16384 ? 2 : 3;
    EXPECT_EQ(p.size_bytes(), header + payload) << len;
  }
  std::string long_name(200, 'n');
  Labels l = Labels::Of({{long_name, "v"}});
  EXPECT_EQ(PackedLabels::Pack(l).Unpack(), l);
  EXPECT_EQ(PackedLabels::Pack(l).Get(long_name), "v");
}

TEST(PackedLabelsTest, BinaryBytesRoundTrip) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  // NUL, 0x80 (a varint continuation bit) and 0xff (the hash separator)
  // inside names and values.
  Labels l = Labels::Of({{std::string("a\0b", 3), std::string("\0\x80\xff", 3)},
                         {"bytes", all},
                         {"quote", "say \"hi\"\n\\"}});
  PackedLabels p = PackedLabels::Pack(l);
  EXPECT_EQ(p.Unpack(), l);
  EXPECT_EQ(p.Get("bytes"), all);
  EXPECT_EQ(p.Get(std::string("a\0b", 3)), std::string("\0\x80\xff", 3));
  EXPECT_EQ(p.Get("a"), "");
  EXPECT_EQ(p.Hash(), l.Hash());
  EXPECT_EQ(p.ToString(), l.ToString());
  EXPECT_TRUE(p == l);
}

TEST(PackedLabelsTest, HashEqualsLabelsHash) {
  // Golden value of Labels::Hash (sharding depends on it).
  EXPECT_EQ(PackedLabels::Pack(Labels::Of({{"__name__", "up"}})).Hash(), 0xa6a0cb87086ec65bull);
  std::mt19937_64 rng(7);
  for (int i = 0; i < 500; ++i) {
    std::vector<Label> v;
    const int n = static_cast<int>(rng() % 12);
    for (int j = 0; j < n; ++j) {
      std::string name = "l" + std::to_string(rng() % 20);
      std::string value(rng() % 200, '\0');
      for (char& c : value) c = static_cast<char>(rng());
      v.push_back({std::move(name), std::move(value)});
    }
    Labels l = Labels::FromUnsorted(std::move(v));
    PackedLabels p = PackedLabels::Pack(l);
    ASSERT_EQ(p.Hash(), l.Hash()) << l.ToString();
    ASSERT_EQ(p.Unpack(), l) << l.ToString();
    ASSERT_TRUE(p == l);
    ASSERT_EQ(p.size(), l.size());
  }
}

TEST(PackedLabelsTest, EqualityIsExact) {
  Labels a = Labels::Of({{"a", "1"}, {"b", "2"}});
  PackedLabels pa = PackedLabels::Pack(a);
  EXPECT_TRUE(pa == PackedLabels::Pack(Labels::Of({{"b", "2"}, {"a", "1"}})));
  // Name/value boundaries matter.
  EXPECT_FALSE(PackedLabels::Pack(Labels::Of({{"a", "1b"}})) ==
               PackedLabels::Pack(Labels::Of({{"a1", "b"}})));
  EXPECT_FALSE(PackedLabels::Pack(Labels::Of({{"a", "1b"}})) == Labels::Of({{"a1", "b"}}));
  // A prefix or an extension of the set is not equal, either way round.
  Labels ab_c = Labels::Of({{"a", "1"}, {"b", "2"}, {"c", "3"}});
  Labels just_a = Labels::Of({{"a", "1"}});
  EXPECT_FALSE(pa == ab_c);
  EXPECT_FALSE(pa == just_a);
  EXPECT_FALSE(pa == PackedLabels::Pack(ab_c));
  EXPECT_FALSE(pa == PackedLabels::Pack(just_a));
  EXPECT_FALSE(PackedLabels::Pack(ab_c) == a);
  EXPECT_FALSE(pa == Labels::Of({{"a", "1"}, {"b", "3"}}));
  EXPECT_FALSE(pa == Labels::Of({{"a", "1"}, {"c", "2"}}));
  EXPECT_FALSE(pa == Labels::Of({{"a", "1"}, {"b", ""}}));
  EXPECT_TRUE(pa == a);
}

TEST(PackedLabelsTest, CopyAndMove) {
  Labels l = Labels::Of({{"__name__", "m"}, {"x", std::string(500, 'y')}});
  PackedLabels p = PackedLabels::Pack(l);
  PackedLabels copy = p;
  EXPECT_TRUE(copy == p);
  EXPECT_EQ(copy.size_bytes(), p.size_bytes());
  PackedLabels moved = std::move(copy);
  EXPECT_TRUE(moved == l);
  PackedLabels assigned;
  assigned = moved;
  EXPECT_TRUE(assigned == l);
  PackedLabels& alias = assigned;
  assigned = alias;  // self-assignment keeps the value
  EXPECT_TRUE(assigned == l);
  assigned = PackedLabels();
  EXPECT_TRUE(assigned.empty());
  EXPECT_TRUE(moved == l);
}

TEST(PackedLabelsTest, DuplicateNamesArePreserved) {
  // Labels keeps duplicates (Validate finds them); packing must not hide them.
  Labels l = Labels::Of({{"a", "1"}, {"a", "2"}});
  PackedLabels p = PackedLabels::Pack(l);
  EXPECT_EQ(p.size(), 2u);
  EXPECT_EQ(p.Unpack(), l);
  EXPECT_EQ(p.Unpack().FirstDuplicateName(), "a");
  EXPECT_EQ(p.Get("a"), "1");
  EXPECT_EQ(p.Hash(), l.Hash());
}

TEST(PackedLabelsTest, IsMuchSmallerThanLabels) {
  // The shape of the side-by-side benchmark's series.
  Labels l = Labels::Of({{"__name__", "gen_requests_12_total"}, {"code", "200"},
                         {"handler", "/api/v1/h3"}, {"instance", "127.0.0.1:40123"},
                         {"job", "gen"}, {"series", "1234"}, {"target", "7"}, {"zone", "z1"}});
  PackedLabels p = PackedLabels::Pack(l);
  size_t names_values = 0;
  for (const Label& x : l) names_values += x.name.size() + x.value.size();
  // One length byte per name and value (all < 128) plus the total's.
  EXPECT_EQ(p.size_bytes(), names_values + 2 * l.size() + 1);
  EXPECT_LT(p.size_bytes() + sizeof(PackedLabels), l.size() * sizeof(Label));
}

}  // namespace
}  // namespace ferry::labels
