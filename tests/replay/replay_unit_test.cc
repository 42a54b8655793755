// Unit tests of replay's values: request parsing and validation, JSON round
// trips, shard state encoding, the token bucket and the range planning.
#include <gtest/gtest.h>

#include "src/replay/job.h"
#include "src/replay/manager.h"
#include "src/replay/request.h"
#include "src/replay/store.h"
#include "src/replay/token_bucket.h"
#include "tests/replay/replay_test_util.h"

namespace ferry::replay {
namespace {

constexpr int64_t kNow = 1'764'082'800'000;  // 2025-11-25T15:00:00Z

TEST(ParseTime, AcceptsEveryDocumentedForm) {
  EXPECT_EQ(*ParseTime("2025-11-25T15:00:00Z", 0), kNow);
  EXPECT_EQ(*ParseTime("2025-11-25T16:00:00.250+01:00", 0), kNow + 250);
  EXPECT_EQ(*ParseTime("1764082800", 0), kNow);
  EXPECT_EQ(*ParseTime("1764082800.5", 0), kNow + 500);
  EXPECT_EQ(*ParseTime("now", kNow), kNow);
  EXPECT_EQ(*ParseTime("-6h", kNow), kNow - 6 * 3600 * 1000);
  EXPECT_EQ(*ParseTime("-1h30m", kNow), kNow - 90 * 60 * 1000);
}

TEST(ParseTime, RefusesGarbageNamingTheForms) {
  for (const char* bad : {"", "yesterday", "2025-13-25T15:00:00Z", "2025-11-25 15:00:00",
                          "2025-11-25T15:00:00", "-6x", "1e400", "2025-02-30T00:00:00Z"}) {
    Result<int64_t> t = ParseTime(bad, kNow);
    EXPECT_FALSE(t.ok()) << bad;
    if (!t.ok()) {
      EXPECT_NE(t.status().message().find("RFC 3339"), std::string::npos) << bad;
    }
  }
}

// The job store keeps times as RFC 3339, which has four-digit years: a time
// outside them would be accepted and then fail to load back (fuzzer finding).
TEST(ParseTime, RefusesTimesRfc3339CannotWrite) {
  EXPECT_EQ(*ParseTime("0000-01-01T00:00:00Z", kNow), -62'167'219'200'000);
  EXPECT_EQ(*ParseTime("9999-12-31T23:59:59.999Z", kNow), 253'402'300'799'999);
  for (const char* bad : {"9999-12-31T23:59:59-01:00", "0000-01-01T00:00:00+00:01"}) {
    Result<int64_t> t = ParseTime(bad, kNow);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.status().message(),
              "time \"" + std::string(bad) + "\" is outside years 0000 to 9999");
  }
  // A number that far out is most likely milliseconds: the error says so.
  for (const char* bad : {"253402300800", "-62167219201", "1764082800000"}) {
    Result<int64_t> t = ParseTime(bad, kNow);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.status().message(), "time \"" + std::string(bad) +
                                        "\" is outside years 0000 to 9999 (Unix seconds are "
                                        "wanted, not milliseconds)");
  }
}

