// ReplayManager against a loopback remote-write sink (tests/ship's Sink):
// exact ranges, selectors, rejections, retries, pause/resume/cancel,
// resume after a restart, dry runs, the admin API through the Router, and
// the per-job metrics.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <limits>
#include <set>

#include "src/http/router.h"
#include "src/replay/admin_api.h"
#include "src/replay/manager.h"
#include "src/replay/store.h"
#include "tests/replay/replay_test_util.h"
#include "tests/ship/ship_test_util.h"
#include "tests/testing/faulty_wal.h"

namespace ferry::replay {
namespace {

using ship::testing::Reply;
using ship::testing::SeenRequest;
using ship::testing::Sink;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int64_t kStart = 1'764'082'800'000;

class ManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    wal_ = testing::OpenWal(dir_.str(), &clock_);
    ASSERT_NE(wal_, nullptr);
    // 2 jobs x 5 series, 50 scrapes 1 s apart: 500 samples.
    ASSERT_TRUE(testing::AppendScrapes(*wal_, clock_, 2, 5, 50, kStart));
  }
  std::unique_ptr<ReplayManager> Open() {
    ManagerOptions o;
    o.wal = wal_.get();
    o.checkpoint_interval = milliseconds(50);
    o.pause_flush_deadline = milliseconds(300);
    auto m = ReplayManager::Open(o);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? std::move(m).value() : nullptr;
  }
  JobSpec Spec(int64_t from_s, int64_t to_s) {
    JobSpec s;
    s.from_ms = kStart + from_s * 1000;
    s.to_ms = kStart + to_s * 1000;
    s.url.url = sink_.url();
    s.skew_ms = 0;
    return s;
  }
  // series -> timestamps the sink accepted.
  std::map<std::string, std::vector<int64_t>> Accepted() {
    std::map<std::string, std::vector<int64_t>> out;
    for (const auto& [k, v] : sink_.accepted()) {
      for (const auto& s : v) out[k].push_back(s.timestamp_ms);
    }
    return out;
  }
  JobStatus WaitDone(ReplayManager& m, const std::string& id) {
    Result<JobStatus> st = m.Wait(id, seconds(30));
    EXPECT_TRUE(st.ok());
    return st.ok() ? *st : JobStatus{};
  }

  ::ferry::testing::TempDir dir_;
  ::ferry::testing::FakeClock clock_{kStart};
  std::unique_ptr<wal::Wal> wal_;
  Sink sink_;
};

TEST_F(ManagerTest, SendsExactlyTheRangeInOrderPerSeries) {
  auto m = Open();
  JobSpec spec = Spec(10, 29);
  spec.max_samples_per_send = 37;  // many requests
  Result<JobStatus> st = m->Submit(spec);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  JobStatus done = WaitDone(*m, st->id);
  EXPECT_EQ(done.state, JobState::kDone) << done.error;
  EXPECT_EQ(done.counters.samples_sent, 200u);
  EXPECT_EQ(done.counters.samples_rejected, 0u);
  EXPECT_DOUBLE_EQ(done.Progress(), 1.0);
  auto got = Accepted();
  ASSERT_EQ(got.size(), 10u);
  std::vector<int64_t> want;
  for (int r = 10; r <= 29; ++r) want.push_back(kStart + r * 1000);
  for (const auto& [series, ts] : got) EXPECT_EQ(ts, want) << series;  // all, once, in order
  // Terminal: the cursor no longer holds retention, shard state is gone.
  EXPECT_TRUE(wal_->GetCursor(CursorName(st->id)).status().IsNotFound());
  auto meta = wal_->ListMeta(kMetaPrefix);
  ASSERT_TRUE(meta.ok());
  ASSERT_EQ(meta->size(), 1u);
  EXPECT_EQ((*meta)[0].first, JobKey(st->id));
}

