// Torn and damaged files: copies of a live data directory get the tail of
// RocksDB's *.log or an SST truncated or corrupted; opening the copy must
// report the damage and keep every record before it, intact.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/testing/test_util.h"
#include "tests/wal/wal_test_util.h"
#include "wal/wal.h"

namespace ferry::wal {
namespace {

namespace fs = std::filesystem;
using ::ferry::testing::TempDir;

constexpr int kSeries = 20;
constexpr int kRecords = 200;

double Value(int n, int i) { return n * 100.0 + i; }

Options Opts(const std::string& dir, Listener* l) {
  Options o;
  o.dir = dir;
  o.durability = Durability::kAlways;
  o.retention_interval = std::chrono::milliseconds(0);
  o.listener = l;
  return o;
}

void Fill(Wal& wal) {
  std::vector<SeriesRef> refs;
  for (int n = 0; n < kRecords; ++n) {
    Batch b = refs.empty() ? testing::LabelBatch(1, kSeries, n * 1000, n * 100.0)
                           : testing::RefBatch(1, refs, n * 1000, n * 100.0);
    ASSERT_TRUE(wal.Append(b).ok());
    refs = b.refs();
  }
}

// Largest file in "dir" with "ext".
std::string Largest(const std::string& dir, const std::string& ext) {
  std::string best;
  uintmax_t size = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ext && e.file_size() >= size) {
      size = e.file_size();
      best = e.path().string();
    }
  }
  return best;
}

void CopyDir(const std::string& from, const std::string& to) {
  fs::copy(from, to, fs::copy_options::recursive);
}

void FlipByte(const std::string& path, uintmax_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(offset);
  char c;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x5a);
  f.seekp(offset);
  f.write(&c, 1);
}

// Reads everything; checks every record returned is intact and the
// sequences are dense from 1. Returns the number of records.
uint64_t CheckIntact(Wal& wal, bool allow_failure = false) {
  auto reader = std::move(wal.NewReader(1)).value();
  Record rec;
  uint64_t count = 0;
  for (;;) {
    Result<bool> got = reader->Next(rec);
    if (!got.ok()) {
      EXPECT_TRUE(allow_failure) << got.status().ToString();
      EXPECT_EQ(reader->state(), Reader::State::kFailed);
      break;
    }
    if (!*got) break;
    ++count;
    int n = static_cast<int>(rec.timestamps[0] / 1000);
    EXPECT_EQ(rec.size(), size_t{kSeries});
    for (size_t i = 0; i < rec.size(); ++i) {
      EXPECT_EQ(rec.values[i], Value(n, static_cast<int>(i))) << "seq " << rec.sequence;
    }
  }
  return count;
}

TEST(WalTornTest, TruncatedLogTailKeepsEverythingBefore) {
  TempDir tmp;
  testing::RecordingListener l1;
  auto wal = std::move(Wal::Open(Opts(tmp.Sub("live"), &l1))).value();
  Fill(*wal);
  CopyDir(tmp.Sub("live"), tmp.Sub("copy"));  // as if the machine died now
  std::string log = Largest(tmp.Sub("copy"), ".log");
  ASSERT_FALSE(log.empty());
  fs::resize_file(log, fs::file_size(log) - 150);
  testing::RecordingListener l2;
  auto copy = Wal::Open(Opts(tmp.Sub("copy"), &l2));
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  uint64_t n = CheckIntact(**copy);
  EXPECT_LT(n, uint64_t{kRecords});
  EXPECT_GT(n, uint64_t{kRecords} - 10);
  EXPECT_EQ((*copy)->LastSequence(), n);
  // Appending continues densely after the recovered tail.
  Batch b = testing::LabelBatch(1, kSeries, 1000 * kRecords, 1);
  EXPECT_EQ(*(*copy)->Append(b), n + 1);
  ASSERT_FALSE(l2.corruptions().empty());
  EXPECT_EQ(l2.corruptions()[0].where, "rocksdb recovery");
  EXPECT_NE(l2.corruptions()[0].status.message().find("truncated"), std::string::npos);
}

TEST(WalTornTest, CorruptedLogTailIsReportedAndEverythingBeforeIsKept) {
  TempDir tmp;
  testing::RecordingListener l1;
  auto wal = std::move(Wal::Open(Opts(tmp.Sub("live"), &l1))).value();
  Fill(*wal);
  CopyDir(tmp.Sub("live"), tmp.Sub("copy"));
  std::string log = Largest(tmp.Sub("copy"), ".log");
  ASSERT_FALSE(log.empty());
  FlipByte(log, fs::file_size(log) * 9 / 10);
  testing::RecordingListener l2;
  auto copy = Wal::Open(Opts(tmp.Sub("copy"), &l2));
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  uint64_t n = CheckIntact(**copy);
  EXPECT_LT(n, uint64_t{kRecords});
  EXPECT_GT(n, uint64_t{kRecords} * 8 / 10);
  ASSERT_FALSE(l2.corruptions().empty());
  EXPECT_EQ(l2.corruptions()[0].where, "rocksdb recovery");
}

