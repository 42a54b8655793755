// Unit tests of the shipper's pure parts: back-off, Retry-After, shard
// assignment, resharding decision, ack bookkeeping, shard marks, endpoint
// validation.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <set>

#include "src/ship/ack_tracker.h"
#include "src/ship/backoff.h"
#include "src/ship/endpoint.h"
#include "src/ship/position.h"
#include "src/ship/shard.h"
#include "src/ship/sharding.h"

namespace ferry::ship {
namespace {

using std::chrono::milliseconds;

UniformRng Fixed(double v) {
  return [v] { return v; };
}

TEST(BackoffTest, DoublesFromMinToMaxWithEqualJitter) {
  Backoff b(milliseconds(100), milliseconds(1000), Fixed(0.0));
  // base/2 + 0 * base/2, but never below min.
  EXPECT_EQ(b.Next(), milliseconds(100));  // base 100 -> 50, clamped to 100
  EXPECT_EQ(b.Next(), milliseconds(100));  // base 200 -> 100
  EXPECT_EQ(b.Next(), milliseconds(200));  // base 400
  EXPECT_EQ(b.Next(), milliseconds(400));  // base 800
  EXPECT_EQ(b.Next(), milliseconds(500));  // base 1000 (capped)
  EXPECT_EQ(b.Next(), milliseconds(500));
  EXPECT_EQ(b.base(), milliseconds(1000));
}

TEST(BackoffTest, FullJitterReachesBaseButNotAboveMax) {
  Backoff b(milliseconds(30), milliseconds(5000), Fixed(0.999999));
  std::vector<int64_t> waits;
  for (int i = 0; i < 10; ++i) waits.push_back(b.Next().count());
  EXPECT_EQ(waits[0], 30);  // 15 + 14.99, clamped to min
  EXPECT_EQ(waits[1], 59);
  EXPECT_EQ(waits[2], 119);
  for (int64_t w : waits) {
    EXPECT_GE(w, 30);
    EXPECT_LE(w, 5000);
  }
  EXPECT_EQ(waits.back(), 4999);
}

TEST(BackoffTest, JitterSpreadsWaitsWithinTheStep) {
  double r = 0;
  Backoff b(milliseconds(100), milliseconds(100000), [&r] { return r; });
  b.Next();
  b.Next();  // base now 400
  r = 0.5;
  EXPECT_EQ(b.Next(), milliseconds(300));  // 200 + 0.5 * 200
}

TEST(BackoffTest, RetryAfterReplacesTheWaitCappedAtMaxAndBaseStillDoubles) {
  Backoff b(milliseconds(100), milliseconds(2000), Fixed(0.0));
  EXPECT_EQ(b.Next(milliseconds(1500)), milliseconds(1500));
  EXPECT_EQ(b.base(), milliseconds(200));
  EXPECT_EQ(b.Next(milliseconds(60000)), milliseconds(2000));
  EXPECT_EQ(b.Next(milliseconds(0)), milliseconds(0));
  b.Reset();
  EXPECT_EQ(b.base(), milliseconds(100));
}

TEST(RetryAfterTest, ParsesDelaySeconds) {
  auto now = std::chrono::system_clock::from_time_t(784111777);
  EXPECT_EQ(ParseRetryAfter("120", now), milliseconds(120000));
  EXPECT_EQ(ParseRetryAfter(" 0 ", now), milliseconds(0));
  EXPECT_EQ(ParseRetryAfter("99999999999999999999999", now), milliseconds::max());
}

TEST(RetryAfterTest, ParsesTheThreeHttpDateForms) {
  // 1994-11-06 08:49:37 UTC = 784111777.
  auto now = std::chrono::system_clock::from_time_t(784111777 - 10);
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now), milliseconds(10000));
  EXPECT_EQ(ParseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", now), milliseconds(10000));
  EXPECT_EQ(ParseRetryAfter("Sun Nov  6 08:49:37 1994", now), milliseconds(10000));
  EXPECT_EQ(ParseRetryAfter("Sun Nov 16 08:49:37 1994", now), milliseconds(10000 + 864000000));
}

// Regression (ship_parse_fuzzer): a date past the year 2262 overflowed
// system_clock's nanoseconds; it is a very long wait, capped later at max_backoff.
TEST(RetryAfterTest, FarFutureDateDoesNotOverflow) {
  auto now = std::chrono::system_clock::from_time_t(784111777);
  auto d = ParseRetryAfter("Sun, 06 Nov 8994 08:49:37 GMT", now);
  ASSERT_TRUE(d.has_value());
  EXPECT_GT(*d, milliseconds(200'000'000'000'000));
}

TEST(RetryAfterTest, PastDateIsZeroAndGarbageIsNothing) {
  auto now = std::chrono::system_clock::from_time_t(784111777 + 100);
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now), milliseconds(0));
  for (const char* bad : {"", "  ", "-5", "1.5", "12abc", "Sun, 06 Nov 1994 08:49:37 UTC",
                          "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 6 Nov 1994 08:49:37 GMT",
                          "soon", "Sun, 06 Nov 1994 08:49 GMT", "Sun Nov  6 08:49:37 94"}) {
    EXPECT_EQ(ParseRetryAfter(bad, now), std::nullopt) << bad;
  }
}