TEST_F(ManagerTest, RemoteWrite2WithWrittenHeaderShortfall) {
  Sink v2(/*v2=*/true);
  v2.SetScript([](size_t i, const SeenRequest& r) {
    Reply rep;  // the receiver says it wrote all but one sample of each request
    rep.headers = {{"X-Prometheus-Remote-Write-Samples-Written", std::to_string(r.samples - 1)},
                   {"X-Prometheus-Remote-Write-Histograms-Written", "0"},
                   {"X-Prometheus-Remote-Write-Exemplars-Written", "0"}};
    return rep;
  });
  auto m = Open();
  JobSpec spec = Spec(0, 49);
  spec.url.url = v2.url();
  spec.protocol = Protocol::kV2;
  spec.shards = 1;
  spec.max_samples_per_send = 100;
  JobStatus done = WaitDone(*m, m->Submit(spec)->id);
  EXPECT_EQ(done.state, JobState::kDone);
  EXPECT_EQ(done.counters.samples_sent, 495u);
  EXPECT_EQ(done.counters.samples_rejected, 5u);
  ASSERT_FALSE(v2.requests().empty());
  EXPECT_EQ(v2.requests()[0].headers["X-Prometheus-Remote-Write-Version"], "2.0.0");
  EXPECT_EQ(v2.accepted_samples(), 500u);
}

TEST_F(ManagerTest, SelectorSendsOnlyMatchingSeries) {
  auto m = Open();
  JobSpec spec = Spec(0, 49);
  spec.match = R"({job="j1", series=~"[01]"})";
  Result<JobStatus> st = m->Submit(spec);
  ASSERT_TRUE(st.ok());
  JobStatus done = WaitDone(*m, st->id);
  EXPECT_EQ(done.counters.samples_sent, 100u);
  auto got = Accepted();
  ASSERT_EQ(got.size(), 2u);
  for (const auto& [series, ts] : got) {
    EXPECT_NE(series.find("job=\"j1\""), std::string::npos) << series;
    EXPECT_EQ(ts.size(), 50u);
  }
}

TEST_F(ManagerTest, RejectedRequestsAreCountedAndTheJobGoesOn) {
  sink_.SetScript([](size_t i, const SeenRequest&) {
    return i == 0 ? Reply{.status = 400, .body = "out of order sample"} : Reply{};
  });
  auto m = Open();
  JobSpec spec = Spec(0, 49);
  spec.shards = 1;
  spec.max_samples_per_send = 100;
  JobStatus done = WaitDone(*m, m->Submit(spec)->id);
  EXPECT_EQ(done.state, JobState::kDone);
  EXPECT_EQ(done.counters.samples_rejected, 100u);
  EXPECT_EQ(done.counters.samples_sent, 400u);
  EXPECT_EQ(done.counters.samples_already_delivered, 0u);  // not a resend
  EXPECT_NE(done.last_error.find("HTTP 400: out of order"), std::string::npos) << done.last_error;
}

TEST_F(ManagerTest, RetriesServerErrorsUntilAccepted) {
  sink_.SetScript([](size_t i, const SeenRequest&) {
    return i < 3 ? Reply{.status = 503} : Reply{};
  });
  auto m = Open();
  JobSpec spec = Spec(0, 49);
  spec.shards = 1;
  JobStatus done = WaitDone(*m, m->Submit(spec)->id);
  EXPECT_EQ(done.state, JobState::kDone);
  EXPECT_EQ(done.counters.samples_sent, 500u);
  EXPECT_GT(done.counters.samples_retried, 0u);
  EXPECT_EQ(sink_.accepted_samples(), 500u);
}

// A series whose labels fail to read for a while (an I/O error) is retried,
// not dropped: the job still sends all 500 samples.
TEST_F(ManagerTest, SeriesLabelsThatFailToReadAreRetriedNotDropped) {
  wal::SeriesRef ref = wal::kNoSeriesRef;
  ASSERT_TRUE(wal_->Dump(INT64_MIN, INT64_MAX, nullptr,
                         [&](uint64_t, wal::SeriesRef r, const labels::Labels&, int64_t, double) {
                           ref = r;
                           return Status::Ok();
                         })
                  .ok());
  ::ferry::testing::FaultyWal faulty(*wal_);
  faulty.FailGetSeries(ref, Status::IOError("disk hiccup"), 2);
  ManagerOptions o;
  o.wal = &faulty;
  o.checkpoint_interval = milliseconds(50);
  auto m = ReplayManager::Open(o);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  JobSpec spec = Spec(0, 49);
  spec.shards = 1;
  JobStatus done = WaitDone(**m, (*m)->Submit(spec)->id);
  EXPECT_EQ(done.state, JobState::kDone);
  EXPECT_EQ(done.counters.samples_sent, 500u);
  EXPECT_EQ(done.counters.samples_dropped, 0u);
  EXPECT_EQ(faulty.injected(), 2);
  EXPECT_EQ(sink_.accepted_samples(), 500u);
}

