#include "src/labels/labels.h"

#include <gtest/gtest.h>

namespace ferry::labels {
namespace {

TEST(LabelsTest, FromUnsortedSortsByName) {
  Labels l = Labels::Of({{"job", "node"}, {"__name__", "up"}, {"instance", "a:1"}});
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[0].name, "__name__");
  EXPECT_EQ(l[2].name, "job");
  EXPECT_EQ(l.Get("instance"), "a:1");
  EXPECT_EQ(l.Get("missing"), "");
  EXPECT_EQ(l.ToString(), R"({__name__="up", instance="a:1", job="node"})");
}

TEST(LabelsTest, HashIsStableAndOrderIndependentOfInput) {
  Labels a = Labels::Of({{"a", "1"}, {"b", "2"}});
  Labels b = Labels::Of({{"b", "2"}, {"a", "1"}});
  EXPECT_EQ(a.Hash(), b.Hash());
  // Name/value boundaries matter: {a="1b"} != {a1="b"}.
  EXPECT_NE(Labels::Of({{"a", "1b"}}).Hash(), Labels::Of({{"a1", "b"}}).Hash());
  // Golden value: changing the hash would reshuffle every shard.
  EXPECT_EQ(Labels::Of({{"__name__", "up"}}).Hash(), 0xa6a0cb87086ec65bull);
}

TEST(LabelsTest, BuilderEmptyValueDeletes) {
  LabelsBuilder b(Labels::Of({{"a", "1"}, {"b", "2"}}));
  b.Set("b", "").Set("c", "3").Set("a", "x");
  EXPECT_EQ(b.Build(), Labels::Of({{"a", "x"}, {"c", "3"}}));
  EXPECT_FALSE(b.Has("b"));
}

TEST(LabelsTest, FindsDuplicateNames) {
  EXPECT_EQ(Labels::Of({{"a", "1"}, {"a", "2"}}).FirstDuplicateName(), "a");
  EXPECT_EQ(Labels::Of({{"a", "1"}, {"b", "2"}}).FirstDuplicateName(), "");
}

}  // namespace
}  // namespace ferry::labels
