// SeriesCache against a std::map model: inserts in many orders (dense,
// strided and random refs, the shapes WAL refs take per shard), growth,
// Clear and Drain; labels round-trip through the label pool, including
// series with more labels than an entry holds inline. LabelPool alone:
// each piece stored once, ids stable while it grows.
#include "src/ship/series_cache.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "src/ship/label_pool.h"

namespace ferry::ship {
namespace {

// Series "i": shared labels and one of its own; every 7th has 9 labels
// (more than an entry holds inline).
remote::EncodedLabels Labels(uint64_t i) {
  std::vector<labels::Label> ls = {{"__name__", "m"}, {"job", "j"}, {"i", std::to_string(i)}};
  if (i % 7 == 0) {
    for (int k = 0; k < 6; ++k) ls.push_back({"extra" + std::to_string(k), std::to_string(i % 3)});
  }
  return std::move(remote::EncodedLabels::FromLabels(labels::Labels::FromUnsorted(ls))).value();
}

// The entry's label bytes, read both ways (assembled, and as pieces).
std::string Bytes(const SeriesCache& c, const SeriesCache::Entry* e) {
  std::string scratch;
  std::string assembled(c.Labels(*e, &scratch).bytes());
  std::vector<std::string_view> pieces;
  std::string joined;
  for (std::string_view piece : c.Pieces(*e, &pieces)) joined += piece;
  EXPECT_EQ(joined, assembled);
  return assembled;
}

void Put(SeriesCache& c, uint64_t ref) {
  c.Insert(ref, SeriesCache::Drop::kNone, Labels(ref));
}

TEST(SeriesCacheTest, MatchesAMapModelThroughGrowthAndClear) {
  std::mt19937_64 rng(42);
  for (int shape = 0; shape < 3; ++shape) {
    SeriesCache c;
    std::map<uint64_t, int> model;  // ref -> drop
    for (int i = 0; i < 50000; ++i) {
      uint64_t ref = shape == 0   ? uint64_t(i) + 1
                     : shape == 1 ? uint64_t(i) * 7 + 3        // one shard's share of dense refs
                                  : (rng() % 1000000) + 1;    // random, with repeats
      const SeriesCache::Entry* e = c.Find(ref);
      if (model.count(ref)) {
        ASSERT_NE(e, nullptr) << ref;
        EXPECT_EQ(static_cast<int>(e->drop), model[ref]);
        if (e->drop == SeriesCache::Drop::kNone) {
          EXPECT_EQ(Bytes(c, e), Labels(ref).bytes());
        }
        continue;
      }
      ASSERT_EQ(e, nullptr) << ref;
      if (ref % 5 == 0) {
        e = c.Insert(ref, SeriesCache::Drop::kDroppedSeries, {});
      } else {
        e = c.Insert(ref, SeriesCache::Drop::kNone, Labels(ref));
      }
      model[ref] = static_cast<int>(e->drop);
      ASSERT_EQ(c.size(), model.size());
    }
    for (const auto& [ref, drop] : model) {
      const SeriesCache::Entry* e = c.Find(ref);
      ASSERT_NE(e, nullptr);
      EXPECT_EQ(static_cast<int>(e->drop), drop);
      if (e->drop == SeriesCache::Drop::kNone) {
        ASSERT_EQ(Bytes(c, e), Labels(ref).bytes()) << ref;
      }
    }
    EXPECT_EQ(c.Find(2000001), nullptr);
    c.Clear();
    EXPECT_EQ(c.size(), 0u);
    EXPECT_EQ(c.Find(model.begin()->first), nullptr);
    Put(c, 5);
    Put(c, 7);
    EXPECT_EQ(Bytes(c, c.Find(5)), Labels(5).bytes());
    EXPECT_EQ(Bytes(c, c.Find(7)), Labels(7).bytes());
  }
}

TEST(SeriesCacheTest, DrainMovesEveryEntryOutOnceAndEmpties) {
  SeriesCache c;
  for (uint64_t ref = 1; ref <= 3000; ++ref) Put(c, ref);
  c.Insert(3001, SeriesCache::Drop::kUnknownSeries, {});
  std::map<uint64_t, std::string> seen;
  c.Drain([&](wal::SeriesRef ref, SeriesCache::Drop drop, remote::EncodedLabelsView labels) {
    EXPECT_EQ(drop == SeriesCache::Drop::kNone, ref <= 3000) << ref;
    EXPECT_TRUE(seen.emplace(ref, std::string(labels.bytes())).second) << ref;
  });
  ASSERT_EQ(seen.size(), 3001u);
  for (const auto& [ref, bytes] : seen) {
    EXPECT_EQ(bytes, ref <= 3000 ? Labels(ref).bytes() : std::string_view()) << ref;
  }
  EXPECT_EQ(c.size(), 0u);
  EXPECT_EQ(c.Find(1), nullptr);
  // Moved into another cache, as a reshard does.
  SeriesCache a, b;
  for (uint64_t ref = 1; ref <= 100; ++ref) Put(a, ref);
  a.Drain([&](wal::SeriesRef ref, SeriesCache::Drop drop, remote::EncodedLabelsView labels) {
    b.Insert(ref, drop, labels);
  });
  for (uint64_t ref = 1; ref <= 100; ++ref) EXPECT_EQ(Bytes(b, b.Find(ref)), Labels(ref).bytes());
}

TEST(SeriesCacheTest, ReserveKeepsEntries) {
  SeriesCache c;
  for (uint64_t ref = 1; ref <= 700; ++ref) Put(c, ref);
  c.Reserve(50'000);  // grows once, keeps what is there
  c.Reserve(10);      // never shrinks
  EXPECT_EQ(c.size(), 700u);
  for (uint64_t ref = 701; ref <= 20'000; ++ref) Put(c, ref);
  for (uint64_t ref = 1; ref <= 20'000; ref += 97) {
    ASSERT_NE(c.Find(ref), nullptr) << ref;
    EXPECT_EQ(Bytes(c, c.Find(ref)), Labels(ref).bytes());
  }
  EXPECT_EQ(c.size(), 20'000u);
}

// One label's wire bytes, as EncodedLabels writes it.
std::string Piece(const std::string& name, const std::string& value) {
  auto e = remote::EncodedLabels::FromLabels(labels::Labels::Of({{name, value}}));
  return std::string(e->bytes());
}

TEST(LabelPoolTest, StoresEachPieceOnceAndKeepsIdsAcrossGrowth) {
  LabelPool pool;
  std::map<std::string, LabelPool::Id> ids;
  for (int i = 0; i < 20000; ++i) {
    // Growth of the table and many blocks; pieces of many sizes, one larger
    // than a block.
    std::string value = i == 777 ? std::string(100'000, 'x') : std::string(i % 300, 'v') +
                                                                     std::to_string(i);
    std::string p = Piece("l" + std::to_string(i % 13), value);
    LabelPool::Id id = pool.Intern(p);
    EXPECT_EQ(LabelPool::PieceSize(p), p.size());
    ids[p] = id;
    EXPECT_EQ(pool.Intern(p), id);  // again: the same id, nothing stored
  }
  EXPECT_EQ(pool.size(), ids.size());
  for (const auto& [p, id] : ids) ASSERT_EQ(pool.Get(id), p);
  pool.Clear();
  EXPECT_EQ(pool.size(), 0u);
  std::string p = Piece("a", "b");
  EXPECT_EQ(pool.Get(pool.Intern(p)), p);
}

}  // namespace
}  // namespace ferry::ship
