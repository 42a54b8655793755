// SeriesCache against a std::map model: inserts in many orders (dense,
// strided and random refs, the shapes WAL refs take per shard), growth,
// Clear and Drain.
#include "src/ship/series_cache.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace ferry::ship {
namespace {

remote::EncodedLabels Labels(uint64_t i) {
  return std::move(remote::EncodedLabels::FromLabels(
                       labels::Labels::Of({{"__name__", "m"}, {"i", std::to_string(i)}})))
      .value();
}

std::string_view Bytes(const SeriesCache::Entry* e) { return e->labels.bytes(); }

TEST(SeriesCacheTest, MatchesAMapModelThroughGrowthAndClear) {
  std::mt19937_64 rng(42);
  for (int shape = 0; shape < 3; ++shape) {
    SeriesCache c;
    std::map<uint64_t, int> model;  // ref -> drop
    for (int i = 0; i < 50000; ++i) {
      uint64_t ref = shape == 0   ? uint64_t(i) + 1
                     : shape == 1 ? uint64_t(i) * 7 + 3        // one shard's share of dense refs
                                  : (rng() % 1000000) + 1;    // random, with repeats
      SeriesCache::Entry* e = c.Find(ref);
      if (model.count(ref)) {
        ASSERT_NE(e, nullptr) << ref;
        EXPECT_EQ(static_cast<int>(e->drop), model[ref]);
        if (e->drop == SeriesCache::Drop::kNone) {
          EXPECT_EQ(Bytes(e), Labels(ref).bytes());
        }
        continue;
      }
      ASSERT_EQ(e, nullptr) << ref;
      e = c.Insert(ref);
      if (ref % 5 == 0) {
        e->drop = SeriesCache::Drop::kDroppedSeries;
      } else {
        e->labels = Labels(ref);
      }
      model[ref] = static_cast<int>(e->drop);
      ASSERT_EQ(c.size(), model.size());
    }
    for (const auto& [ref, drop] : model) {
      SeriesCache::Entry* e = c.Find(ref);
      ASSERT_NE(e, nullptr);
      EXPECT_EQ(static_cast<int>(e->drop), drop);
    }
    EXPECT_EQ(c.Find(2000001), nullptr);
    c.Clear();
    EXPECT_EQ(c.size(), 0u);
    EXPECT_EQ(c.Find(model.begin()->first), nullptr);
    c.Insert(5)->labels = Labels(5);
    EXPECT_EQ(Bytes(c.Find(5)), Labels(5).bytes());
  }
}

TEST(SeriesCacheTest, DrainMovesEveryEntryOutOnceAndEmpties) {
  SeriesCache c;
  for (uint64_t ref = 1; ref <= 3000; ++ref) c.Insert(ref)->labels = Labels(ref);
  std::map<uint64_t, std::string> seen;
  c.Drain([&](wal::SeriesRef ref, SeriesCache::Entry&& e) {
    EXPECT_TRUE(seen.emplace(ref, std::string(e.labels.bytes())).second) << ref;
  });
  ASSERT_EQ(seen.size(), 3000u);
  for (const auto& [ref, bytes] : seen) EXPECT_EQ(bytes, Labels(ref).bytes());
  EXPECT_EQ(c.size(), 0u);
  EXPECT_EQ(c.Find(1), nullptr);
  // Moved into another cache, as a reshard does.
  SeriesCache a, b;
  for (uint64_t ref = 1; ref <= 100; ++ref) a.Insert(ref)->labels = Labels(ref);
  a.Drain([&](wal::SeriesRef ref, SeriesCache::Entry&& e) { *b.Insert(ref) = std::move(e); });
  for (uint64_t ref = 1; ref <= 100; ++ref) EXPECT_EQ(Bytes(b.Find(ref)), Labels(ref).bytes());
}

TEST(SeriesCacheTest, ReserveKeepsEntries) {
  SeriesCache c;
  for (uint64_t ref = 1; ref <= 700; ++ref) c.Insert(ref)->labels = Labels(ref);
  c.Reserve(50'000);  // grows once, keeps what is there
  c.Reserve(10);      // never shrinks
  EXPECT_EQ(c.size(), 700u);
  for (uint64_t ref = 701; ref <= 20'000; ++ref) c.Insert(ref)->labels = Labels(ref);
  for (uint64_t ref = 1; ref <= 20'000; ref += 97) {
    ASSERT_NE(c.Find(ref), nullptr) << ref;
    EXPECT_EQ(Bytes(c.Find(ref)), Labels(ref).bytes());
  }
  EXPECT_EQ(c.size(), 20'000u);
}

}  // namespace
}  // namespace ferry::ship
