// Append, read, restart, cursors, meta, version, lock, read-only and
// secondary opens, group commit.
#include "wal/wal.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <bit>
#include <cmath>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "tests/testing/test_util.h"
#include "tests/wal/wal_test_util.h"
#include "wal/internal/record_format.h"
#include "wal/internal/wal_impl.h"
#include "wal/internal/schema.h"

namespace ferry::wal {
namespace {

using ::ferry::testing::FakeClock;
using ::ferry::testing::TempDir;
using ::ferry::wal::testing::LabelBatch;
using ::ferry::wal::testing::RecordingListener;
using ::ferry::wal::testing::RefBatch;

class WalTest : public ::testing::Test {
 protected:
  Options Opts() {
    Options o;
    o.dir = dir_.Sub("wal");
    o.durability = Durability::kNever;
    o.retention_interval = std::chrono::milliseconds(0);
    o.clock = &clock_;
    o.listener = &listener_;
    return o;
  }
  std::unique_ptr<Wal> MustOpen(const Options& o) {
    Result<std::unique_ptr<Wal>> w = Wal::Open(o);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return w.ok() ? std::move(w).value() : nullptr;
  }
  std::vector<Record> ReadAll(Wal& wal, uint64_t from = 1) {
    std::vector<Record> out;
    auto r = wal.NewReader(from);
    EXPECT_TRUE(r.ok());
    Record rec;
    for (;;) {
      Result<bool> got = (*r)->Next(rec);
      EXPECT_TRUE(got.ok()) << got.status().ToString();
      if (!got.ok() || !*got) break;
      out.push_back(rec);
    }
    return out;
  }

