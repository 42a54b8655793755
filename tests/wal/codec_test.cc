#include "wal/internal/codec.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "wal/internal/bit_stream.h"
#include "wal/internal/record_format.h"
#include "wal/internal/series_codec.h"

namespace ferry::wal::internal {
namespace {

std::string Hex(const std::string& s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(d[c >> 4]);
    out.push_back(d[c & 15]);
  }
  return out;
}

std::string Encode(const std::vector<SeriesRef>& refs, const std::vector<int64_t>& ts,
                   const std::vector<double>& v, uint64_t key_dist = 0,
                   const std::vector<double>& kv = {}) {
  std::string out;
  EncodeRecord({.stream = 7,
                .append_ms = 1000,
                .first_sample = 42,
                .refs = refs,
                .timestamps = ts,
                .values = v,
                .key_dist = key_dist,
                .prev_dist = key_dist,
                .prev_values = kv},
               &out);
  return out;
}

TEST(BitStreamTest, RoundTripsMixedWidths) {
  std::string buf;
  BitWriter w(&buf);
  std::mt19937_64 rng(1);
  std::vector<std::pair<uint64_t, int>> items;
  for (int i = 0; i < 1000; ++i) {
    int n = static_cast<int>(rng() % 65);
    uint64_t v = n == 64 ? rng() : rng() & ((uint64_t{1} << n) - 1);
    items.push_back({v, n});
    w.Write(v, n);
  }
  w.Finish();
  BitReader r(buf);
  for (auto [v, n] : items) {
    uint64_t got;
    ASSERT_TRUE(r.Read(n, &got));
    ASSERT_EQ(got, v) << n;
  }
  EXPECT_TRUE(r.AtPaddedEnd());
  uint64_t x;
  EXPECT_FALSE(r.Read(9, &x));
}

TEST(CodecTest, KeyframeGoldenBytes) {
  // Two series, shared timestamp, values 1.0 and 1.0 (second XOR is 0).
  std::string got = Encode({3, 5}, {2000, 2000}, {1.0, 1.0});
  // version 01, flags 02 (shared ts), stream 07, append_ms zigzag(1000)=2000 -> d0 0f,
  // first_sample 2a, count 02, min_ts zigzag(2000)=4000 -> a0 1f, span 00,
  // refs zigzag(3)=06 zigzag(2)=04,
  // values: 1.0 = 0x3ff0000000000000: '1' '1' lead=2 (00010) m-1=9 (001001) then
  // 10 bits 1111111111, then '0' for the second value -> 24 bits:
  // 11000100 01001111 11111110.
  EXPECT_EQ(Hex(got),
            "010207d00f2a02a01f000604"
            "c44ffe");
}

TEST(CodecTest, DeltaGoldenBytes) {
  std::string got = Encode({3, 5}, {2000, 2000}, {1.0, 2.0}, 4, {1.0, 1.0});
  // flags 03 (delta|shared), key_dist 04, prev_dist 04, no refs; values: xor 0 -> '0';
  // 2.0^1.0 = 0x7ff0000000000000: lead 1, m 11 -> '11' 00001 001010 + 11 ones:
  // 0 11 00001 | 001010 11 | 11111111 | 1 + 7 zero padding bits.
  EXPECT_EQ(Hex(got),
            "010307d00f2a02a01f000404"
            "612bff80");
}

TEST(CodecTest, KeyframeRoundTripsWithPerSampleTimestampsAndSpecialValues) {
  std::vector<SeriesRef> refs = {1, 2, 900, 3, 1ull << 40};
  std::vector<int64_t> ts = {-5, 100, 100, 7, INT64_C(1) << 45};
  std::vector<double> v = {std::bit_cast<double>(kStaleNaNBits), -0.0, INFINITY, 1e-300,
                           std::bit_cast<double>(uint64_t{0x7ff8000000000001})};
  std::string bytes = Encode(refs, ts, v);
  Record r;
  ASSERT_TRUE(DecodeRecord(bytes, 9, nullptr, &r).ok());
  EXPECT_TRUE(r.keyframe);
  EXPECT_EQ(r.sequence, 9u);
  EXPECT_EQ(r.stream, 7u);
  EXPECT_EQ(r.append_ms, 1000);
  EXPECT_EQ(r.first_sample, 42u);
  EXPECT_EQ(r.refs, refs);
  EXPECT_EQ(r.timestamps, ts);
  EXPECT_EQ(r.min_timestamp, -5);
  EXPECT_EQ(r.max_timestamp, INT64_C(1) << 45);
  for (size_t i = 0; i < v.size(); ++i) {
    EXPECT_EQ(std::bit_cast<uint64_t>(r.values[i]), std::bit_cast<uint64_t>(v[i])) << i;
  }
}

TEST(CodecTest, DeltaRoundTripsAgainstKeyframe) {
  std::mt19937_64 rng(2);
  std::vector<SeriesRef> refs;
  std::vector<int64_t> ts;
  std::vector<double> kv, v;
  for (int i = 0; i < 500; ++i) {
    refs.push_back(10 + i * 3);
    ts.push_back(5000);
    kv.push_back(static_cast<double>(rng() % 1000));
  }
  std::string kbytes = Encode(refs, ts, kv);
  Record kf;
  ASSERT_TRUE(DecodeRecord(kbytes, 100, nullptr, &kf).ok());
  for (int i = 0; i < 500; ++i) {
    v.push_back(i % 3 == 0 ? kv[i] : kv[i] + (rng() % 50) / 4.0);
    ts[i] = 20000 + (i % 2);
  }
  v[7] = std::bit_cast<double>(kStaleNaNBits);
  std::string dbytes = Encode(refs, ts, v, 5, kv);
  Record r;
  DeltaBase base = BaseOf(kf);
  ASSERT_TRUE(DecodeRecord(dbytes, 105, &base, &r).ok());
  EXPECT_EQ(r.keyframe_sequence, 100u);
  EXPECT_FALSE(r.keyframe);
  EXPECT_EQ(r.refs, refs);
  EXPECT_EQ(r.timestamps, ts);
  for (size_t i = 0; i < v.size(); ++i) {
    ASSERT_EQ(std::bit_cast<uint64_t>(r.values[i]), std::bit_cast<uint64_t>(v[i])) << i;
  }
  // The wrong keyframe (other sequence) is refused.
  Record r2;
  Status s = DecodeRecord(dbytes, 106, &base, &r2);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("seq=106"), std::string::npos) << s.message();
  EXPECT_TRUE(DecodeRecord(dbytes, 105, nullptr, &r2).IsCorruption());
}