TEST_F(ManagerTest, PauseResumeAndCancel) {
  auto m = Open();
  JobSpec spec = Spec(0, 49);
  spec.rate = 250;  // 500 samples: about 2 s
  spec.max_samples_per_send = 50;
  Result<JobStatus> st = m->Submit(spec);
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(sink_.WaitForAccepted(1, seconds(10)));
  ASSERT_TRUE(m->Pause(st->id).ok());
  JobStatus paused = WaitDone(*m, st->id);
  ASSERT_EQ(paused.state, JobState::kPaused);
  const size_t at_pause = sink_.accepted_samples();
  EXPECT_LT(at_pause, 500u);
  EXPECT_EQ(paused.counters.samples_sent, at_pause);
  EXPECT_TRUE(wal_->GetCursor(CursorName(st->id)).ok());  // still holding retention
  ASSERT_TRUE(m->Resume(st->id).ok());
  JobStatus done = WaitDone(*m, st->id);
  EXPECT_EQ(done.state, JobState::kDone);
  EXPECT_EQ(done.counters.samples_sent, 500u);
  EXPECT_EQ(sink_.accepted_samples(), 500u);  // nothing twice
  EXPECT_FALSE(m->Pause(st->id).ok());        // terminal

  Result<JobStatus> other = m->Submit(spec);
  ASSERT_TRUE(other.ok());
  Result<JobStatus> c = m->Cancel(other->id);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(WaitDone(*m, other->id).state, JobState::kCancelled);
  EXPECT_TRUE(wal_->GetCursor(CursorName(other->id)).status().IsNotFound());
}

TEST_F(ManagerTest, PauseAndCancelDoNotWaitForADeadReceiver) {
  sink_.SetScript([](size_t, const SeenRequest&) { return Reply{.status = 503}; });
  auto m = Open();
  JobSpec spec = Spec(0, 49);
  Result<JobStatus> st = m->Submit(spec);
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(sink_.WaitFor([](size_t, const auto& r) { return r.size() >= 2; }, seconds(10)));
  ASSERT_TRUE(m->Pause(st->id).ok());
  JobStatus paused = m->Wait(st->id, seconds(10)).value();
  EXPECT_EQ(paused.state, JobState::kPaused);  // after the flush deadline, not never
  EXPECT_EQ(paused.counters.samples_sent, 0u);
  EXPECT_GT(paused.counters.samples_retried, 0u);

  sink_.SetScript(nullptr);  // the receiver is back
  ASSERT_TRUE(m->Resume(st->id).ok());
  JobStatus done = m->Wait(st->id, seconds(30)).value();
  EXPECT_EQ(done.state, JobState::kDone);
  EXPECT_EQ(done.counters.samples_sent, 500u);

  sink_.SetScript([](size_t, const SeenRequest&) { return Reply{.status = 503}; });
  Result<JobStatus> other = m->Submit(spec);
  ASSERT_TRUE(other.ok());
  const size_t seen = sink_.requests().size();
  ASSERT_TRUE(sink_.WaitFor([&](size_t, const auto& r) { return r.size() > seen; }, seconds(10)));
  ASSERT_TRUE(m->Cancel(other->id).ok());
  EXPECT_EQ(m->Wait(other->id, seconds(5)).value().state, JobState::kCancelled);
}

