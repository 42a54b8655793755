// Retention: cursors gate deletion, keep_shipped, max_age, the size cap,
// keyframe preservation, dropped-sample accounting and series GC.
#include <gtest/gtest.h>

#include <map>

#include "tests/testing/test_util.h"
#include "tests/wal/wal_test_util.h"
#include "wal/internal/record_format.h"
#include "wal/wal.h"

namespace ferry::wal {
namespace {

using ::ferry::testing::FakeClock;
using ::ferry::testing::TempDir;
using ::ferry::wal::testing::LabelBatch;
using ::ferry::wal::testing::RefBatch;

constexpr int kSeries = 10;

class RetentionTest : public ::testing::Test {
 protected:
  Options Opts() {
    Options o;
    o.dir = dir_.Sub("wal");
    o.durability = Durability::kNever;
    o.retention_interval = std::chrono::milliseconds(0);
    o.max_age = std::chrono::milliseconds(0);
    o.keep_shipped = std::chrono::milliseconds(0);
    o.max_size = uint64_t{1} << 40;
    o.clock = &clock_;
    o.listener = &listener_;
    return o;
  }
  void Open(const Options& o) {
    wal_.reset();
    auto w = Wal::Open(o);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    wal_ = std::move(w).value();
  }
  // Appends "n" records of stream 1, one per second of the fake clock.
  void AppendRecords(int n, uint64_t stream = 1, int label_offset = 0) {
    for (int i = 0; i < n; ++i) {
      clock_.Advance(std::chrono::seconds(1));
      auto it = refs_.find(stream);
      Batch b = it == refs_.end()
                    ? LabelBatch(stream + label_offset, kSeries, clock_.NowMillis(), i)
                    : RefBatch(stream, it->second, clock_.NowMillis(), i);
      b.set_stream(stream);
      ASSERT_TRUE(wal_->Append(b).ok());
      refs_[stream] = b.refs();
    }
  }
  // Reads from the first retained record to the end; every record must decode.
  uint64_t ReadAllIntact() {
    auto r = std::move(wal_->NewReader(0)).value();
    Record rec;
    uint64_t n = 0;
    while (*r->Next(rec)) ++n;
    EXPECT_EQ(r->skipped_corrupt(), 0u);
    return n;
  }

