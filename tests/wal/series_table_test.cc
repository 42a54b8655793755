#include "wal/internal/series_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace ferry::wal::internal {
namespace {

using labels::Labels;

// The table keeps only label hashes; the WAL keeps the labels in its series
// family and compares candidates. "Store" plays that family here.
using Store = std::map<SeriesRef, Labels>;

void Put(SeriesTable& t, Store& store, SeriesRef ref, const Labels& ls, uint64_t seq) {
  store[ref] = ls;
  t.Insert(ref, ls.Hash(), seq);
}

// What WalImpl::FindSeries does with the candidates.
SeriesRef Find(const SeriesTable& t, const Store& store, const Labels& ls) {
  std::vector<SeriesRef> c;
  t.Candidates(ls.Hash(), &c);
  for (SeriesRef ref : c) {
    EXPECT_TRUE(t.Contains(ref)) << ref;
    auto it = store.find(ref);
    if (it != store.end() && it->second == ls) return ref;
  }
  return kNoSeriesRef;
}

Labels Series(int i) {
  return Labels::Of({{"__name__", "m" + std::to_string(i % 7)},
                     {"instance", "host:" + std::to_string(i % 13)},
                     {"series", std::to_string(i)}});
}

TEST(SeriesTableTest, EmptyTable) {
  SeriesTable t;
  Store store;
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(Find(t, store, Series(1)), kNoSeriesRef);
  EXPECT_FALSE(t.Contains(1));
  EXPECT_TRUE(t.CollectBelow(100).empty());
  t.MarkKeyframe({1, 2}, 5);  // unknown refs are ignored
  EXPECT_EQ(t.size(), 0u);
}

TEST(SeriesTableTest, InsertFindAcrossGrowth) {
  SeriesTable t;
  Store store;
  constexpr int kN = 5000;  // many rebuilds of the indexes
  for (int i = 0; i < kN; ++i) {
    Put(t, store, 1000 + i, Series(i), 1);
    // Everything inserted so far is still found after each growth.
    if ((i & (i + 1)) == 0) {
      for (int j = 0; j <= i; ++j) ASSERT_EQ(Find(t, store, Series(j)), SeriesRef(1000 + j)) << i;
    }
  }
  EXPECT_EQ(t.size(), size_t{kN});
  for (int i = 0; i < kN; ++i) {
    ASSERT_TRUE(t.Contains(1000 + i));
    ASSERT_EQ(Find(t, store, Series(i)), SeriesRef(1000 + i));
  }
  EXPECT_FALSE(t.Contains(999));
  EXPECT_FALSE(t.Contains(1000 + kN));
  EXPECT_EQ(Find(t, store, Series(kN)), kNoSeriesRef);
  // A set differing only in one value, or with one label more, is another series.
  const Labels other = Labels::Of({{"__name__", "m1"}, {"instance", "host:1"}, {"series", "x"}});
  EXPECT_EQ(Find(t, store, other), kNoSeriesRef);
  labels::LabelsBuilder b(Series(3));
  b.Set("z", "1");
  EXPECT_EQ(Find(t, store, b.Build()), kNoSeriesRef);
}

TEST(SeriesTableTest, LabelsWithBinaryAndLongValues) {
  SeriesTable t;
  Store store;
  Labels a = Labels::Of({{"__name__", "m"}, {"v", std::string(300, '\xff')}});
  Labels b = Labels::Of({{"__name__", "m"}, {"v", std::string("\0\x80", 2)}});
  Put(t, store, 1, a, 1);
  Put(t, store, 2, b, 1);
  EXPECT_EQ(Find(t, store, a), 1u);
  EXPECT_EQ(Find(t, store, b), 2u);
}

TEST(SeriesTableTest, CollectBelowRemovesOnlyOldSeries) {
  SeriesTable t;
  Store store;
  for (int i = 0; i < 1000; ++i) Put(t, store, i + 1, Series(i), 10);
  std::vector<SeriesRef> live;
  for (int i = 0; i < 1000; i += 3) live.push_back(i + 1);
  t.MarkKeyframe(live, 20);
  t.MarkKeyframe(live, 15);  // older keyframe: no change
  std::vector<SeriesRef> got = t.CollectBelow(20);
  std::sort(got.begin(), got.end());
  std::vector<SeriesRef> want;
  for (int i = 0; i < 1000; ++i) {
    if (i % 3 != 0) want.push_back(i + 1);
  }
  EXPECT_EQ(got, want);
  EXPECT_EQ(t.size(), live.size());
  for (int i = 0; i < 1000; ++i) {
    const bool kept = i % 3 == 0;
    ASSERT_EQ(t.Contains(i + 1), kept) << i;
    ASSERT_EQ(Find(t, store, Series(i)), kept ? SeriesRef(i + 1) : kNoSeriesRef) << i;
  }
  EXPECT_TRUE(t.CollectBelow(20).empty());
  // Inserting after a collection (refs are never reused by the WAL).
  Put(t, store, 5000, Series(1), 30);
  EXPECT_EQ(Find(t, store, Series(1)), 5000u);
  EXPECT_EQ(t.CollectBelow(21).size(), live.size());
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(Find(t, store, Series(0)), kNoSeriesRef);
  t.Clear();
  EXPECT_EQ(t.size(), 0u);
  EXPECT_FALSE(t.Contains(5000));
  Put(t, store, 7, Series(7), 1);
  EXPECT_EQ(Find(t, store, Series(7)), 7u);
}

// Random inserts, keyframe marks and collections against a simple model.
TEST(SeriesTableTest, MatchesModelUnderRandomOperations) {
  std::mt19937_64 rng(42);
  SeriesTable t;
  Store store;
  std::map<SeriesRef, std::pair<int, uint64_t>> model;  // ref -> (series id, keyframe)
  SeriesRef next_ref = 1;
  int next_series = 0;
  uint64_t seq = 1;
  for (int step = 0; step < 3000; ++step) {
    const int op = static_cast<int>(rng() % 10);
    if (op < 6) {
      Put(t, store, next_ref, Series(next_series), seq);
      model[next_ref++] = {next_series++, seq};
    } else if (op < 8) {
      std::vector<SeriesRef> refs;
      for (int k = 0; k < 20; ++k) refs.push_back(1 + rng() % next_ref);  // some unknown
      ++seq;
      t.MarkKeyframe(refs, seq);
      for (SeriesRef r : refs) {
        auto it = model.find(r);
        if (it != model.end()) it->second.second = seq;
      }
    } else if (op == 8) {
      const uint64_t cut = seq - rng() % 5;
      std::vector<SeriesRef> got = t.CollectBelow(cut), want;
      for (auto it = model.begin(); it != model.end();) {
        if (it->second.second < cut) {
          want.push_back(it->first);
          it = model.erase(it);
        } else {
          ++it;
        }
      }
      std::sort(got.begin(), got.end());
      ASSERT_EQ(got, want) << step;
    } else {
      ++seq;
    }
    ASSERT_EQ(t.size(), model.size());
  }
  for (SeriesRef r = 1; r < next_ref; ++r) {
    auto it = model.find(r);
    ASSERT_EQ(t.Contains(r), it != model.end()) << r;
  }
  for (const auto& [ref, v] : model) {
    ASSERT_EQ(Find(t, store, Series(v.first)), ref);
  }
}

TEST(SeriesTableTest, CandidatesListEveryRefWithTheHash) {
  SeriesTable t;
  // Equal hashes (as after a 32-bit tag collision): both are candidates,
  // the caller tells them apart by their labels.
  t.Insert(1, 0xabcdef, 1);
  t.Insert(2, 0xabcdef, 1);
  t.Insert(3, 0x123456, 1);
  std::vector<SeriesRef> c;
  t.Candidates(0xabcdef, &c);
  std::sort(c.begin(), c.end());
  EXPECT_EQ(c, (std::vector<SeriesRef>{1, 2}));
  c.clear();
  t.Candidates(0x777, &c);
  EXPECT_TRUE(c.empty());
  EXPECT_EQ(t.CollectBelow(2).size(), 3u);
  t.Candidates(0xabcdef, &c);
  EXPECT_TRUE(c.empty());
}

}  // namespace
}  // namespace ferry::wal::internal