TEST_F(ManagerTest, ResumesAfterRestartWithoutLosingOrReordering) {
  JobSpec spec = Spec(0, 49);
  spec.rate = 300;
  spec.max_samples_per_send = 20;
  std::string id;
  {
    auto m = Open();
    Result<JobStatus> st = m->Submit(spec);
    ASSERT_TRUE(st.ok());
    id = st->id;
    ASSERT_TRUE(sink_.WaitForAccepted(100, seconds(10)));
    m->Stop();  // like a shutdown: progress kept, state running
    EXPECT_EQ(m->Get(id)->state, JobState::kRunning);
  }
  const size_t before = sink_.accepted_samples();
  EXPECT_LT(before, 500u);
  auto m = Open();  // resumes
  JobStatus done = WaitDone(*m, id);
  EXPECT_EQ(done.state, JobState::kDone);
  // The sink stores everything, duplicates included. A request in flight at
  // the stop may have been stored although its sender never saw the answer:
  // it is resent after the restart (a real receiver refuses it; see
  // RequestInFlightAtStopIsResentAlone...). So a series may see some
  // timestamps twice, but nothing new ever arrives before something older.
  auto got = Accepted();
  ASSERT_EQ(got.size(), 10u);
  size_t dups = 0;
  for (const auto& [series, ts] : got) {
    std::set<int64_t> seen;
    int64_t newest = std::numeric_limits<int64_t>::min();
    for (int64_t t : ts) {
      if (t > newest) {
        newest = t;
      } else {
        EXPECT_TRUE(seen.count(t)) << series << ": " << t << " arrived after " << newest;
        ++dups;
      }
      seen.insert(t);
    }
    EXPECT_EQ(seen.size(), 50u) << series;  // nothing missing
  }
  // Only the requests in flight at the stop (one per shard) may arrive twice,
  // and the abandoned attempt is not counted: every sample counts once.
  EXPECT_LE(dups, static_cast<size_t>(spec.shards * spec.max_samples_per_send));
  EXPECT_EQ(done.counters.samples_sent + done.counters.samples_already_delivered, 500u);
}

TEST_F(ManagerTest, RateLimitHoldsAfterTheBurst) {
  auto m = Open();
  JobSpec spec = Spec(0, 49);
  spec.rate = 200;  // burst 200 (one second), then 300 samples at 200/s
  spec.max_samples_per_send = 10;
  auto t0 = std::chrono::steady_clock::now();
  JobStatus done = WaitDone(*m, m->Submit(spec)->id);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(done.counters.samples_sent, 500u);
  EXPECT_GE(secs, 1.3);  // 300 / 200 = 1.5 s, minus one record's worth
}

TEST_F(ManagerTest, RequestInFlightAtStopIsResentAloneAndCountedAsAlreadyDelivered) {
  // The first request hangs; the manager stops (shutdown) with it in flight.
  sink_.SetScript([](size_t i, const SeenRequest&) {
    return i == 0 ? Reply{.status = 204, .delay = seconds(3)} : Reply{};
  });
  JobSpec spec = Spec(0, 49);
  spec.shards = 1;
  spec.max_samples_per_send = 50;
  std::string id;
  {
    auto m = Open();
    Result<JobStatus> st = m->Submit(spec);
    ASSERT_TRUE(st.ok());
    id = st->id;
    ASSERT_TRUE(sink_.WaitFor([](size_t, const auto&) { return true; }, seconds(1)));
    auto until = std::chrono::steady_clock::now() + seconds(10);
    while (m->Get(id)->counters.requests == 0 && std::chrono::steady_clock::now() < until) {
      m->Wait(id, milliseconds(10)).IgnoreError();  // bounded poll for the first attempt
    }
    m->Stop();
  }
  // The receiver stored it after all; it refuses the resend as out of order.
  sink_.SetScript([](size_t i, const SeenRequest&) {
    return i == 1 ? Reply{.status = 400, .body = "out of order sample"} : Reply{};
  });
  auto m = Open();
  JobStatus done = WaitDone(*m, id);
  EXPECT_EQ(done.state, JobState::kDone);
  // The resend (the one answered 400; the hung original is still held by
  // the sink) is exactly the abandoned request: the first 50 samples in WAL
  // order, i.e. scrapes 0..4 of every series, alone.
  const std::vector<SeenRequest> reqs = sink_.requests();
  const SeenRequest* resend = nullptr;
  for (const auto& r : reqs) {
    if (r.status == 400) resend = &r;
  }
  ASSERT_NE(resend, nullptr);
  const SeenRequest first = *resend;
  ASSERT_EQ(first.samples, 50u);
  ASSERT_EQ(first.decoded.series.size(), 10u);
  for (const auto& series : first.decoded.series) {
    ASSERT_EQ(series.samples.size(), 5u);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(series.samples[i].timestamp_ms, kStart + i * 1000);
  }
  EXPECT_EQ(done.counters.samples_already_delivered, 50u);
  EXPECT_EQ(done.counters.samples_rejected, 0u);
  EXPECT_EQ(done.counters.samples_sent + done.counters.samples_already_delivered, 500u);
}

