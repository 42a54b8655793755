// SampleQueue against a std::deque model: appends that wrap the ring and
// grow it, takes of every size, and emptying in between.
#include "src/ship/sample_queue.h"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <vector>

namespace ferry::ship {
namespace {

TEST(SampleQueueTest, MatchesADequeModelThroughWrapsAndGrowth) {
  SampleQueue<uint64_t> q;
  std::deque<uint64_t> model;
  std::mt19937_64 rng(7);
  uint64_t next = 0;
  for (int step = 0; step < 20'000; ++step) {
    if (rng() % 2 == 0) {
      std::vector<uint64_t> in(rng() % 300);
      for (auto& v : in) v = next++;
      q.Append(in);
      model.insert(model.end(), in.begin(), in.end());
    } else {
      size_t n = model.empty() ? 0 : rng() % (model.size() + 1);
      std::vector<uint64_t> out = {12345};  // TakeFront appends
      q.TakeFront(n, &out);
      ASSERT_EQ(out.size(), n + 1);
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(out[i + 1], model[i]) << step;
      model.erase(model.begin(), model.begin() + static_cast<std::ptrdiff_t>(n));
    }
    ASSERT_EQ(q.size(), model.size());
    ASSERT_EQ(q.empty(), model.empty());
    if (!model.empty()) {
      ASSERT_EQ(q.front(), model.front());
      ASSERT_EQ(q[model.size() - 1], model.back());
      ASSERT_EQ(q.back(), model.back());
      ASSERT_EQ(q[model.size() / 2], model[model.size() / 2]);
    }
  }
}

TEST(SampleQueueTest, TakeAcrossTheEndOfTheRing) {
  SampleQueue<int> q;
  std::vector<int> a(60, 1);
  q.Append(a);  // 64 slots
  std::vector<int> out;
  q.TakeFront(50, &out);
  std::vector<int> b = {2, 3, 4, 5, 6, 7, 8, 9};
  q.Append(b);  // wraps: 10 ones, then 4 at the end, 4 at the start
  out.clear();
  q.TakeFront(q.size(), &out);
  std::vector<int> want(10, 1);
  want.insert(want.end(), b.begin(), b.end());
  EXPECT_EQ(out, want);
  EXPECT_TRUE(q.empty());
}

// After a catch-up window the ring is freed once empty, if larger than the
// shard's capacity; a non-empty or small ring is kept.
TEST(SampleQueueTest, ShrinkIfEmptyFreesOnlyAnEmptyLargeRing) {
  SampleQueue<int> q;
  std::vector<int> many(1000, 7);
  q.Append(many);
  q.ShrinkIfEmpty(100);  // not empty: kept
  EXPECT_EQ(q.size(), 1000u);
  std::vector<int> out;
  q.TakeFront(1000, &out);
  q.ShrinkIfEmpty(2048);  // small enough: kept
  q.ShrinkIfEmpty(100);   // freed
  std::vector<int> b = {1, 2, 3};
  q.Append(b);  // usable again
  out.clear();
  q.TakeFront(3, &out);
  EXPECT_EQ(out, b);
}

}  // namespace
}  // namespace ferry::ship