TEST(ShardOfTest, IsStableAndSpreadsConsecutiveRefs) {
  EXPECT_EQ(ShardOf(12345, 7), ShardOf(12345, 7));
  EXPECT_EQ(ShardOf(1, 1), 0);
  std::map<int, int> counts;
  for (uint64_t ref = 1; ref <= 10000; ++ref) {
    int s = ShardOf(ref, 10);
    ASSERT_GE(s, 0);
    ASSERT_LT(s, 10);
    ++counts[s];
  }
  ASSERT_EQ(counts.size(), 10u);
  for (auto [s, n] : counts) {
    EXPECT_GT(n, 850) << s;
    EXPECT_LT(n, 1150) << s;
  }
}

TEST(ShardOfTest, GoldenValuesDoNotChangeAcrossBuilds) {
  // Crash recovery rebuilds per-shard batches: the mapping is persistent.
  EXPECT_EQ(ShardOf(1, 50), ShardOf(1, 50));
  std::vector<int> got;
  for (uint64_t ref : {1ull, 2ull, 3ull, 1000ull, 1ull << 40}) got.push_back(ShardOf(ref, 16));
  std::vector<int> again;
  for (uint64_t ref : {1ull, 2ull, 3ull, 1000ull, 1ull << 40}) again.push_back(ShardOf(ref, 16));
  EXPECT_EQ(got, again);
  // splitmix64 finaliser of ref + golden ratio, mod 16.
  auto mix = [](uint64_t z) {
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  EXPECT_EQ(ShardOf(1000, 16), static_cast<int>(mix(1000) % 16));
}

TEST(DesiredShardsTest, KeepsCurrentWithoutTimingOrWithinTolerance) {
  ShardingInputs in{.current = 4, .min_shards = 1, .max_shards = 10};
  EXPECT_EQ(DesiredShards(in), 4);  // nothing sent yet
  in.samples_out_rate = 1000;
  in.samples_in_rate = 1000;
  in.send_seconds_per_second = 4.5;  // 4.5 ms per sample-second -> 4.5 shards
  EXPECT_EQ(DesiredShards(in), 4);   // within 30 %
}

TEST(DesiredShardsTest, GrowsWithBacklogAndShrinksWhenIdle) {
  ShardingInputs in{.current = 2, .min_shards = 1, .max_shards = 10};
  in.samples_in_rate = 10000;
  in.samples_out_rate = 10000;
  in.send_seconds_per_second = 2;  // 0.2 ms per sample
  EXPECT_EQ(DesiredShards(in), 2);
  in.backlog_samples = 1'000'000;  // 5 %/s = 50k/s more
  EXPECT_EQ(DesiredShards(in), 10);  // 0.0002 * 60000 = 12, clamped
  in.backlog_samples = 0;
  in.samples_in_rate = 1000;
  EXPECT_EQ(DesiredShards(in), 1);  // 0.2 shard -> min
}

TEST(DesiredShardsTest, DroppedSamplesDoNotCountAsWork) {
  ShardingInputs in{.current = 10, .min_shards = 1, .max_shards = 20};
  in.samples_in_rate = 10000;
  in.samples_out_rate = 1000;
  in.samples_dropped_rate = 9000;
  in.send_seconds_per_second = 1;  // 1 ms per sample sent
  EXPECT_EQ(DesiredShards(in), 1);  // only 10 % is kept: 1000/s * 1 ms
  in.current = 0;  // out-of-range current is clamped
  in.samples_out_rate = 0;
  EXPECT_EQ(DesiredShards(in), 1);
}

TEST(AckTrackerTest, CursorIsTheContiguousAcknowledgedPrefix) {
  AckTracker t(5);
  EXPECT_EQ(t.CommittableSequence(), 5u);
  t.AddRecord(5, 100, 1000, 3);
  t.AddRecord(6, 103, 1001, 2);
  t.AddRecord(7, 105, 1002, 0);  // everything filtered
  t.AddRecord(8, 105, 1003, 1);
  EXPECT_EQ(t.CommittableSequence(), 5u);
  // Shard B answers first, for records 6 and 8: record 5 still holds the cursor.
  SeqRun b[] = {{6, 2}, {8, 1}};
  t.Ack(b);
  EXPECT_EQ(t.CommittableSequence(), 5u);
  BacklogInfo info = t.Backlog();
  EXPECT_TRUE(info.has_outstanding);
  EXPECT_EQ(info.oldest_first_sample, 100u);
  EXPECT_EQ(info.oldest_append_ms, 1000);
  SeqRun a1[] = {{5, 2}};
  t.Ack(a1);
  EXPECT_EQ(t.CommittableSequence(), 5u);
  SeqRun a2[] = {{5, 1}};
  t.Ack(a2);
  EXPECT_EQ(t.CommittableSequence(), 9u);
  EXPECT_FALSE(t.Backlog().has_outstanding);
}

TEST(AckTrackerTest, ReaderPositionMovesAnEmptyTracker) {
  AckTracker t(1);
  t.SetReaderPosition(10);
  EXPECT_EQ(t.CommittableSequence(), 10u);
  t.AddRecord(12, 0, 0, 1);
  t.SetReaderPosition(11);  // never backwards
  EXPECT_EQ(t.CommittableSequence(), 12u);
  SeqRun r[] = {{12, 1}};
  t.Ack(r);
  EXPECT_EQ(t.CommittableSequence(), 13u);
}

TEST(AckTrackerTest, AckBeyondTheCountIsABug) {
  AckTracker t(1);
  t.AddRecord(1, 0, 0, 1);
  SeqRun r[] = {{1, 2}};
  EXPECT_DEATH(t.Ack(r), "");
}

TEST(ShardMarkTest, RoundTripsAndRefusesDamage) {
  ShardMark m{{42, 7}, {1ull << 40, 65536}, 0, 1};
  std::string bytes = EncodeShardMark(m);
  ShardMark back;
  ASSERT_TRUE(DecodeShardMark(bytes, &back));
  EXPECT_EQ(back, m);
  EXPECT_FALSE(DecodeShardMark("", &back));
  EXPECT_FALSE(DecodeShardMark(bytes.substr(0, bytes.size() - 1), &back));
  EXPECT_FALSE(DecodeShardMark(bytes + "x", &back));
  std::string wrong_format = bytes;
  wrong_format[0] = 3;
  EXPECT_FALSE(DecodeShardMark(wrong_format, &back));
  EXPECT_FALSE(DecodeShardMark(EncodeShardMark({{5, 0}, {4, 9}}), &back));  // end < acked
  // Chunks of a window: format 2; a first chunk alone in flight stays format 1.
  EXPECT_EQ(bytes[0], 1);
  EXPECT_EQ(back.chunks_sent, 1u);
  ShardMark chunked{{42, 7}, {50, 0}, 3, 5};
  std::string cb = EncodeShardMark(chunked);
  EXPECT_EQ(cb[0], 2);
  ASSERT_TRUE(DecodeShardMark(cb, &back));
  EXPECT_EQ(back, chunked);
  EXPECT_FALSE(DecodeShardMark(cb.substr(0, cb.size() - 1), &back));
  std::string format2_short = bytes;
  format2_short[0] = 2;
  EXPECT_FALSE(DecodeShardMark(format2_short, &back));                           // truncated
  EXPECT_FALSE(DecodeShardMark(EncodeShardMark({{5, 0}, {6, 0}, 3, 2}), &back));  // sent < acked
  EXPECT_FALSE(DecodeShardMark(EncodeShardMark({{5, 0}, {5, 0}, 1, 1}), &back));  // empty range
  // Format 2 with no chunk sent: never written, and it would not round-trip
  // (found by ship_parse_fuzzer; the input is in fuzz/corpus/ship_parse/).
  EXPECT_FALSE(DecodeShardMark(std::string("\x02\x00\x00\x00\x0e\x00\x00", 7), &back));
  ShardMark idle{{9, 0}, {9, 0}, 0, 0};
  ASSERT_TRUE(DecodeShardMark(EncodeShardMark(idle), &back));
  EXPECT_EQ(back, idle);
  EXPECT_TRUE(Position({1, 5}) < Position({2, 0}));
  EXPECT_TRUE(Position({1, 5}).Next() == Position({1, 6}));
}

config::RemoteWriteConfig Rw(const std::string& url) {
  config::RemoteWriteConfig rw;
  rw.url = url;
  return rw;
}

// Windows made of 1 to 40 ascending runs (the merge path up to 16, the
// fallback sort beyond), empty and single windows: the same order as
// sorting by (ref, position).
TEST(SortWindowTest, OrdersByRefThenPositionLikeASort) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 300; ++round) {
    const size_t runs = round % 41;
    std::vector<QueuedSample> w;
    uint64_t seq = 1;
    for (size_t r = 0; r < runs; ++r) {
      const size_t len = rng() % 50;  // runs may be empty, i.e. merge with the next
      wal::SeriesRef ref = 1 + rng() % 100;
      for (size_t i = 0; i < len; ++i) {
        ref += rng() % 3;  // equal refs: later positions, still ascending
        w.push_back({ref, static_cast<int64_t>(i), 0.0, {seq, static_cast<uint32_t>(i)}});
      }
      ++seq;
    }
    std::vector<QueuedSample> want = w;
    std::sort(want.begin(), want.end(), [](const QueuedSample& a, const QueuedSample& b) {
      return a.ref != b.ref ? a.ref < b.ref : a.pos < b.pos;
    });
    SortWindow(w);
    ASSERT_EQ(w.size(), want.size());
    for (size_t i = 0; i < w.size(); ++i) {
      ASSERT_EQ(w[i].ref, want[i].ref) << "round " << round << " at " << i;
      ASSERT_EQ(w[i].pos, want[i].pos) << "round " << round << " at " << i;
    }
  }
}