TEST_F(ManagerTest, DryRunCountsAndSendsNothing) {
  auto m = Open();
  JobSpec spec = Spec(5, 14);
  spec.match = R"({series="3"})";
  spec.dry_run = true;
  JobStatus done = WaitDone(*m, m->Submit(spec)->id);
  EXPECT_EQ(done.state, JobState::kDone);
  EXPECT_EQ(done.counters.series_matched, 2u);
  EXPECT_EQ(done.counters.samples_matched, 20u);
  EXPECT_TRUE(sink_.requests().empty());
}

TEST_F(ManagerTest, UnknownRemoteWriteNameIsRefusedAtSubmit) {
  auto m = Open();
  JobSpec spec = Spec(0, 1);
  spec.url = {};
  spec.remote_write_name = "central";
  Result<JobStatus> st = m->Submit(spec);
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(st.status().IsNotFound());
  EXPECT_NE(st.status().message().find("no remote_write section named \"central\""),
            std::string::npos);
}

http::Response Call(const http::Router& r, const std::string& method, const std::string& path,
                    const std::string& body = "") {
  http::Request req;
  req.method = method;
  req.path = path;
  req.body = body;
  return r.Dispatch(req);
}

TEST_F(ManagerTest, AdminApi) {
  http::Router off;
  RegisterAdminRoutes(off, nullptr, false, [] { return kStart; });
  http::Response r = Call(off, "GET", "/api/v1/admin/replay");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(nlohmann::json::parse(r.body)["errorType"], "unavailable");

  auto m = Open();
  http::Router on;
  RegisterAdminRoutes(on, m.get(), true, [] { return kStart + 60'000; });
  r = Call(on, "POST", "/api/v1/admin/replay", R"({"from":"-1m","to":"now","frm":1})");
  EXPECT_EQ(r.status, 400);
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["status"], "error");
  EXPECT_EQ(j["errorType"], "bad_data");
  EXPECT_NE(j["error"].get<std::string>().find("unknown field \"frm\""), std::string::npos);

  r = Call(on, "POST", "/api/v1/admin/replay",
           R"({"from":"-60s","to":"-31s","url":")" + sink_.url() + R"(","skew":"0s"})");
  ASSERT_EQ(r.status, 200) << r.body;
  j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["status"], "success");
  const std::string id = j["data"]["id"];
  EXPECT_EQ(WaitDone(*m, id).counters.samples_sent, 300u);

  r = Call(on, "GET", "/api/v1/admin/replay/" + id);
  ASSERT_EQ(r.status, 200);
  j = nlohmann::json::parse(r.body)["data"];
  EXPECT_EQ(j["state"], "done");
  EXPECT_EQ(j["samples_sent"], 300);
  EXPECT_EQ(j["progress"], 1.0);

  r = Call(on, "GET", "/api/v1/admin/replay");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(nlohmann::json::parse(r.body)["data"].size(), 1u);

  EXPECT_EQ(Call(on, "GET", "/api/v1/admin/replay/nope").status, 404);
  EXPECT_EQ(Call(on, "POST", "/api/v1/admin/replay/nope/pause").status, 404);
  r = Call(on, "DELETE", "/api/v1/admin/replay/" + id);  // already done
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(nlohmann::json::parse(r.body)["errorType"], "conflict");

  // Metrics: one labelled series per job and family.
  auto families = m->collector()->Collect();
  bool saw_sent = false;
  for (const auto& f : families) {
    if (f.name == "ferry_replay_samples_sent_total") {
      ASSERT_EQ(f.metric.size(), 1u);
      EXPECT_EQ(f.metric[0].label[0].value, id);
      EXPECT_EQ(f.metric[0].counter.value, 300);
      saw_sent = true;
    }
  }
  EXPECT_TRUE(saw_sent);
}

}  // namespace
}  // namespace ferry::replay
