// Shard: one of an endpoint's N senders. Holds a bounded queue of samples
// (series hashed to this shard, in WAL order) and sends it a window at a
// time: a window is what was queued when it became due (a full request's
// worth, batch_send_deadline, or flush). Its samples are ordered by (series,
// position) and cut into requests ("chunks") of at most
// max_samples_per_send, at series boundaries (a series with more samples
// than that is split into consecutive chunks). Up to "parallel" chunks are
// in flight at once: they hold different series, and a chunk that goes on
// with a split series waits for the one before it. The next window starts
// when the last chunk is answered, so samples of a series reach the
// receiver in order.
//
// Catch-up packing: while the reader is behind the WAL
// (ShipperContext::catching_up), a window waits for up to "window" samples,
// so a request carries several samples of each series and the receiver
// parses each label set once for all of them (docs/shipping.md, "Catch-up
// packing").
//
// Before each POST the shard writes its ShardMark (acked, sent_end,
// chunks_acked, chunks_sent) to the WAL's meta; after the window's last
// answer it advances `acked`, reports the window's records to the
// AckTracker and writes the mark again. A shard created with a mark whose
// sent_end > acked (a window was in flight at a crash or an abandoned stop)
// first collects exactly the samples of [acked, sent_end), cuts the same
// chunks, skips the acknowledged ones, resends those that may have been in
// flight one at a time, then sends the rest, never mixed with newer
// samples: docs/shipping.md "Crash safety" gives the argument.
//
// Thread-safety: Enqueue/SetHorizon/RequestFlush/Idle are called by the
// reader thread; the shard's own thread sends. Internally synchronised.
#pragma once

#include <cstdint>
#include <optional>
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

// Sorts a window by (ref, position), the order its chunks are cut in.
// Linear when the window is a few ascending runs, as in steady scraping.
void SortWindow(std::vector<QueuedSample>& window);

class Shard {
 public:
  // "ctx" must outlive the Shard. Starts the sending thread. "window": the
  // samples a window gathers while catching up (at least
  // max_samples_per_send). "parallel": chunks in flight at once (at least
  // 1). "cache": series already resolved for this shard (handed over by the
  // shards a reshard replaced), so they are not looked up and encoded again.
  Shard(ShipperContext& ctx, int index, ShardMark mark, size_t window, size_t parallel,
        SeriesCache cache = {});
  // Joins the thread. REQUIRES: Stop() called, or the shard idle.
  ~Shard();
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  // Appends as many of "samples" as fit; returns how many. 0 when full
  // (the caller waits on ctx.idle_cv, which the shard signals when it frees
  // room) or stopping. Samples of the range a restart resends always fit.
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

  // Nothing queued and nothing in flight, or the thread has exited.
  bool Idle() const;
  size_t pending() const;
  // True while the resend of an in-flight range from before a restart is
  // not settled (resharding waits for it).
  bool replaying() const;

 private:
  struct Batch {  // one request
    std::vector<QueuedSample> samples;
  };
  void Run();
  bool ReplaySettledLocked() const FERRY_REQUIRES(mu_);
  bool ReplayCompleteLocked() const FERRY_REQUIRES(mu_);
  bool ReadyLocked(std::chrono::steady_clock::time_point now) const FERRY_REQUIRES(mu_);
  size_t LimitLocked() const FERRY_REQUIRES(mu_);
  void TakeWindowLocked() FERRY_REQUIRES(mu_);
  // Sends window_ chunk by chunk and acknowledges it; false when abandoned
  // (hard stop), the mark then keeps the chunks in flight.
  bool SendWindow();
  // Cuts the sorted window_ into chunks_.
  void PlanChunks();
  // Sends chunks [from, to) with at most "parallel" in flight, each until
  // answered or dropped; "resend": each may have reached the receiver
  // before. False when abandoned.
  bool SendChunks(size_t from, size_t to, size_t parallel, bool resend);
  enum class Outcome { kDelivered, kRetry, kDropped };
  // What "resp" means for a request of "sent" samples (metrics and reports
  // included); sets "*maybe_delivered" and "*retry_after" for a retry.
  Outcome Judge(const httpclient::Response& resp, size_t sent, int64_t highest,
                bool* maybe_delivered, std::optional<std::chrono::milliseconds>* retry_after);
  void PersistMark(const ShardMark& mark);
  // Builds the compressed request body from "b" (a chunk: each series'
  // samples together, in WAL order), dropping samples of
  // dropped/unknown/too-old series (counted, and removed from "b"). Returns
  // the samples encoded, or the error that stopped it reading a series'
  // labels (see ResolveSeries): then "b" is to be built again later.
  Result<size_t> Build(Batch& b, std::string* body, int64_t* highest_ts);
  // The labels series "ref" is sent with, encoded once and cached; nullptr
  // with "*drop_reason" set when its samples are dropped instead; an error
  // (nothing cached) when its labels cannot be read now.
  Result<const SeriesCache::Entry*> Resolve(wal::SeriesRef ref, std::string_view* drop_reason);
  void Report(const std::string& err, bool log_now);

