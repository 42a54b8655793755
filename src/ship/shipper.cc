#include "src/ship/shipper.h"

#include <algorithm>
#include <charconv>

#include "src/base/log.h"
#include "src/base/thread_name.h"
#include "src/ship/sharding.h"

namespace ferry::ship {

namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr std::string_view kComponent = "remote";
constexpr milliseconds kReaderWait{100};
constexpr milliseconds kReaderErrorWait{1000};
constexpr size_t kMaxChunksInFlight = 4;

}  // namespace

Result<std::unique_ptr<Shipper>> Shipper::Start(wal::Wal& wal, httpclient::Client& client,
                                                ShipMetrics& families,
                                                std::shared_ptr<const Endpoint> endpoint,
                                                const ShipperOptions& options) {
  const std::string cursor_name = endpoint->CursorName();
  const std::string prefix = MetaPrefix(endpoint->identity);
  uint64_t cursor = 0;
  Result<wal::Cursor> c = wal.GetCursor(cursor_name);
  if (c.ok()) {
    cursor = c->next_sequence;
  } else if (c.status().IsNotFound()) {
    // A new endpoint gets everything retained, and its cursor protects that
    // from retention from now on.
    cursor = wal.FirstSequence();
    FERRY_RETURN_IF_ERROR(wal.CommitCursor(cursor_name, cursor));
  } else {
    return c.status().WithContext("reading cursor " + cursor_name);
  }
  // Shard marks of the previous run (docs/shipping.md, "Crash safety").
  int shards = static_cast<int>(endpoint->config.queue_config.min_shards);
  std::vector<ShardMark> marks;
  Result<std::string> count = wal.GetMeta(prefix, kShardCountKey);
  if (count.ok()) {
    int n = 0;
    auto [p, ec] = std::from_chars(count->data(), count->data() + count->size(), n);
    if (ec != std::errc() || p != count->data() + count->size() || n < 1 || n > 100000) {
      // Degraded, not fatal: ship from the cursor with fresh batching. A
      // resend may then be refused (counted as http_400), but the endpoint
      // keeps shipping instead of stopping for good.
      log::Error(kComponent, "unreadable shard count, resending from the cursor",
                 {{"remote_name", endpoint->identity}, {"value", *count}});
      n = shards;
      for (int k = 0; k < n; ++k) {
        FERRY_RETURN_IF_ERROR(wal.PutMeta(prefix, ShardKey(k),
                                          EncodeShardMark({{cursor, 0}, {cursor, 0}})));
      }
      FERRY_RETURN_IF_ERROR(wal.PutMeta(prefix, kShardCountKey, std::to_string(n)));
    }
    shards = n;
    for (int k = 0; k < n; ++k) {
      ShardMark m{{cursor, 0}, {cursor, 0}};
      Result<std::string> v = wal.GetMeta(prefix, ShardKey(k));
      if (v.ok() && !DecodeShardMark(*v, &m)) {
        log::Error(kComponent, "unreadable shard mark, resending that shard from the cursor",
                   {{"remote_name", endpoint->identity}, {"shard", k}});
        m = ShardMark{{cursor, 0}, {cursor, 0}};
      } else if (!v.ok() && !v.status().IsNotFound()) {
        return v.status().WithContext("reading " + prefix + "/" + ShardKey(k));
      }
      // Everything before the cursor is acknowledged by every shard.
      Position floor{cursor, 0};
      if (m.acked < floor) {
        // Not the window that was cut into chunks any more: any chunk of
        // what is left may have been sent, so each is resent alone.
        m.acked = floor;
        m.chunks_acked = 0;
        m.chunks_sent = UINT32_MAX;
      }
      if (!(m.acked < m.sent_end)) m = ShardMark{m.acked, m.acked};
      marks.push_back(m);
    }
  } else if (count.status().IsNotFound()) {
    marks.assign(shards, ShardMark{{cursor, 0}, {cursor, 0}});
    for (int k = 0; k < shards; ++k) {
      FERRY_RETURN_IF_ERROR(wal.PutMeta(prefix, ShardKey(k), EncodeShardMark(marks[k])));
    }
    FERRY_RETURN_IF_ERROR(wal.PutMeta(prefix, kShardCountKey, std::to_string(shards)));
  } else {
    return count.status().WithContext("reading " + prefix);
  }
  std::unique_ptr<Shipper> s(
      new Shipper(wal, client, families, std::move(endpoint), options, cursor));
  s->StartShards(shards, marks);
  s->reader_ = std::thread([p = s.get()] {
    SetThreadName("ship-reader");
    p->ReaderLoop();
  });
  if (options.metadata_source && SendsMetadata(*s->endpoint_)) {
    s->metadata_ = std::make_unique<MetadataSender>(client, families, s->endpoint_,
                                                    options.metadata_source, s->clock_,
                                                    s->ctx_.rng_factory());
  }
  return s;
}

