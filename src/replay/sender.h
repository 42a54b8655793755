// Sender: one of a replay job's shards. The job's reader hands it the
// samples of the series hashed to it (ship::ShardOf), in WAL order; it cuts
// them into requests of at most max_samples_per_send and keeps exactly one
// request in flight, so a series' samples reach the receiver in order.
//
// Crash safety is the shipper's (docs/shipping.md, "Crash safety"): the
// sender writes its ShardState (mark + answer counters) to the WAL's meta
// before each POST (sent_end = just after the request's last sample) and
// after the answer (acked = sent_end). A sender created with sent_end >
// acked first sends exactly the samples of [acked, sent_end) as one request
// of their own, and counts a 400 "out of order"/"duplicate" answer to it as
// already delivered, not rejected.
//
// Answers: 2xx counts sent (minus an RW 2.0 written-header shortfall, which
// counts rejected); network errors, 5xx and 429 are retried with
// ship::Backoff between the endpoint's min_backoff and max_backoff, honouring
// Retry-After; any other status counts the request's samples rejected and
// the job goes on.
//
// Thread-safety: Enqueue/SetHorizon/Finish/Abort/LowWater/counters() are
// called by the reader thread (or any thread); the sender's own thread
// sends. Internally synchronised.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "src/base/clock.h"
#include "src/base/mutex.h"
#include "src/httpclient/client.h"
#include "src/httpclient/client_config.h"
#include "src/labels/labels.h"
#include "src/remote/encoded_labels.h"
#include "src/remote/types.h"
#include "src/remote/write_request_v1.h"
#include "src/remote/write_request_v2.h"
#include "src/replay/store.h"
#include "src/ship/backoff.h"
#include "src/ship/endpoint.h"
#include "src/ship/series_cache.h"
#include "wal/wal.h"

namespace ferry::replay {

struct QueuedSample {
  wal::SeriesRef ref;
  int64_t timestamp_ms;
  double value;
  ship::Position pos;
};

// What senders of one job share. All references outlive the senders.
struct SenderContext {
  wal::Wal& wal;
  httpclient::Client& client;
  std::shared_ptr<const ship::Endpoint> endpoint;
  httpclient::ClientOptionsSource& client_options;
  const Clock& clock;
  std::string job_id;
  size_t max_per_send;
  std::function<ship::UniformRng()> rng_factory;
  // Set on cancel/shutdown: abandon the request in flight and any wait.
  std::atomic<bool> hard_stop{false};
  // Set on any stop: Enqueue() gives up instead of waiting for room.
  std::atomic<bool> stop_reading{false};
  // Latest non-2xx answer or network error, for the job's status.
  Mutex error_mu;
  std::string last_error FERRY_GUARDED_BY(error_mu);
};

class Sender {
 public:
  // Starts the sending thread with the persisted "state" (default state for
  // a new job). "ctx" must outlive the Sender.
  Sender(SenderContext& ctx, int index, ShardState state);
  ~Sender();  // Abort() + join
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;

  // Samples before this position were answered by an earlier run: the
  // reader skips them.
  ship::Position skip_before() const { return initial_acked_; }

  // Appends "samples", waiting for room (capacity 4 * max_per_send).
  // Returns false, possibly after appending a part, once the job is
  // stopping (ctx.stop_reading).
  bool Enqueue(std::span<const QueuedSample> samples);
  // The reader has handed out every sample before "p".
  void SetHorizon(ship::Position p);
  // Sends everything queued, then the thread exits. Join() waits for it.
  void Finish();
  void Join();

  // The position of the oldest sample handed to this sender and not yet
  // answered, or "horizon" when there is none.
  ship::Position LowWater(ship::Position horizon) const;
  JobCounters counters() const;
  size_t pending() const;

 private:
  struct Batch {
    std::vector<QueuedSample> samples;
    ship::Position end;
    bool resend = false;
  };
  void Run();
  bool TakeLocked(Batch* b) FERRY_REQUIRES(mu_);
  // False when abandoned (hard stop).
  bool Send(Batch& b);
  void Persist();
  // The samples encoded into "body" ("*dropped": the rest), or the error
  // that stopped it reading a series' labels: then it is built again later.
  Result<size_t> Build(const std::vector<QueuedSample>& samples, std::string* body,
                       size_t* dropped);
  // The labels series "ref" is sent with, encoded once and cached; nullptr
  // when its samples are dropped (unknown, relabeled away or refused); an
  // error (nothing cached) when its labels cannot be read now.
  Result<const ship::SeriesCache::Entry*> Resolve(wal::SeriesRef ref);
  bool WaitInterruptibly(std::chrono::milliseconds d);

  SenderContext& ctx_;
  const int index_;
  const size_t capacity_;
  const ship::Position initial_acked_;

  mutable Mutex mu_;
  CondVar cv_;
  std::deque<QueuedSample> queue_ FERRY_GUARDED_BY(mu_);
  std::chrono::steady_clock::time_point first_enqueued_ FERRY_GUARDED_BY(mu_);
  ship::Position horizon_ FERRY_GUARDED_BY(mu_);
  bool finish_ FERRY_GUARDED_BY(mu_) = false;
  bool resend_pending_ FERRY_GUARDED_BY(mu_) = false;
  uint64_t signals_ FERRY_GUARDED_BY(mu_) = 0;  // bumped by every wake-up reason
  ShardState state_ FERRY_GUARDED_BY(mu_);
  // Position of the first sample of the request in flight (valid while
  // in_flight_).
  bool in_flight_ FERRY_GUARDED_BY(mu_) = false;
  ship::Position in_flight_first_ FERRY_GUARDED_BY(mu_);
  size_t in_flight_samples_ FERRY_GUARDED_BY(mu_) = 0;

  // Sender-thread state.
  // Series cache: the labels each series is sent with, encoded once, or
  // why its samples are dropped (the shards' cache, src/ship/series_cache.h).
  ship::SeriesCache cache_;
  std::vector<std::pair<wal::SeriesRef, uint32_t>> order_;
  std::vector<remote::Sample> run_;
  remote::WriteRequestBuilder v1_;
  remote::WriteRequestV2Builder v2_;
  labels::LabelsBuilder lb_;
  std::string labels_;  // a series' label bytes, assembled from the cache
  std::string body_;
  ship::Backoff backoff_;
  std::thread thread_;
};

}  // namespace ferry::replay