  TempDir dir_;
  FakeClock clock_;
  RecordingListener listener_;
};

TEST_F(WalTest, AppendAssignsDenseSequencesAndRefsAndReadsBack) {
  auto wal = MustOpen(Opts());
  Batch b = LabelBatch(1, 3, 1000, 10);
  ASSERT_EQ(*wal->Append(b), 1u);
  std::vector<SeriesRef> refs = b.refs();
  EXPECT_EQ(refs, (std::vector<SeriesRef>{1, 2, 3}));
  for (int i = 0; i < 40; ++i) {
    Batch d = RefBatch(1, refs, 2000 + i, i);
    ASSERT_EQ(*wal->Append(d), static_cast<uint64_t>(i + 2));
  }
  EXPECT_EQ(wal->LastSequence(), 41u);
  std::vector<Record> recs = ReadAll(*wal);
  ASSERT_EQ(recs.size(), 41u);
  EXPECT_TRUE(recs[0].keyframe);
  EXPECT_FALSE(recs[1].keyframe);
  EXPECT_EQ(recs[0].values, (std::vector<double>{10, 11, 12}));
  for (int i = 0; i < 40; ++i) {
    const Record& r = recs[i + 1];
    EXPECT_EQ(r.sequence, static_cast<uint64_t>(i + 2));
    EXPECT_EQ(r.refs, refs);
    EXPECT_EQ(r.timestamps, (std::vector<int64_t>(3, 2000 + i)));
    EXPECT_EQ(r.values, (std::vector<double>{double(i), i + 1.0, i + 2.0}));
    EXPECT_EQ(r.first_sample, 3u + 3u * i);
  }
  // A keyframe is forced after kKeyframeInterval deltas.
  EXPECT_TRUE(recs[1 + internal::kKeyframeInterval].keyframe);
  EXPECT_EQ(*wal->GetSeries(2), LabelBatch(1, 3, 0, 0).pending()[1].labels);
  EXPECT_TRUE(wal->GetSeries(99).status().IsNotFound());
}

TEST_F(WalTest, ReaderStartingMidChainDecodesInterleavedStreams) {
  auto wal = MustOpen(Opts());
  std::vector<SeriesRef> r1, r2;
  for (int i = 0; i < 30; ++i) {
    Batch a = r1.empty() ? LabelBatch(1, 4, i, i) : RefBatch(1, r1, i, i);
    ASSERT_TRUE(wal->Append(a).ok());
    r1 = a.refs();
    Batch b = r2.empty() ? LabelBatch(2, 3, i, -i) : RefBatch(2, r2, i, -i);
    ASSERT_TRUE(wal->Append(b).ok());
    r2 = b.refs();
  }
  for (uint64_t from : {2u, 21u, 22u, 59u}) {
    std::vector<Record> recs = ReadAll(*wal, from);
    ASSERT_EQ(recs.size(), 61u - from) << from;
    for (const Record& r : recs) {
      int i = static_cast<int>(r.timestamps[0]);
      double base = r.stream == 1 ? i : -i;
      for (size_t k = 0; k < r.size(); ++k) ASSERT_EQ(r.values[k], base + k) << r.sequence;
    }
  }
}

TEST_F(WalTest, LabelSetsResolveToExistingRefsAndUnknownRefsAreRefused) {
  auto wal = MustOpen(Opts());
  Batch a = LabelBatch(1, 2, 1, 1);
  ASSERT_TRUE(wal->Append(a).ok());
  Batch b = LabelBatch(2, 3, 1, 1);  // other target label: new series
  ASSERT_TRUE(wal->Append(b).ok());
  EXPECT_EQ(b.refs(), (std::vector<SeriesRef>{3, 4, 5}));
  Batch c = LabelBatch(1, 2, 2, 2);
  ASSERT_TRUE(wal->Append(c).ok());
  EXPECT_EQ(c.refs(), a.refs());
  Batch bad(1);
  bad.Add(SeriesRef{77}, 1, 1);
  Result<uint64_t> r = wal->Append(bad);
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_NE(r.status().message().find("unknown series ref 77"), std::string::npos);
  Batch empty(1);
  EXPECT_TRUE(wal->Append(empty).status().IsInvalidArgument());
  // The refused appends took no sequence.
  Batch d = RefBatch(1, a.refs(), 3, 3);
  EXPECT_EQ(*wal->Append(d), 4u);
}

// Writers appending the same new label sets at once share one group commit
// (fdatasync per group): a set created earlier in the group, not yet in the
// series family, still resolves to its ref, and no set gets two refs.
TEST_F(WalTest, SameNewSeriesFromConcurrentWritersGetOneRef) {
  Options o = Opts();
  o.durability = Durability::kAlways;
  auto wal = MustOpen(o);
  constexpr int kThreads = 8, kSeries = 30;
  std::vector<std::vector<SeriesRef>> refs(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Batch b(100 + t);  // one stream per writer, the same label sets
      for (int i = 0; i < kSeries; ++i) {
        b.Add(labels::Labels::Of({{"__name__", "shared"}, {"i", std::to_string(i)}}), 1, i);
      }
      Result<uint64_t> s = wal->Append(b);
      ASSERT_TRUE(s.ok()) << s.status().ToString();
      refs[t] = b.refs();
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 1; t < kThreads; ++t) EXPECT_EQ(refs[t], refs[0]) << t;
  EXPECT_EQ(wal->GetStats().series, uint64_t{kSeries});
  // Deterministically: a set repeated within one batch, new at its first
  // occurrence, is found again before the batch is written.
  Batch twice(7);
  const auto fresh = labels::Labels::Of({{"__name__", "fresh"}});
  twice.Add(fresh, 2, 1);
  twice.Add(labels::Labels::Of({{"__name__", "other"}}), 2, 2);
  twice.Add(fresh, 3, 3);
  ASSERT_TRUE(wal->Append(twice).ok());
  EXPECT_EQ(twice.ref(0), twice.ref(2));
  EXPECT_NE(twice.ref(0), twice.ref(1));
  EXPECT_EQ(wal->GetStats().series, uint64_t{kSeries} + 2);
  for (int i = 0; i < kSeries; ++i) {
    Result<labels::Labels> ls = wal->GetSeries(refs[0][i]);
    ASSERT_TRUE(ls.ok()) << ls.status().ToString();
    EXPECT_EQ(ls->Get("i"), std::to_string(i));
  }
  EXPECT_TRUE(wal->GetSeries(9999).status().IsNotFound());
}

TEST_F(WalTest, StaleMarkersRoundTripBitExactly) {
  auto wal = MustOpen(Opts());
  Batch b = LabelBatch(1, 2, 1, 1);
  ASSERT_TRUE(wal->Append(b).ok());
  Batch s(1);
  s.Add(b.ref(0), 2, std::bit_cast<double>(kStaleNaNBits));
  s.Add(b.ref(1), 2, std::nan(""));
  ASSERT_TRUE(wal->Append(s).ok());
  std::vector<Record> recs = ReadAll(*wal);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(std::bit_cast<uint64_t>(recs[1].values[0]), kStaleNaNBits);
  EXPECT_EQ(std::bit_cast<uint64_t>(recs[1].values[1]), std::bit_cast<uint64_t>(std::nan("")));
}

TEST_F(WalTest, RefsAndSequencesSurviveRestartAndDeltasResumeWithAKeyframe) {
  std::vector<SeriesRef> refs;
  {
    auto wal = MustOpen(Opts());
    Batch b = LabelBatch(1, 4, 1, 1);
    ASSERT_TRUE(wal->Append(b).ok());
    refs = b.refs();
    Batch d = RefBatch(1, refs, 2, 2);
    ASSERT_TRUE(wal->Append(d).ok());
    ASSERT_TRUE(wal->Close().ok());
  }
  auto wal = MustOpen(Opts());
  EXPECT_EQ(wal->LastSequence(), 2u);
  EXPECT_EQ(wal->GetStats().series, 4u);
  EXPECT_EQ(wal->GetStats().next_sample, 8u);
  Batch again = LabelBatch(1, 4, 3, 3);
  ASSERT_EQ(*wal->Append(again), 3u);
  EXPECT_EQ(again.refs(), refs);
  Batch fresh = LabelBatch(9, 1, 3, 3);
  ASSERT_TRUE(wal->Append(fresh).ok());
  EXPECT_EQ(fresh.ref(0), 5u);
  std::vector<Record> recs = ReadAll(*wal);
  ASSERT_EQ(recs.size(), 4u);
  EXPECT_TRUE(recs[2].keyframe);  // first append of the stream after open
  EXPECT_EQ(recs[2].first_sample, 8u);
}

// RocksDB's memory is visible (ferry_wal_rocksdb_memory_bytes), and the
// block cache, which holds index and filter blocks too, stays within
// Options::block_cache_size after reading back from flushed tables.
TEST_F(WalTest, StatsReportRocksDbMemoryWithinTheBlockCacheBound) {
  Options o = Opts();
  o.block_cache_size = 1 << 20;
  o.write_buffer_size = 256 << 10;  // flush to SSTs quickly
  auto wal = MustOpen(o);
  for (int i = 1; i <= 200; ++i) {
    Batch b = LabelBatch(1, 200, i, i);
    ASSERT_TRUE(wal->Append(b).ok());
  }
  EXPECT_GT(wal->GetStats().memtable_bytes, 0u);
  std::vector<Record> recs = ReadAll(*wal);
  ASSERT_EQ(recs.size(), 200u);
  for (uint64_t ref = 1; ref <= 200; ++ref) ASSERT_TRUE(wal->GetSeries(ref).ok());
  WalStats st = wal->GetStats();
  EXPECT_GT(st.block_cache_bytes, 0u);  // series blocks and index blocks of the SSTs
  EXPECT_LE(st.block_cache_bytes, o.block_cache_size);
}

// The compression of the samples' SSTs, read from RocksDB's table
// properties, file name -> compression name.
std::map<std::string, std::string> SamplesTableCompression(Wal& wal) {
  auto* impl = static_cast<internal::WalImpl*>(&wal);
  EXPECT_TRUE(impl->db()->Flush(rocksdb::FlushOptions(), impl->samples_cf()).ok());
  rocksdb::TablePropertiesCollection tables;
  EXPECT_TRUE(impl->db()->GetPropertiesOfAllTables(impl->samples_cf(), &tables).ok());
  std::map<std::string, std::string> out;
  for (const auto& [file, props] : tables) out[file] = props->compression_name;
  return out;
}

TEST_F(WalTest, SamplesCompressionFollowsTheOptionAndEitherWalOpensEitherWay) {
  Options o = Opts();
  EXPECT_EQ(o.samples_compression, Compression::kNone);  // the default
  // Scrapes [from, to] of one 100-series target.
  auto append = [](Wal& wal, int from, int to) {
    for (int i = from; i <= to; ++i) {
      Batch b = LabelBatch(1, 100, i, i);
      ASSERT_TRUE(wal.Append(b).ok());
    }
  };
  o.samples_compression = Compression::kSnappyZstdBottommost;
  {
    auto wal = MustOpen(o);
    append(*wal, 1, 50);
    std::map<std::string, std::string> tables = SamplesTableCompression(*wal);
    ASSERT_EQ(tables.size(), 1u);
    EXPECT_EQ(tables.begin()->second, "Snappy");
    ASSERT_TRUE(wal->Close().ok());
  }
  o.samples_compression = Compression::kNone;
  auto wal = MustOpen(o);
  append(*wal, 51, 100);
  std::map<std::string, std::string> tables = SamplesTableCompression(*wal);
  ASSERT_EQ(tables.size(), 2u);
  std::multiset<std::string> names;
  for (const auto& [file, name] : tables) names.insert(name);
  EXPECT_EQ(names, (std::multiset<std::string>{"NoCompression", "Snappy"}));
  std::vector<Record> recs = ReadAll(*wal);
  ASSERT_EQ(recs.size(), 100u);
  EXPECT_EQ(recs.back().size(), 100u);
}

TEST_F(WalTest, ReaderStatesCaughtUpThenSeesNewRecords) {
  auto wal = MustOpen(Opts());
  auto reader = std::move(wal->NewReader(1)).value();
  EXPECT_EQ(reader->state(), Reader::State::kReading);
  Record rec;
  EXPECT_FALSE(*reader->Next(rec));
  EXPECT_EQ(reader->state(), Reader::State::kCaughtUp);
  Batch b = LabelBatch(1, 2, 1, 1);
  ASSERT_TRUE(wal->Append(b).ok());
  ASSERT_TRUE(*reader->Next(rec));
  EXPECT_EQ(reader->state(), Reader::State::kReading);
  EXPECT_EQ(rec.sequence, 1u);
  EXPECT_EQ(reader->position(), 2u);
  EXPECT_FALSE(*reader->Next(rec));
  Batch c = RefBatch(1, b.refs(), 2, 2);
  ASSERT_TRUE(wal->Append(c).ok());
  ASSERT_TRUE(*reader->Next(rec));
  EXPECT_EQ(rec.sequence, 2u);
  reader->Seek(1);
  ASSERT_TRUE(*reader->Next(rec));
  EXPECT_EQ(rec.sequence, 1u);
}

TEST_F(WalTest, WaitForNewerWakesOnAppendAndTimesOut) {
  auto wal = MustOpen(Opts());
  EXPECT_FALSE(wal->WaitForNewer(0, std::chrono::milliseconds(1)));
  std::thread appender([&] {
    Batch b = LabelBatch(1, 1, 1, 1);
    EXPECT_TRUE(wal->Append(b).ok());
  });
  EXPECT_TRUE(wal->WaitForNewer(0, std::chrono::seconds(30)));
  appender.join();
  EXPECT_EQ(wal->LastSequence(), 1u);
}

TEST_F(WalTest, SyncIsCountedAndCloseIsIdempotentAndRefusesLaterAppends) {
  auto wal = MustOpen(Opts());
  Batch b = LabelBatch(1, 1, 1, 1);
  ASSERT_TRUE(wal->Append(b).ok());
  ASSERT_TRUE(wal->Sync().ok());
  EXPECT_EQ(wal->GetStats().syncs, 1u);
  ASSERT_TRUE(wal->Close().ok());
  ASSERT_TRUE(wal->Close().ok());
  EXPECT_TRUE(wal->Append(b).status().IsCancelled());
  EXPECT_FALSE(wal->WaitForNewer(5, std::chrono::seconds(30)));  // returns at once: closed
}

TEST_F(WalTest, OpenRefusesBadOptionsAndMissingReadOnlyDirectories) {
  Options o = Opts();
  o.dir = "";
  EXPECT_TRUE(Wal::Open(o).status().IsInvalidArgument());
  o = Opts();
  o.mode = OpenMode::kSecondary;
  EXPECT_TRUE(Wal::Open(o).status().IsInvalidArgument());  // no secondary_dir
  o = Opts();
  o.mode = OpenMode::kReadOnly;
  o.dir = dir_.Sub("missing");
  Result<std::unique_ptr<Wal>> w = Wal::Open(o);
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find(o.dir), std::string::npos) << w.status().ToString();
}

TEST_F(WalTest, CursorsCommitListAndSurviveRestart) {
  {
    auto wal = MustOpen(Opts());
    for (int i = 0; i < 3; ++i) {
      Batch b = LabelBatch(1, 1, i, i);
      ASSERT_TRUE(wal->Append(b).ok());
    }
    ASSERT_TRUE(wal->CommitCursor("remote-a", 2).ok());
    ASSERT_TRUE(wal->CommitCursor("remote-b", 4).ok());
    EXPECT_TRUE(wal->CommitCursor("remote-c", 5).IsInvalidArgument());  // past the end
    EXPECT_TRUE(wal->CommitCursor("", 1).IsInvalidArgument());
    ASSERT_TRUE(wal->CommitCursor("remote-a", 3).ok());
  }
  auto wal = MustOpen(Opts());
  EXPECT_EQ(wal->GetCursor("remote-a")->next_sequence, 3u);
  EXPECT_TRUE(wal->GetCursor("nope").status().IsNotFound());
  auto all = *wal->ListCursors();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].name, "remote-b");
  ASSERT_TRUE(wal->DeleteCursor("remote-b").ok());
  EXPECT_EQ(wal->ListCursors()->size(), 1u);
}