TEST(EndpointTest, IdentityIsNameOrUrlHash) {
  auto a = Endpoint::Compile(Rw("http://127.0.0.1:1/api/v1/write"), {}, 0);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ((*a)->identity.size(), 6u);
  EXPECT_EQ((*a)->identity, UrlIdentity("http://127.0.0.1:1/api/v1/write"));
  EXPECT_NE(UrlIdentity("http://a/"), UrlIdentity("http://b/"));
  EXPECT_EQ((*a)->CursorName(), "remote_write/" + (*a)->identity);
  config::RemoteWriteConfig named = Rw("http://x/");
  named.name = "mimir";
  auto b = Endpoint::Compile(named, {}, 0);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*b)->identity, "mimir");
}

TEST(EndpointTest, FingerprintSeesSecretsAndExternalLabels) {
  config::RemoteWriteConfig rw = Rw("http://x/");
  auto base = Endpoint::Compile(rw, {}, 0);
  rw.http.authorization = config::Authorization{};
  rw.http.authorization->type = "Bearer";
  rw.http.authorization->credentials = "one";
  auto one = Endpoint::Compile(rw, {}, 0);
  rw.http.authorization->credentials = "two";
  auto two = Endpoint::Compile(rw, {}, 0);
  auto ext = Endpoint::Compile(rw, labels::Labels::Of({{"cluster", "a"}}), 0);
  ASSERT_TRUE(base.ok() && one.ok() && two.ok() && ext.ok());
  std::set<std::string> prints = {(*base)->fingerprint, (*one)->fingerprint,
                                  (*two)->fingerprint, (*ext)->fingerprint};
  EXPECT_EQ(prints.size(), 4u);
  auto again = Endpoint::Compile(rw, {}, 0);
  EXPECT_EQ((*again)->fingerprint, (*two)->fingerprint);
}