TEST(ParseJobRequest, TimesAtTheEdgesOfTheRangeSurviveTheJsonRoundTrip) {
  for (const char* body :
       {R"({"from":"0000-01-01T00:00:00Z","to":"9999-12-31T23:59:59.999Z","url":"http://x"})",
        R"({"from":-62167219200,"to":253402300799.999,"url":"http://x"})"}) {
    Result<JobSpec> s = ParseJobRequest(body, kNow);
    ASSERT_TRUE(s.ok()) << body << ": " << s.status().ToString();
    Result<JobSpec> again = ParseJobRequest(SpecToJson(*s), kNow);
    ASSERT_TRUE(again.ok()) << SpecToJson(*s) << ": " << again.status().ToString();
    EXPECT_EQ(*again, *s);
  }
  Result<JobSpec> far = ParseJobRequest(
      R"({"from":1764082800,"to":1764086400825,"url":"http://x"})", kNow);
  ASSERT_FALSE(far.ok());
  EXPECT_EQ(far.status().message(),
            "to: time \"1764086400825\" is outside years 0000 to 9999 (Unix seconds are wanted, "
            "not milliseconds)");
}

TEST(ParseJobRequest, FullRequest) {
  Result<JobSpec> s = ParseJobRequest(
      R"({"from":"-2h","to":1764082800,"match":"{job=\"node\"}","url":"https://rw.example/api",
          "bearer_token_file":"/t","tls_ca_file":"/ca","headers":{"X-Scope-OrgID":"a"},
          "protocol":"2.0","rate":5000,"dry_run":true,"skew":"1m","shards":2,
          "max_samples_per_send":500})",
      kNow);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->from_ms, kNow - 2 * 3600 * 1000);
  EXPECT_EQ(s->to_ms, kNow);
  EXPECT_EQ(s->match, "{job=\"node\"}");
  EXPECT_EQ(s->url.url, "https://rw.example/api");
  EXPECT_EQ(s->url.bearer_token_file, "/t");
  EXPECT_EQ(s->url.headers.at("X-Scope-OrgID"), "a");
  EXPECT_EQ(s->protocol, Protocol::kV2);
  EXPECT_EQ(s->rate, 5000);
  EXPECT_TRUE(s->dry_run);
  EXPECT_EQ(s->skew_ms, 60'000);
  EXPECT_EQ(s->shards, 2);
  EXPECT_EQ(s->max_samples_per_send, 500);
}

TEST(ParseJobRequest, ErrorsNameTheField) {
  struct Case {
    const char* body;
    const char* want;
  } cases[] = {
      {"not json", "not valid JSON"},
      {"[1]", "JSON object"},
      {R"({"to":"now","url":"http://x"})", "from: required"},
      {R"({"from":"-1h","url":"http://x"})", "to: required"},
      {R"({"from":"now","to":"-1h","url":"http://x"})", "is after to"},
      {R"({"from":"-1h","to":"now"})", "exactly one of remote_write_name and url"},
      {R"({"from":"-1h","to":"now","url":"http://x","remote_write_name":"a"})", "exactly one"},
      {R"({"from":"-1h","to":"now","url":"ftp://x"})", "not an http(s) URL"},
      {R"({"from":"-1h","to":"now","url":"http://x","match":"{job=}"})", "match: 1:"},
      {R"({"from":"-1h","to":"now","url":"http://x","rate":-1})", "rate:"},
      {R"({"from":"-1h","to":"now","url":"http://x","protocol":"3"})", "protocol:"},
      {R"({"from":"-1h","to":"now","url":"http://x","shards":0})", "shards:"},
      {R"({"from":"-1h","to":"now","url":"http://x","frm":"x"})", "unknown field \"frm\""},
      {R"({"from":"-1h","to":"now","url":"http://x","basic_auth_user":"u"})",
       "basic_auth_password_file: required"},
      {R"({"from":"-1h","to":"now","remote_write_name":"a","bearer_token_file":"/t"})",
       "need url"},
      {R"({"from":true,"to":"now","url":"http://x"})", "from: want"},
      {R"({"from":"-1h","to":"now","url":"http://x","skew":"-1m"})", "skew:"},
  };
  for (const Case& c : cases) {
    Result<JobSpec> s = ParseJobRequest(c.body, kNow);
    ASSERT_FALSE(s.ok()) << c.body;
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument) << c.body;
    EXPECT_NE(s.status().message().find(c.want), std::string::npos)
        << c.body << " -> " << s.status().message();
  }
}

TEST(JobJson, StatusRoundTrips) {
  JobStatus st;
  st.id = "abcd1234";
  st.spec.from_ms = kNow - 3600'000;
  st.spec.to_ms = kNow;
  st.spec.match = "up{job=~\"a.*\"}";
  st.spec.remote_write_name = "central";
  st.spec.protocol = Protocol::kV1;
  st.spec.rate = 1000;
  st.state = JobState::kPaused;
  st.last_error = "HTTP 400: out of order sample";
  st.created_ms = kNow;
  st.updated_ms = kNow + 5;
  st.start_seq = 10;
  st.end_seq = 110;
  st.cursor_seq = 60;
  st.counters.samples_sent = 7;
  st.counters.samples_rejected = 3;
  st.counters.bytes_sent = 99;
  st.counters.records_lost = 1;
  Result<JobStatus> back = StatusFromJson(StatusToJson(st));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->id, st.id);
  EXPECT_EQ(back->spec, st.spec);
  EXPECT_EQ(back->state, st.state);
  EXPECT_EQ(back->last_error, st.last_error);
  EXPECT_EQ(back->counters, st.counters);
  EXPECT_EQ(back->cursor_seq, 60u);
  EXPECT_DOUBLE_EQ(back->Progress(), 0.5);
  EXPECT_FALSE(StatusFromJson("{}").ok());
  EXPECT_FALSE(StatusFromJson(R"({"id":"x","state":"dancing","spec":{}})").ok());
}

TEST(JobState, NamesAndTerminality) {
  for (JobState s : {JobState::kPending, JobState::kRunning, JobState::kPaused, JobState::kDone,
                     JobState::kCancelled, JobState::kFailed}) {
    EXPECT_EQ(ParseState(StateName(s)), s);
  }
  EXPECT_FALSE(IsTerminal(JobState::kPaused));
  EXPECT_TRUE(IsTerminal(JobState::kCancelled));
}

TEST(ShardStateCodec, RoundTripsAndRefusesDamage) {
  ShardState s;
  s.mark.acked = {5, 3};
  s.mark.sent_end = {9, 1};
  s.mark.chunks_sent = 1;  // the one request in flight, as a decoded mark says it
  s.counters.samples_sent = 1000;
  s.counters.samples_already_delivered = 20;
  s.counters.bytes_sent = 1 << 30;
  s.counters.requests = 4;
  std::string bytes = EncodeShardState(s);
  ShardState back;
  ASSERT_TRUE(DecodeShardState(bytes, &back));
  EXPECT_EQ(back, s);
  EXPECT_FALSE(DecodeShardState(bytes.substr(0, bytes.size() - 1), &back));
  EXPECT_FALSE(DecodeShardState(bytes + "x", &back));
  EXPECT_FALSE(DecodeShardState("\x02" + bytes.substr(1), &back));
}

TEST(TokenBucket, LimitsToTheRateAfterTheBurst) {
  ::ferry::testing::FakeClock clock;
  TokenBucket b(/*rate=*/1000, /*burst=*/500, clock);
  EXPECT_EQ(b.Take(500).count(), 0);  // the burst
  EXPECT_EQ(b.Take(250).count(), 250);  // 250 in debt at 1000/s
  clock.Advance(std::chrono::milliseconds(250));
  EXPECT_EQ(b.Take(1000).count(), 1000);
  clock.Advance(std::chrono::seconds(10));  // refills only up to the burst
  EXPECT_EQ(b.Take(500).count(), 0);
  EXPECT_EQ(b.Take(1).count(), 1);
}

TEST(PlanSequenceRange, MapsSampleTimeThroughAppendTimeWithSkew) {
  ::ferry::testing::TempDir dir;
  ::ferry::testing::FakeClock clock(kNow);
  auto wal = testing::OpenWal(dir.str(), &clock);
  ASSERT_NE(wal, nullptr);
  // 100 scrapes, 10 s apart, 1 job: sequence r + 1 appended at kNow + 10 s * r.
  ASSERT_TRUE(testing::AppendScrapes(*wal, clock, 1, 3, 100, kNow, 10'000));
  JobSpec spec;
  spec.url.url = "http://127.0.0.1:1/";
  spec.from_ms = kNow + 200'000;
  spec.to_ms = kNow + 400'000;
  spec.skew_ms = 0;
  auto r = PlanSequenceRange(*wal, spec);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->first, 21u);   // appended at +200 s
  EXPECT_EQ(r->second, 42u);  // first after +400 s
  spec.skew_ms = 30'000;
  r = PlanSequenceRange(*wal, spec);
  EXPECT_EQ(r->first, 18u);
  EXPECT_EQ(r->second, 45u);
  spec.to_ms = kNow + 10'000'000;  // past the end: clamped to what exists now
  r = PlanSequenceRange(*wal, spec);
  EXPECT_EQ(r->second, 101u);
  spec.from_ms = spec.to_ms = kNow - 10'000'000;  // before everything
  r = PlanSequenceRange(*wal, spec);
  EXPECT_EQ(r->first, r->second);
}

}  // namespace
}  // namespace ferry::replay