TEST(CodecTest, DeltaChainsDecodeAgainstThePreviousRecord) {
  std::vector<SeriesRef> refs = {1, 2};
  std::vector<int64_t> ts = {0, 0};
  std::vector<double> v0 = {10, 20}, v1 = {11, 20}, v2 = {12, 25};
  Record kf, d1, d2;
  ASSERT_TRUE(DecodeRecord(Encode(refs, ts, v0), 10, nullptr, &kf).ok());
  std::string b1, b2;
  EncodeRecord({.stream = 7,
                .append_ms = 0,
                .first_sample = 0,
                .refs = refs,
                .timestamps = ts,
                .values = v1,
                .key_dist = 2,
                .prev_dist = 2,
                .prev_values = v0},
               &b1);
  EncodeRecord({.stream = 7,
                .append_ms = 0,
                .first_sample = 0,
                .refs = refs,
                .timestamps = ts,
                .values = v2,
                .key_dist = 5,
                .prev_dist = 3,
                .prev_values = v1},
               &b2);
  DeltaBase base = BaseOf(kf);
  ASSERT_TRUE(DecodeRecord(b1, 12, &base, &d1).ok());
  base = BaseOf(d1);
  ASSERT_TRUE(DecodeRecord(b2, 15, &base, &d2).ok());
  EXPECT_EQ(d2.values, v2);
  EXPECT_EQ(d2.keyframe_sequence, 10u);
  // Decoding against the keyframe instead of the previous record is refused.
  base = BaseOf(kf);
  EXPECT_TRUE(DecodeRecord(b2, 15, &base, &d2).IsCorruption());
}

TEST(CodecTest, SteadyDeltaIsSmall) {
  std::vector<SeriesRef> refs;
  std::vector<int64_t> ts(1000, 15000);
  std::vector<double> kv, v;
  for (int i = 0; i < 1000; ++i) {
    refs.push_back(i + 1);
    kv.push_back(i % 2 ? 12345.0 : 0.5);
    v.push_back(i % 10 == 0 ? kv.back() + 15 : kv.back());  // 10% of series changed
  }
  std::string d = Encode(refs, ts, v, 1, kv);
  EXPECT_LT(d.size(), 400u);  // < 0.4 byte per sample before compression
}

