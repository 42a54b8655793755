// Harness for the remote-write 1.0 sender compliance cases
// (github.com/prometheus/compliance, remotewrite/sender): one HTTP server on
// 127.0.0.1 serves the scrape target (/metrics) and the remote-write receiver
// (/push); the real ferry binary is started on a generated prometheus.yml
// that scrapes the first and writes to the second, runs until the case's stop
// condition holds on what the receiver accepted (or a bounded timeout), and is
// stopped with SIGINT. The case then checks what the receiver got.
//
// The receiver is strict: a body that is not snappy block format or not a
// valid prometheus.WriteRequest (see src/remote/decode.h: sorted, unique,
// non-empty label names and values) is answered 400 and recorded as a
// receiver error, which every case asserts is empty.
//
// Thread-safety: RunCase() is called from the test's main thread; the
// callbacks in CaseSpec are called from the server's worker threads and must
// be thread-safe themselves.
#pragma once

#include <httplib.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "src/labels/labels.h"

namespace ferry::compliance {

struct ReceivedSample {
  labels::Labels labels;
  int64_t timestamp_ms = 0;
  double value = 0;
};
// The samples of one accepted remote-write request, in request order.
using Batch = std::vector<ReceivedSample>;

// Headers of one remote-write request, accepted or not.
struct PushHeaders {
  std::string content_encoding;
  std::string content_type;
  std::string version;
  std::string user_agent;
};

struct CaseSpec {
  // Writes the /metrics answer to the n-th scrape (n starts at 1). Required.
  std::function<void(int64_t n, httplib::Response& res)> metrics;
  // Optional: called with each decoded request before it is stored; returns
  // the HTTP status to answer. Only 2xx answers are stored. Default: 204.
  std::function<int(const Batch& batch)> intercept;
  // Stop condition over the accepted batches, checked after each accepted
  // request. Required.
  std::function<bool(const std::vector<Batch>& batches)> done;
  // Upper bound on the wait for "done".
  std::chrono::seconds timeout{30};
};

struct CaseResult {
  std::vector<Batch> batches;               // accepted requests, in arrival order
  std::vector<PushHeaders> headers;         // every request, in arrival order
  std::vector<std::string> receiver_errors; // undecodable requests
  bool done = false;                        // "done" held before the timeout
  std::optional<int> exit_code;             // nullopt: no exit within 30 s of SIGINT
  std::string target;                       // scrape target, "127.0.0.1:<port>"
  int64_t scrapes = 0;
  int64_t start_ms = 0;                     // wall clock before ferry started
  int64_t end_ms = 0;                       // wall clock after ferry exited
  std::string ferry_stderr;
};

// Runs one case end to end (see the file comment). Never throws; problems
// with the harness itself (ferry not starting, ...) show as done == false
// with ferry's stderr in the result.
CaseResult RunCase(const CaseSpec& spec);

// The samples whose labels contain every label of "subset" (the suite's
// labelsContain: a subset match).
std::vector<ReceivedSample> Matching(const std::vector<Batch>& batches,
                                     const labels::Labels& subset);

// Wall clock in milliseconds since the Unix epoch.
int64_t NowMs();

}  // namespace ferry::compliance