TEST_F(WalTest, MetaKeyValueIsScopedByPrefix) {
  auto wal = MustOpen(Opts());
  ASSERT_TRUE(wal->PutMeta("replay", "job1", "progress=5").ok());
  ASSERT_TRUE(wal->PutMeta("replay", "job2", std::string("a\0b", 3)).ok());
  ASSERT_TRUE(wal->PutMeta("replayx", "job1", "other").ok());
  EXPECT_EQ(*wal->GetMeta("replay", "job1"), "progress=5");
  auto list = *wal->ListMeta("replay");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].second, std::string("a\0b", 3));
  ASSERT_TRUE(wal->DeleteMeta("replay", "job1").ok());
  EXPECT_TRUE(wal->GetMeta("replay", "job1").status().IsNotFound());
  EXPECT_TRUE(wal->PutMeta("", "k", "v").IsInvalidArgument());
}

TEST_F(WalTest, SecondWriterIsRefusedNamingTheDirectory) {
  auto wal = MustOpen(Opts());
  Result<std::unique_ptr<Wal>> second = Wal::Open(Opts());
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(second.status().IsFailedPrecondition()) << second.status().ToString();
  EXPECT_NE(second.status().message().find(Opts().dir), std::string::npos);
  EXPECT_NE(second.status().message().find("another writer"), std::string::npos);
}

