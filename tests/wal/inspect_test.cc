// Inspect (ferry wal inspect) and Dump (ferry wal dump).
#include <gtest/gtest.h>

#include "tests/testing/test_util.h"
#include "tests/wal/wal_test_util.h"
#include "wal/wal.h"

namespace ferry::wal {
namespace {

using ::ferry::testing::FakeClock;
using ::ferry::testing::TempDir;

class InspectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Options o;
    o.dir = dir_.Sub("wal");
    o.durability = Durability::kNever;
    o.retention_interval = std::chrono::milliseconds(0);
    o.clock = &clock_;
    wal_ = std::move(Wal::Open(o)).value();
    std::vector<SeriesRef> refs;
    for (int i = 0; i < 10; ++i) {
      clock_.Advance(std::chrono::seconds(1));
      Batch b = refs.empty() ? testing::LabelBatch(1, 3, 1000 * i, i)
                             : testing::RefBatch(1, refs, 1000 * i, i);
      ASSERT_TRUE(wal_->Append(b).ok());
      refs = b.refs();
    }
  }
  TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<Wal> wal_;
};

TEST_F(InspectTest, ReportsRangesCountsAndCursorLag) {
  ASSERT_TRUE(wal_->CommitCursor("remote", 7).ok());
  ASSERT_TRUE(wal_->CommitCursor("caught-up", 11).ok());
  clock_.Advance(std::chrono::seconds(5));
  WalInfo info = *wal_->Inspect();
  EXPECT_EQ(info.format_version, 1u);
  EXPECT_GT(info.bytes_on_disk, 0u);
  EXPECT_EQ(info.series, 3u);
  EXPECT_EQ(info.records, 10u);
  EXPECT_EQ(info.first_sequence, 1u);
  EXPECT_EQ(info.last_sequence, 10u);
  EXPECT_EQ(info.samples, 30u);
  EXPECT_EQ(info.min_timestamp_ms, 0);
  EXPECT_EQ(info.max_timestamp_ms, 9000);
  EXPECT_EQ(info.last_append_ms - info.first_append_ms, 9000);
  ASSERT_EQ(info.cursors.size(), 2u);
  const CursorInfo& caught = info.cursors[0];
  EXPECT_EQ(caught.cursor.name, "caught-up");
  EXPECT_EQ(caught.lag_records, 0u);
  EXPECT_EQ(caught.lag_samples, 0u);
  EXPECT_EQ(caught.oldest_unshipped_ms, 0);
  const CursorInfo& remote = info.cursors[1];
  EXPECT_EQ(remote.lag_records, 4u);  // 7..10
  EXPECT_EQ(remote.lag_samples, 12u);
  // Record 7 was appended at +7 s; now is +15 s.
  EXPECT_EQ(remote.lag_seconds, 8.0);
  EXPECT_EQ(info.oldest_unshipped_ms, remote.oldest_unshipped_ms);
}

TEST_F(InspectTest, DumpFiltersBySeriesAndTime) {
  std::vector<std::pair<int64_t, double>> got;
  Status s = wal_->Dump(
      3000, 5000, [](SeriesRef, const labels::Labels& l) { return l.Get("i") == "1"; },
      [&](uint64_t seq, SeriesRef ref, const labels::Labels& l, int64_t ts, double v) {
        EXPECT_EQ(l.Get("i"), "1");
        got.emplace_back(ts, v);
        return Status::Ok();
      });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(got, (std::vector<std::pair<int64_t, double>>{{3000, 4}, {4000, 5}, {5000, 6}}));
  // The visitor's error stops the dump and is returned.
  int calls = 0;
  s = wal_->Dump(INT64_MIN, INT64_MAX, nullptr,
                 [&](uint64_t, SeriesRef, const labels::Labels&, int64_t, double) {
                   return ++calls == 2 ? Status::Cancelled("enough") : Status::Ok();
                 });
  EXPECT_TRUE(s.IsCancelled());
  EXPECT_EQ(calls, 2);
}

TEST_F(InspectTest, SeekTimeFindsTheFirstRecordAppendedAtOrAfter) {
  const int64_t t0 = clock_.NowMillis() - 9000;  // append time of record 1
  EXPECT_EQ(*wal_->SeekTime(0), 1u);
  EXPECT_EQ(*wal_->SeekTime(t0), 1u);
  EXPECT_EQ(*wal_->SeekTime(t0 + 1), 2u);
  EXPECT_EQ(*wal_->SeekTime(t0 + 4000), 5u);
  EXPECT_EQ(*wal_->SeekTime(t0 + 9000), 10u);
  EXPECT_EQ(*wal_->SeekTime(t0 + 9001), 11u);
}

}  // namespace
}  // namespace ferry::wal