TEST(CodecTest, EveryTruncationAndBitFlipIsRefusedOrDecodesSafely) {
  std::string bytes = Encode({1, 2, 3}, {10, 11, 12}, {1.5, 2.5, 3.5});
  Record r;
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_TRUE(DecodeRecord(bytes.substr(0, n), 1, nullptr, &r).IsCorruption()) << n;
  }
  EXPECT_TRUE(DecodeRecord(bytes + "x", 1, nullptr, &r).IsCorruption());
  for (size_t i = 0; i < bytes.size() * 8; ++i) {
    std::string b = bytes;
    b[i / 8] = static_cast<char>(b[i / 8] ^ (1 << (i % 8)));
    Status s = DecodeRecord(b, 1, nullptr, &r);  // must not crash; either outcome is fine
    if (s.ok()) {
      EXPECT_EQ(r.size(), r.values.size());
    }
  }
}

TEST(CodecTest, HeaderRefusesUnknownVersionAndFlags) {
  std::string bytes = Encode({1}, {10}, {1});
  RecordHeader h;
  std::string_view body;
  std::string b = bytes;
  b[0] = 2;
  EXPECT_TRUE(DecodeHeader(b, &h, &body).IsCorruption());
  b = bytes;
  b[1] = static_cast<char>(0x80);
  EXPECT_TRUE(DecodeHeader(b, &h, &body).IsCorruption());
  ASSERT_TRUE(DecodeHeader(bytes, &h, &body).ok());
  EXPECT_EQ(h.count, 1u);
  EXPECT_EQ(h.first_sample, 42u);
}

TEST(SeriesCodecTest, RoundTripsAndRefusesUnsorted) {
  labels::Labels ls = labels::Labels::Of({{"__name__", "up"}, {"job", "node"}, {"zone", ""}});
  std::string bytes;
  EncodeLabels(ls, &bytes);
  labels::Labels out;
  ASSERT_TRUE(DecodeLabels(bytes, &out).ok());
  EXPECT_EQ(out, ls);
  // {b, a}: unsorted.
  std::string bad = std::string(
      "\x02\x01"
      "b\x00\x01"
      "a\x00",
      7);
  EXPECT_TRUE(DecodeLabels(bad, &out).IsCorruption());
  EXPECT_TRUE(DecodeLabels(std::string("\x00", 1), &out).IsCorruption());
  EXPECT_TRUE(DecodeLabels(bytes.substr(0, bytes.size() - 1), &out).IsCorruption());
  EXPECT_TRUE(DecodeLabels(bytes + "z", &out).IsCorruption());
  for (auto check : {LabelCheck::kNames, LabelCheck::kStructure}) {
    EXPECT_TRUE(DecodeLabels(bad, &out, check).IsCorruption());  // out of order: never stored
  }
}

// What Append stores is read back as stored with kStructure (GetSeries: the
// shipper judges names per endpoint), while open (kNames) skips it.
TEST(SeriesCodecTest, StructureCheckReadsBackNamesOpenRefuses) {
  const labels::Labels odd = labels::Labels::FromUnsorted({{"x", "1"}, {"", "v"}, {"x", "2"}});
  std::string bytes;
  EncodeLabels(odd, &bytes);
  labels::Labels out;
  EXPECT_TRUE(DecodeLabels(bytes, &out).IsCorruption());
  ASSERT_TRUE(DecodeLabels(bytes, &out, LabelCheck::kStructure).ok());
  EXPECT_EQ(out, odd);
  EXPECT_TRUE(DecodeLabels(std::string("\x00", 1), &out, LabelCheck::kStructure).IsCorruption());
  EXPECT_TRUE(
      DecodeLabels(bytes.substr(0, bytes.size() - 1), &out, LabelCheck::kStructure).IsCorruption());
  // Found by wal_record_fuzzer: one label, empty name, value length as a
  // two-byte varint. Whatever kStructure accepts must read back the same.
  const std::string fuzzed("\x01\x00\x80\x00", 4);
  if (DecodeLabels(fuzzed, &out, LabelCheck::kStructure).ok()) {
    std::string again;
    EncodeLabels(out, &again);
    labels::Labels back;
    ASSERT_TRUE(DecodeLabels(again, &back, LabelCheck::kStructure).ok());
    EXPECT_EQ(back, out) << back.ToString() << " vs " << out.ToString();
  }
}

}  // namespace
}  // namespace ferry::wal::internal