TEST(EndpointTest, RefusesBadSettingsNamingThem) {
  struct Case {
    std::function<void(config::RemoteWriteConfig&)> edit;
    std::string want;
  };
  std::vector<Case> cases = {
      {[](auto& r) { r.url = ""; }, "remote_write[3] (url ): url is empty"},
      {[](auto& r) { r.url = "ftp://x/"; }, "url scheme must be http or https"},
      {[](auto& r) { r.queue_config.min_shards = 0; }, "min_shards must be at least 1"},
      {[](auto& r) { r.queue_config.min_shards = 5, r.queue_config.max_shards = 2; },
       "min_shards 5 exceeds max_shards 2"},
      {[](auto& r) { r.queue_config.max_samples_per_send = 0; }, "max_samples_per_send"},
      {[](auto& r) { r.queue_config.capacity = 0; }, "capacity must be positive"},
      {[](auto& r) { r.queue_config.min_backoff = milliseconds(10000); },
       "min_backoff exceeds max_backoff"},
      {[](auto& r) { r.remote_timeout = milliseconds(0); }, "remote_timeout must be positive"},
      {[](auto& r) { r.headers["Content-Type"] = "x"; }, "header \"Content-Type\" is reserved"},
      {[](auto& r) { r.headers["x-prometheus-remote-write-version"] = "x"; }, "is reserved"},
      {[](auto& r) { r.protobuf_message = "v3"; }, "protobuf_message"},
      {[](auto& r) {
         relabel::RelabelConfig c;
         c.regex = "(";
         r.write_relabel_configs.push_back(c);
       },
       "write_relabel_configs"},
  };
  for (const Case& c : cases) {
    config::RemoteWriteConfig rw = Rw("http://h/");
    c.edit(rw);
    auto ep = Endpoint::Compile(rw, {}, 3);
    ASSERT_FALSE(ep.ok()) << c.want;
    EXPECT_TRUE(ep.status().IsInvalidArgument());
    EXPECT_NE(ep.status().message().find(c.want), std::string::npos) << ep.status().message();
    EXPECT_EQ(ep.status().message().rfind("remote_write[3]", 0), 0u) << ep.status().message();
  }
}

}  // namespace
}  // namespace ferry::ship
