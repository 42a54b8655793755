// Helpers shared by the remote-write sender compliance cases: exposition
// bodies, stop conditions, and the checks every case makes. Header-only, for
// the compliance test binary; not thread-safe unless stated.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "tests/compliance/rw_sender_harness.h"

namespace ferry::compliance {

inline constexpr const char* kTextFormat = "text/plain; version=0.0.4; charset=utf-8";

// Serves the same exposition body to every scrape.
inline std::function<void(int64_t, httplib::Response&)> Static(std::string body) {
  return [body](int64_t, httplib::Response& res) { res.set_content(body, kTextFormat); };
}

// The suite's `now` gauge: the current Unix time in seconds, times 1000.
inline void NowGauge(int64_t, httplib::Response& res) {
  res.set_content("# HELP now The time.\n# TYPE now gauge\nnow " +
                      std::to_string(NowMs() / 1000 * 1000) + "\n",
                  kTextFormat);
}
// A constant gauge{} 42 (the suite's GaugeFunc returning 42).
inline const auto kGauge42 = Static("# HELP gauge A gauge.\n# TYPE gauge gauge\ngauge 42\n");

// Stop condition: at least "n" samples match "subset".
inline std::function<bool(const std::vector<Batch>&)> AtLeast(labels::Labels subset, size_t n) {
  return [subset, n](const std::vector<Batch>& b) { return Matching(b, subset).size() >= n; };
}

inline std::string Tail(const std::string& s) {
  return s.size() <= 3000 ? s : "..." + s.substr(s.size() - 3000);
}

// What every case asserts: the stop condition was reached, ferry exited 0
// on SIGINT, and every request was a valid snappy WriteRequest.
inline void ExpectCleanRun(const CaseResult& r) {
  EXPECT_TRUE(r.done) << "the case's condition was not met in time; " << r.scrapes
                      << " scrapes, " << r.batches.size() << " accepted requests; ferry stderr:\n"
                      << Tail(r.ferry_stderr);
  ASSERT_TRUE(r.exit_code.has_value()) << "ferry did not exit within 30 s of SIGINT";
  EXPECT_EQ(*r.exit_code, 0) << "ferry's exit code after SIGINT; stderr:\n" << Tail(r.ferry_stderr);
  for (const auto& e : r.receiver_errors) ADD_FAILURE() << "receiver: " << e;
}

// countMetricWithValue: how many samples match "subset", each of which
// must have exactly "value".
inline size_t CountWithValue(const CaseResult& r, const labels::Labels& subset, double value) {
  auto m = Matching(r.batches, subset);
  for (const auto& s : m) {
    EXPECT_EQ(s.value, value) << s.labels.ToString() << " @" << s.timestamp_ms;
  }
  return m.size();
}

}  // namespace ferry::compliance