TEST_F(WalTest, SecondaryFollowsARunningWriterAndReadOnlyRefusesWrites) {
  auto wal = MustOpen(Opts());
  Batch b = LabelBatch(1, 2, 1, 1);
  ASSERT_TRUE(wal->Append(b).ok());
  Options so = Opts();
  so.mode = OpenMode::kSecondary;
  so.secondary_dir = dir_.Sub("secondary");
  auto sec = MustOpen(so);
  ASSERT_NE(sec, nullptr);
  EXPECT_EQ(sec->LastSequence(), 1u);
  Batch c = LabelBatch(1, 3, 2, 2);  // one new series
  ASSERT_TRUE(wal->Append(c).ok());
  ASSERT_TRUE(sec->CatchUp().ok());
  EXPECT_EQ(sec->LastSequence(), 2u);
  EXPECT_TRUE(sec->GetSeries(3).ok());
  std::vector<Record> recs = ReadAll(*sec);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[1].values, (std::vector<double>{2, 3, 4}));
  EXPECT_TRUE(sec->Append(c).status().IsFailedPrecondition());
  EXPECT_TRUE(sec->CommitCursor("x", 1).IsFailedPrecondition());
  auto info = sec->Inspect();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->series, 3u);
  wal.reset();
  Options ro = Opts();
  ro.mode = OpenMode::kReadOnly;
  auto rd = MustOpen(ro);
  EXPECT_EQ(rd->LastSequence(), 2u);
  EXPECT_TRUE(rd->Append(c).status().IsFailedPrecondition());
}