  TempDir dir_;
  FakeClock clock_;
  testing::RecordingListener listener_;
  std::unique_ptr<Wal> wal_;
  std::map<uint64_t, std::vector<SeriesRef>> refs_;
};

TEST_F(RetentionTest, NothingIsDeletedWithoutCursorsOrLimits) {
  Open(Opts());
  AppendRecords(50);
  TruncationEvent ev = *wal_->Truncate();
  EXPECT_EQ(ev.to_sequence, 0u);
  EXPECT_EQ(wal_->FirstSequence(), 1u);
  EXPECT_EQ(ReadAllIntact(), 50u);
}

TEST_F(RetentionTest, DeletesBelowTheSlowestCursorButKeepsNeededKeyframes) {
  Open(Opts());
  AppendRecords(100);  // keyframes at 1, 34, 67, 100 (32 deltas each)
  ASSERT_TRUE(wal_->CommitCursor("fast", 90).ok());
  ASSERT_TRUE(wal_->CommitCursor("slow", 40).ok());
  TruncationEvent ev = *wal_->Truncate();
  // Cut at 40 would orphan deltas 40..66 of keyframe 34: the cut is lowered.
  EXPECT_EQ(ev.from_sequence, 1u);
  EXPECT_EQ(ev.to_sequence, 34u);
  EXPECT_EQ(wal_->FirstSequence(), 34u);
  EXPECT_EQ(ev.shipped_samples, 33u * kSeries);
  EXPECT_EQ(ev.dropped_retention_samples + ev.dropped_size_cap_samples, 0u);
  EXPECT_EQ(ReadAllIntact(), 67u);
  EXPECT_EQ(wal_->GetStats().truncated_shipped_samples, 33u * kSeries);
  ASSERT_EQ(listener_.truncations().size(), 1u);
  // A reader from an old position skips to the first retained record.
  auto r = std::move(wal_->NewReader(5)).value();
  Record rec;
  ASSERT_TRUE(*r->Next(rec));
  EXPECT_EQ(rec.sequence, 34u);
}

TEST_F(RetentionTest, KeepShippedKeepsRecentAcknowledgedRecords) {
  Options o = Opts();
  o.keep_shipped = std::chrono::seconds(20);
  Open(o);
  AppendRecords(99);                               // keyframes at 1, 34, 67
  ASSERT_TRUE(wal_->CommitCursor("a", 100).ok());  // all shipped
  TruncationEvent ev = *wal_->Truncate();
  // Records of the last 20 s are 80..99; 80 needs keyframe 67.
  EXPECT_EQ(ev.to_sequence, 67u);
  EXPECT_EQ(ev.shipped_samples, 66u * kSeries);
}

TEST_F(RetentionTest, MaxAgeDropsUnshippedRecordsAndCountsThem) {
  Options o = Opts();
  o.max_age = std::chrono::seconds(50);
  Open(o);
  AppendRecords(100);
  ASSERT_TRUE(wal_->CommitCursor("a", 10).ok());
  TruncationEvent ev = *wal_->Truncate();
  // Older than 50 s: records 1..50; cut 51 lowered to keyframe 34.
  EXPECT_EQ(ev.to_sequence, 34u);
  EXPECT_EQ(ev.shipped_samples, 9u * kSeries);
  EXPECT_EQ(ev.dropped_retention_samples, 24u * kSeries);
  EXPECT_EQ(wal_->GetStats().dropped_samples[static_cast<int>(DropReason::kRetention)],
            24u * kSeries);
}

TEST_F(RetentionTest, SizeCapDropsOldestFirstAndSequencesContinueAcrossRestart) {
  Open(Opts());
  AppendRecords(100);
  Options o = Opts();
  o.max_size = 1;  // everything must go
  Open(o);
  TruncationEvent ev = *wal_->Truncate();
  EXPECT_EQ(ev.to_sequence, 101u);
  EXPECT_EQ(ev.dropped_size_cap_samples, 100u * kSeries);
  EXPECT_EQ(ReadAllIntact(), 0u);
  // No stream has appended since the reopen: every series is collected.
  EXPECT_EQ(wal_->GetStats().series, 0u);
  Open(Opts());
  EXPECT_EQ(wal_->LastSequence(), 100u);
  refs_.clear();
  AppendRecords(1);
  EXPECT_EQ(wal_->LastSequence(), 101u);
  EXPECT_EQ(refs_[1][0], kSeries + 1u);  // refs are never reused
  EXPECT_EQ(ReadAllIntact(), 1u);
}

TEST_F(RetentionTest, SeriesNoLongerReferencedAreCollected) {
  Open(Opts());
  AppendRecords(10, /*stream=*/1);
  std::vector<SeriesRef> old_refs = refs_[1];
  refs_.erase(1);
  AppendRecords(10, /*stream=*/1, /*label_offset=*/100);  // the target's series changed
  AppendRecords(10, /*stream=*/2);
  ASSERT_TRUE(wal_->CommitCursor("a", 15).ok());
  TruncationEvent ev = *wal_->Truncate();
  EXPECT_EQ(ev.to_sequence, 11u);  // 11 is the keyframe of the new series list
  EXPECT_EQ(ev.series_collected, uint64_t{kSeries});
  for (SeriesRef r : old_refs) EXPECT_TRUE(wal_->GetSeries(r).status().IsNotFound());
  EXPECT_TRUE(wal_->GetSeries(refs_[1][0]).ok());
  EXPECT_TRUE(wal_->GetSeries(refs_[2][0]).ok());
  // Appending a collected ref is refused; by label set it gets a new ref.
  Batch stale = RefBatch(3, old_refs, clock_.NowMillis(), 1);
  EXPECT_TRUE(wal_->Append(stale).status().IsInvalidArgument());
  Open(Opts());
  EXPECT_EQ(wal_->GetStats().series, 2u * kSeries);
  for (SeriesRef r : old_refs) EXPECT_TRUE(wal_->GetSeries(r).status().IsNotFound());
}

TEST_F(RetentionTest, AppendsAfterTruncationNeverReferenceDeletedKeyframes) {
  Open(Opts());
  AppendRecords(20, 1);
  AppendRecords(20, 2);
  ASSERT_TRUE(wal_->CommitCursor("a", 41).ok());
  TruncationEvent ev = *wal_->Truncate();
  EXPECT_EQ(ev.to_sequence, 41u);
  // The streams' keyframes were deleted but their series stay (cached refs
  // remain valid); the next records must be new keyframes.
  AppendRecords(5, 1);
  AppendRecords(5, 2);
  auto r = std::move(wal_->NewReader(0)).value();
  Record rec;
  ASSERT_TRUE(*r->Next(rec));
  EXPECT_EQ(rec.sequence, 41u);
  EXPECT_TRUE(rec.keyframe);
  EXPECT_EQ(ReadAllIntact(), 10u);
  EXPECT_EQ(wal_->GetStats().series, 2u * kSeries);
  // Stream 1 goes idle past stream_idle_timeout; once its records are gone,
  // so are its series. Stream 2 keeps appending and keeps its series.
  clock_.Advance(std::chrono::hours(2));
  AppendRecords(1, 2);
  ASSERT_TRUE(wal_->CommitCursor("a", wal_->LastSequence() + 1).ok());
  ASSERT_TRUE(wal_->Truncate().ok());
  EXPECT_EQ(wal_->GetStats().series, uint64_t{kSeries});
  EXPECT_TRUE(wal_->GetSeries(refs_[1][0]).status().IsNotFound());
  EXPECT_TRUE(wal_->GetSeries(refs_[2][0]).ok());
  AppendRecords(1, 2);
  EXPECT_EQ(ReadAllIntact(), 1u);
}

}  // namespace
}  // namespace ferry::wal
