// Shard: one of an endpoint's N senders. Holds a bounded queue of samples
// (series hashed to this shard, in WAL order), cuts it into requests of at
// most max_samples_per_send or after batch_send_deadline, and keeps exactly
// one request in flight, so samples of a series reach the receiver in order.
//
// Before each POST the shard writes its ShardMark (acked, sent_end) to the
// WAL's meta; after the answer it advances `acked`, reports the request's
// records to the AckTracker and writes the mark again. A shard created with
// a mark whose sent_end > acked (a request was in flight at a crash or an
// abandoned stop) first resends exactly the samples of [acked, sent_end)
// (split only if they no longer fit one request), never mixed with newer
// samples: docs/shipping.md "Crash safety" gives the argument.
//
// Thread-safety: Enqueue/SetHorizon/RequestFlush/Idle are called by the
// reader thread; the shard's own thread sends. Internally synchronised.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "src/base/mutex.h"
#include "src/labels/labels.h"
#include "src/remote/encoded_labels.h"
#include "src/remote/write_request_v1.h"
#include "src/remote/write_request_v2.h"
#include "src/ship/position.h"
#include "src/ship/sample_queue.h"
#include "src/ship/series_cache.h"
#include "src/ship/shipper_context.h"

namespace ferry::ship {

struct QueuedSample {
  wal::SeriesRef ref;
  int64_t timestamp_ms;
  double value;
  Position pos;
};

class Shard {
 public:
  // "ctx" must outlive the Shard. Starts the sending thread. "cache": series
  // already resolved for this shard (handed over by the shards a reshard
  // replaced), so they are not looked up and encoded again.
  Shard(ShipperContext& ctx, int index, ShardMark mark, SeriesCache cache = {});
  // Joins the thread. REQUIRES: Stop() called, or the shard idle.
  ~Shard();
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  // Appends as many of "samples" as fit; returns how many. 0 when full
  // (the caller waits on ctx.idle_cv, which the shard signals when it frees
  // room) or stopping.
  size_t Enqueue(std::span<const QueuedSample> samples);

  // The reader has handed out every sample before "p" (completes a resend
  // of an in-flight range).
  void SetHorizon(Position p);

  // Send whatever is queued now, ignoring batch_send_deadline, until
  // CancelFlush(). Used by drain (reshard) and Stop().
  void RequestFlush();
  void CancelFlush();
  // Moves the series cache out. REQUIRES: Join() returned.
  SeriesCache TakeCache() { return std::move(cache_); }
  // Series in the cache. REQUIRES: Join() returned.
  size_t CachedSeries() const { return cache_.size(); }

  // Tells the thread to exit once idle (after RequestFlush) or at once
  // when ctx.hard_stop is set; Join() waits for it.
  void Stop();
  void Join();

  // Nothing queued and nothing in flight.
  bool Idle() const;
  size_t pending() const;
  // True while the resend of an in-flight range from before a restart is
  // not settled (resharding waits for it).
  bool replaying() const;

 private:
  struct Batch {
    std::vector<QueuedSample> samples;
    bool replay = false;
    Position end;
  };
  void Run();
  bool ReplaySettledLocked() const FERRY_REQUIRES(mu_);
  bool ReadyLocked(std::chrono::steady_clock::time_point now) const FERRY_REQUIRES(mu_);
  void TakeLocked(Batch* b) FERRY_REQUIRES(mu_);
  void Send(Batch& b);
  void PersistMark(const ShardMark& mark);
  // Builds the compressed request body from "b", dropping samples of
  // dropped/unknown/too-old series (counted, and removed from "b"). Returns
  // the samples encoded, or the error that stopped it reading a series'
  // labels (see ResolveSeries): then "b" is to be built again later.
  Result<size_t> Build(Batch& b, std::string* body, int64_t* highest_ts);
  // The labels series "ref" is sent with, encoded once and cached; nullptr
  // with "*drop_reason" set when its samples are dropped instead; an error
  // (nothing cached) when its labels cannot be read now.
  Result<const remote::EncodedLabels*> Resolve(wal::SeriesRef ref, std::string_view* drop_reason);
  void Report(const std::string& err, bool log_now);

  ShipperContext& ctx_;
  const int index_;
  const size_t max_per_send_;
  const size_t capacity_;

  mutable Mutex mu_;
  CondVar cv_;
  SampleQueue<QueuedSample> queue_ FERRY_GUARDED_BY(mu_);
  std::chrono::steady_clock::time_point first_enqueued_ FERRY_GUARDED_BY(mu_);
  bool flush_ FERRY_GUARDED_BY(mu_) = false;
  bool stop_ FERRY_GUARDED_BY(mu_) = false;
  bool in_flight_ FERRY_GUARDED_BY(mu_) = false;
  Position horizon_ FERRY_GUARDED_BY(mu_);
  ShardMark mark_ FERRY_GUARDED_BY(mu_);
  bool replay_ FERRY_GUARDED_BY(mu_) = false;
  size_t in_flight_samples_ FERRY_GUARDED_BY(mu_) = 0;
  uint64_t signals_ FERRY_GUARDED_BY(mu_) = 0;  // bumped by every wake-up reason

  // Sender-thread state.
  //
  // Series cache: the labels each series is sent with (after external
  // labels and write_relabel_configs), validated and encoded once. An entry
  // is a 24-byte slot plus one block of the label set's wire bytes; a
  // dropped series holds no block. Messages of series the encoder refused
  // (rare: the WAL and relabeling already forbid what it refuses) are kept
  // apart so entries stay small, and are reported with every request that
  // drops their samples, as before.
  using Drop = SeriesCache::Drop;
  SeriesCache cache_;
  std::unordered_map<wal::SeriesRef, std::string> refused_;  // kInvalidSeries messages
  std::vector<std::pair<wal::SeriesRef, uint32_t>> order_;
  std::vector<bool> dropped_;
  std::vector<remote::Sample> run_;
  remote::WriteRequestBuilder v1_;
  remote::WriteRequestV2Builder v2_;
  labels::LabelsBuilder lb_;
  std::string body_;
  Backoff backoff_;

  std::thread thread_;
};

}  // namespace ferry::ship