Shipper::Shipper(wal::Wal& wal, httpclient::Client& client, ShipMetrics& families,
                 std::shared_ptr<const Endpoint> endpoint, const ShipperOptions& options,
                 uint64_t cursor)
    : wal_(wal),
      endpoint_(std::move(endpoint)),
      options_(options),
      clock_(options.clock != nullptr ? *options.clock : RealClock()),
      client_options_(endpoint_->config.http),
      metrics_(families, endpoint_->identity, endpoint_->config.url),
      tracker_(cursor),
      ctx_(wal, client, endpoint_, client_options_, metrics_, tracker_, clock_,
           options.rng_factory ? options.rng_factory : std::function<UniformRng()>(DefaultRng),
           MetaPrefix(endpoint_->identity)),
      cursor_name_(endpoint_->CursorName()) {
  committed_ = cursor;
  last_committed_ = cursor;
  metrics_.shards_min.Set(static_cast<double>(endpoint_->config.queue_config.min_shards));
  metrics_.shards_max.Set(static_cast<double>(endpoint_->config.queue_config.max_shards));
  last_tick_ = last_reshard_check_ = clock_.MonotonicNow();
  rates_.at = last_tick_;
  rates_.appended = wal_.GetStats().next_sample;
}

Shipper::~Shipper() { Stop(); }

void Shipper::StartShards(int n, const std::vector<ShardMark>& marks,
                          std::vector<SeriesCache> caches) {
  shards_.clear();
  skip_before_.clear();
  replay_end_.clear();
  // Requests in flight per shard: the shards' share of max_shards (the
  // endpoint's bound on concurrent requests), at most kMaxChunksInFlight.
  const size_t parallel = std::clamp<size_t>(
      static_cast<size_t>(endpoint_->config.queue_config.max_shards) / static_cast<size_t>(n), 1,
      kMaxChunksInFlight);
  for (int k = 0; k < n; ++k) {
    shards_.push_back(std::make_unique<Shard>(
        ctx_, k, marks[k], options_.catch_up_window / static_cast<size_t>(n), parallel,
        k < static_cast<int>(caches.size()) ? std::move(caches[k]) : SeriesCache()));
    skip_before_.push_back(marks[k].acked);
    replay_end_.push_back(marks[k].sent_end);
  }
  scratch_.assign(n, {});
  shard_count_ = n;
  desired_shards_ = n;
  metrics_.shards.Set(n);
  metrics_.shards_desired.Set(n);
}

void Shipper::ReaderLoop() {
  std::unique_ptr<wal::Reader> reader;
  wal::Record rec;
  uint64_t position = tracker_.CommittableSequence();
  auto pause = [this](milliseconds d) {
    MutexLock l(ctx_.idle_mu);
    ctx_.idle_cv.WaitFor(ctx_.idle_mu, d, [this] { return stop_reader_.load(); });
  };
  while (!stop_reader_.load()) {
    if (reader == nullptr) {
      Result<std::unique_ptr<wal::Reader>> r = wal_.NewReader(position);
      if (!r.ok()) {
        log::Error(kComponent, "cannot read the wal",
                   {{"remote_name", endpoint_->identity}, {"err", r.status().ToString()}});
        pause(kReaderErrorWait);
        continue;
      }
      reader = std::move(r).value();
    }
    Result<bool> got = reader->Next(rec);
    if (!got.ok()) {
      log::Error(kComponent, "wal read failed",
                 {{"remote_name", endpoint_->identity}, {"err", got.status().ToString()}});
      reader.reset();
      pause(kReaderErrorWait);
      continue;
    }
    if (!*got) {
      ctx_.catching_up.store(false, std::memory_order_relaxed);
      position = reader->position();
      tracker_.SetReaderPosition(position);
      for (auto& shard : shards_) shard->SetHorizon({position, 0});
      MaybeTick(true);
      wal_.WaitForNewer(position > 0 ? position - 1 : 0, kReaderWait);
      continue;
    }
    if (!Dispatch(rec)) break;
    position = rec.sequence + 1;
    MaybeTick(false);
  }
}