TEST(WalTornTest, TruncatedSstIsReportedRepairedOrRefused) {
  TempDir tmp;
  {
    testing::RecordingListener l1;
    auto wal = std::move(Wal::Open(Opts(tmp.Sub("live"), &l1))).value();
    Fill(*wal);
    ASSERT_TRUE(wal->Close().ok());  // flushes the memtables into SSTs
  }
  std::string sst = Largest(tmp.Sub("live"), ".sst");
  ASSERT_FALSE(sst.empty());
  CopyDir(tmp.Sub("live"), tmp.Sub("refuse"));
  CopyDir(tmp.Sub("live"), tmp.Sub("repair"));
  for (const char* d : {"refuse", "repair"}) {
    std::string p = tmp.Sub(d) + "/" + fs::path(sst).filename().string();
    fs::resize_file(p, fs::file_size(p) / 2);
  }
  testing::RecordingListener l2;
  Options o = Opts(tmp.Sub("refuse"), &l2);
  o.repair_on_corruption = false;
  auto refused = Wal::Open(o);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.status().IsCorruption()) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find(tmp.Sub("refuse")), std::string::npos);

  testing::RecordingListener l3;
  auto repaired = Wal::Open(Opts(tmp.Sub("repair"), &l3));
  ASSERT_TRUE(repaired.ok()) << repaired.status().ToString();
  bool reported_open = false;
  for (const auto& e : l3.corruptions()) reported_open |= e.where == "open";
  EXPECT_TRUE(reported_open);
  CheckIntact(**repaired);  // whatever was salvaged is intact
  Batch b = testing::LabelBatch(1, kSeries, 1, 1);
  EXPECT_TRUE((*repaired)->Append(b).ok());
}

TEST(WalTornTest, CorruptedSstBlockIsReportedByTheReader) {
  TempDir tmp;
  {
    testing::RecordingListener l1;
    auto wal = std::move(Wal::Open(Opts(tmp.Sub("live"), &l1))).value();
    Fill(*wal);
    ASSERT_TRUE(wal->Close().ok());
  }
  std::string sst = Largest(tmp.Sub("live"), ".sst");
  FlipByte(sst, fs::file_size(sst) / 3);  // inside a data block
  testing::RecordingListener l2;
  auto wal = Wal::Open(Opts(tmp.Sub("live"), &l2));
  // The damaged block is found at open (the first read touches it): reported,
  // repaired (the table goes to lost/), and what remains is readable.
  ASSERT_TRUE(wal.ok()) << wal.status().ToString();
  uint64_t n = CheckIntact(**wal, /*allow_failure=*/true);
  EXPECT_LT(n, uint64_t{kRecords});
  EXPECT_FALSE(l2.corruptions().empty());
  EXPECT_EQ((*wal)->GetStats().corruption_events, l2.corruptions().size());
}

uint64_t Mix(uint64_t x) {  // splitmix64
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

TEST(WalTornTest, CorruptedMiddleSstBlockIsSkippedAndReadingGoesOn) {
  // Incompressible values so the samples SST spans many 32 KiB blocks.
  constexpr int kMany = 3000;
  auto value = [](int n, int i) { return static_cast<double>(Mix(n * 64 + i) >> 11) * 0x1p-53; };
  TempDir tmp;
  {
    Options o = Opts(tmp.Sub("live"), nullptr);
    o.durability = Durability::kNever;  // Close() flushes
    auto wal = std::move(Wal::Open(o)).value();
    std::vector<SeriesRef> refs;
    for (int n = 0; n < kMany; ++n) {
      Batch b(1);
      for (int i = 0; i < kSeries; ++i) {
        if (refs.empty()) {
          b.Add(labels::Labels::Of({{"__name__", "r"}, {"i", std::to_string(i)}}), n * 1000,
                value(n, i));
        } else {
          b.Add(refs[i], n * 1000, value(n, i));
        }
      }
      ASSERT_TRUE(wal->Append(b).ok());
      refs = b.refs();
    }
    ASSERT_TRUE(wal->Close().ok());
  }
  std::string sst = Largest(tmp.Sub("live"), ".sst");
  ASSERT_GT(fs::file_size(sst), 8u * 32768);
  FlipByte(sst, fs::file_size(sst) / 2);
  testing::RecordingListener l;
  auto wal = Wal::Open(Opts(tmp.Sub("live"), &l));
  ASSERT_TRUE(wal.ok()) << wal.status().ToString();
  auto reader = std::move((*wal)->NewReader(1)).value();
  Record rec;
  uint64_t read = 0, prev = 0;
  for (;;) {
    Result<bool> got = reader->Next(rec);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    if (!*got) break;
    ++read;
    ASSERT_GT(rec.sequence, prev);
    prev = rec.sequence;
    int n = static_cast<int>(rec.timestamps[0] / 1000);
    ASSERT_EQ(rec.sequence, static_cast<uint64_t>(n + 1));
    for (int i = 0; i < kSeries; ++i) {
      ASSERT_EQ(std::bit_cast<uint64_t>(rec.values[i]), std::bit_cast<uint64_t>(value(n, i)));
    }
  }
  EXPECT_EQ(prev, uint64_t{kMany});  // the reader got past the damage to the end
  EXPECT_GT(reader->skipped_corrupt(), 0u);
  EXPECT_EQ(read + reader->skipped_corrupt(), uint64_t{kMany});
  EXPECT_LT(reader->skipped_corrupt(), uint64_t{kMany} / 4);
  bool reported = false;
  for (const auto& e : l.corruptions()) reported |= e.where == "reader";
  EXPECT_TRUE(reported);
}

}  // namespace
}  // namespace ferry::wal