  ShipperContext& ctx_;
  const int index_;
  const size_t max_per_send_;
  const size_t capacity_;
  const size_t window_max_;  // while catching up
  const size_t parallel_;

  mutable Mutex mu_;
  CondVar cv_;
  SampleQueue<QueuedSample> queue_ FERRY_GUARDED_BY(mu_);
  std::chrono::steady_clock::time_point first_enqueued_ FERRY_GUARDED_BY(mu_);
  bool flush_ FERRY_GUARDED_BY(mu_) = false;
  bool stop_ FERRY_GUARDED_BY(mu_) = false;
  bool in_flight_ FERRY_GUARDED_BY(mu_) = false;
  bool exited_ FERRY_GUARDED_BY(mu_) = false;
  Position horizon_ FERRY_GUARDED_BY(mu_);
  ShardMark mark_ FERRY_GUARDED_BY(mu_);
  bool replay_ FERRY_GUARDED_BY(mu_) = false;
  size_t in_flight_samples_ FERRY_GUARDED_BY(mu_) = 0;
  uint64_t signals_ FERRY_GUARDED_BY(mu_) = 0;  // bumped by every wake-up reason

  // Sender-thread state.
  //
  // The window being sent, ordered by (series ref, position) once taken;
  // the records it covers (for the AckTracker); its mark (acked = where it
  // starts, sent_end = where it ends, chunks_acked = the first chunk to
  // send); whether it is the resend of a range from before a restart.
  std::vector<QueuedSample> window_;
  std::vector<SeqRun> window_runs_;
  ShardMark window_mark_;
  bool window_replay_ = false;
  struct Chunk {
    size_t begin = 0;  // [begin, end) of window_
    size_t end = 0;
    bool continues = false;  // its first series began in the chunk before
  };
  std::vector<Chunk> chunks_;
  //
  // Series cache: the labels each series is sent with (after external
  // labels and write_relabel_configs), validated and encoded once. An entry
  // is a 32-byte slot holding ids of its labels' wire bytes, each stored
  // once in the cache's label pool; a dropped series holds no ids. Messages
  // of series the encoder refused (rare: the WAL and relabeling already
  // forbid what it refuses) are kept apart so entries stay small, and are
  // reported with every request that drops their samples, as before.
  using Drop = SeriesCache::Drop;
  SeriesCache cache_;
  std::unordered_map<wal::SeriesRef, std::string> refused_;  // kInvalidSeries messages
  std::vector<bool> dropped_;
  std::vector<remote::Sample> run_;
  remote::WriteRequestBuilder v1_;
  remote::WriteRequestV2Builder v2_;
  labels::LabelsBuilder lb_;
  std::string body_;
  std::string labels_;  // a series' label bytes, assembled from the cache (RW 2.0)
  std::vector<std::string_view> pieces_;  // a series' label pieces in the cache (RW 1.0)
  Backoff backoff_;

  std::thread thread_;
};

}  // namespace ferry::ship