bool Shipper::Dispatch(const wal::Record& rec) {
  const int n = static_cast<int>(shards_.size());
  const config::QueueConfig& q = endpoint_->config.queue_config;
  int64_t min_ts = INT64_MIN;
  if (q.sample_age_limit.count() > 0) min_ts = clock_.NowMillis() - q.sample_age_limit.count();
  for (auto& v : scratch_) v.clear();
  uint64_t kept = 0, too_old = 0;
  for (size_t i = 0; i < rec.size(); ++i) {
    int k = ShardOf(rec.refs[i], n);
    Position pos{rec.sequence, static_cast<uint32_t>(i)};
    if (pos < skip_before_[k]) continue;  // acknowledged before a restart
    if (rec.timestamps[i] < min_ts) {
      ++too_old;
      continue;
    }
    scratch_[k].push_back({rec.refs[i], rec.timestamps[i], rec.values[i], pos});
    ++kept;
  }
  if (too_old > 0) {
    metrics_.Dropped(kReasonTooOld, static_cast<double>(too_old));
    ctx_.samples_dropped.fetch_add(too_old, std::memory_order_relaxed);
  }
  consumed_samples_ = rec.first_sample + rec.size();
  last_append_ms_ = rec.append_ms;
  ctx_.catching_up.store(clock_.NowMillis() - rec.append_ms > kCatchUpAge.count(),
                         std::memory_order_relaxed);
  highest_ts_ = std::max(highest_ts_, rec.max_timestamp);
  tracker_.AddRecord(rec.sequence, rec.first_sample, rec.append_ms, kept);
  ctx_.samples_in.fetch_add(kept, std::memory_order_relaxed);
  for (int k = 0; k < n; ++k) {
    if (!scratch_[k].empty() && !EnqueueAll(*shards_[k], scratch_[k])) return false;
  }
  Position horizon{rec.sequence + 1, 0};
  for (int k = 0; k < n; ++k) {
    if (replay_end_[k] > Position{rec.sequence, 0}) shards_[k]->SetHorizon(horizon);
  }
  return true;
}

bool Shipper::EnqueueAll(Shard& shard, std::span<const QueuedSample> samples) {
  while (!samples.empty()) {
    size_t n = shard.Enqueue(samples);
    samples = samples.subspan(n);
    if (samples.empty()) break;
    if (stop_reader_.load()) return false;
    metrics_.enqueue_retries_total.Increment();
    uint64_t seen = ctx_.idle_gen.load();
    MutexLock l(ctx_.idle_mu);
    ctx_.idle_cv.WaitFor(ctx_.idle_mu, kReaderWait, [&] {
      return ctx_.idle_gen.load() != seen || stop_reader_.load();
    });
  }
  return true;
}

void Shipper::StopShards(steady_clock::time_point deadline) {
  for (auto& s : shards_) s->Stop();
  for (;;) {
    bool idle = std::all_of(shards_.begin(), shards_.end(), [](auto& s) { return s->Idle(); });
    if (idle || clock_.MonotonicNow() >= deadline) break;
    uint64_t seen = ctx_.idle_gen.load();
    MutexLock l(ctx_.idle_mu);
    ctx_.idle_cv.WaitFor(ctx_.idle_mu, kReaderWait, [&] { return ctx_.idle_gen.load() != seen; });
  }
  ctx_.hard_stop = true;
  for (auto& s : shards_) s->Stop();  // wakes them to see hard_stop
  for (auto& s : shards_) s->Join();
}

void Shipper::Stop() {
  if (stopped_.exchange(true)) return;
  auto deadline = clock_.MonotonicNow() + options_.flush_deadline;
  // Metadata is not durable and is sent again by the next process: stop
  // at once rather than spend the flush deadline on it.
  if (metadata_) metadata_->Stop();
  stop_reader_ = true;
  {
    MutexLock l(ctx_.idle_mu);
  }
  ctx_.idle_cv.NotifyAll();
  if (reader_.joinable()) reader_.join();
  StopShards(deadline);
  CommitCursor();
  UpdateMetrics(false);
  shards_.clear();
}

ShipperStatus Shipper::GetStatus() const {
  ShipperStatus s;
  s.name = endpoint_->identity;
  s.url = endpoint_->config.url;
  s.cursor_name = cursor_name_;
  s.cursor = committed_.load();
  s.last_sequence = wal_.LastSequence();
  s.lag_records = s.last_sequence + 1 > s.cursor ? s.last_sequence + 1 - s.cursor : 0;
  s.backlog_samples = backlog_samples_.load();
  s.backlog_seconds = backlog_seconds_.load();
  s.shards = shard_count_.load();
  s.desired_shards = desired_shards_.load();
  s.samples_sent = ctx_.samples_out.load();
  s.samples_dropped = metrics_.DroppedTotal();
  s.samples_failed = metrics_.samples_failed_total.Value();
  s.samples_retried = metrics_.samples_retried_total.Value();
  s.reshards = reshards_.load();
  MutexLock l(ctx_.error_mu);
  s.last_error = ctx_.last_error;
  s.last_error_ms = ctx_.last_error_ms;
  return s;
}

}  // namespace ferry::ship