TEST_F(WalTest, NewerFormatVersionIsRefusedWithAClearMessage) {
  { auto wal = MustOpen(Opts()); }
  {
    rocksdb::DB* raw;
    std::vector<rocksdb::ColumnFamilyHandle*> h;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
        {rocksdb::kDefaultColumnFamilyName, {}}, {"series", {}}, {"samples", {}}, {"meta", {}}};
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), Opts().dir, cfs, &h, &raw).ok());
    ASSERT_TRUE(raw->Put({}, h[3], "version", internal::EncodeVarintValue(2)).ok());
    for (auto* x : h) ASSERT_TRUE(raw->DestroyColumnFamilyHandle(x).ok());
    delete raw;
  }
  Result<std::unique_ptr<Wal>> w = Wal::Open(Opts());
  ASSERT_FALSE(w.ok());
  EXPECT_TRUE(w.status().IsFailedPrecondition());
  EXPECT_NE(w.status().message().find("format version 2, newer"), std::string::npos)
      << w.status().message();
  EXPECT_NE(w.status().message().find(Opts().dir), std::string::npos);
}

TEST_F(WalTest, GroupCommitUnderManyThreadsKeepsEveryAppendIntactAndShareSyncs) {
  Options o = Opts();
  o.durability = Durability::kAlways;
  auto wal = MustOpen(o);
  constexpr int kThreads = 16, kPerThread = 40, kSeries = 50;
  std::vector<std::thread> threads;
  std::vector<std::vector<uint64_t>> seqs(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<SeriesRef> refs;
      for (int i = 0; i < kPerThread; ++i) {
        Batch b = refs.empty() ? LabelBatch(t, kSeries, i, t * 1000 + i)
                               : RefBatch(t, refs, i, t * 1000 + i);
        Result<uint64_t> s = wal->Append(b);
        ASSERT_TRUE(s.ok()) << s.status().ToString();
        refs = b.refs();
        seqs[t].push_back(*s);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wal->LastSequence(), uint64_t{kThreads * kPerThread});
  std::vector<Record> recs = ReadAll(*wal);
  ASSERT_EQ(recs.size(), size_t{kThreads * kPerThread});
  for (size_t i = 0; i < recs.size(); ++i) {
    const Record& r = recs[i];
    ASSERT_EQ(r.sequence, i + 1);
    int t = static_cast<int>(r.stream);
    int n = static_cast<int>(r.timestamps[0]);
    ASSERT_EQ(seqs[t][n], r.sequence);
    for (int k = 0; k < kSeries; ++k) ASSERT_EQ(r.values[k], t * 1000 + n + k);
  }
  WalStats st = wal->GetStats();
  EXPECT_EQ(st.appended_samples, uint64_t{kThreads * kPerThread * kSeries});
  EXPECT_EQ(st.series, uint64_t{kThreads * kSeries});
  // Every group commit did one fdatasync; fewer groups than appends means
  // appends shared syncs (16 threads against one fsync at a time).
  EXPECT_EQ(st.syncs, st.group_commits);
  EXPECT_LT(st.group_commits, st.appended_records);
  uint64_t hist = 0;
  for (uint64_t c : st.sync_latency_buckets) hist += c;
  EXPECT_EQ(hist, st.syncs);
}

}  // namespace
}  // namespace ferry::wal
