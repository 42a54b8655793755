// ScrapeCache: what one target's scrape loop remembers between scrapes.
//
// The key is the raw series bytes of the exposition line (e.g.
// `http_requests_total{code="200"}`), so a series seen before is neither
// re-parsed into labels nor re-relabeled: one hash lookup finds its WAL ref.
// This is where the CPU of a steady scrape goes, as in Prometheus'
// scrapeCache. Series dropped by metric_relabel_configs are remembered too.
//
// The cache also carries the previous scrape's series for staleness markers,
// and the target's metric metadata (MetadataStore).
//
// A steady target exposes the same series in the same order every time, so
// the cache also keeps the last successful scrape's series in body order
// with their raw bytes in one contiguous buffer: the next scrape checks each
// line against the expected one with a sequential memcmp (MatchNext) and
// hashes only when the body changed shape, which keeps a warm scrape free of
// hash-table pointer chasing. For text-format bodies it also keeps the line
// tape (TapeEntry) that lets an unchanged body skip the parser altogether.
//
// Thread-safety: not thread-safe; owned by one scrape loop and used by one
// scrape at a time (metadata().List() excepted, see MetadataStore).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "src/labels/labels.h"
#include "src/labels/packed_labels.h"
#include "src/scrape/metadata_store.h"
#include "wal/record.h"

namespace ferry::scrape {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class ScrapeCache {
 public:
  struct Entry {
    // Final labels (after target labels and relabeling), packed: read only
    // when the series needs a WAL ref and for inherited staleness.
    labels::PackedLabels labels;
    wal::SeriesRef ref = wal::kNoSeriesRef;  // kNoSeriesRef until the first append commits
    uint64_t last_iter = 0;           // scrape iteration that last saw this series
    uint32_t order_pos = 0;           // position in the order being built (a hint)
    uint64_t tracked_iter = 0;        // scrape iteration that last Track()ed it
  };

  // Returns the entry for "series", or null.
  Entry* Find(std::string_view series) {
    auto it = entries_.find(series);
    return it == entries_.end() ? nullptr : &it->second;
  }
  Entry* Insert(std::string_view series, const labels::Labels& labels) {
    auto [it, inserted] = entries_.try_emplace(std::string(series));
    it->second.labels = labels::PackedLabels::Pack(labels);
    it->second.ref = wal::kNoSeriesRef;
    return &it->second;
  }
  bool IsDropped(std::string_view series) const { return dropped_.find(series) != dropped_.end(); }
  void AddDropped(std::string_view series) { dropped_.emplace(series); }

  // Starts scrape iteration "iter" (increasing) and a new body order.
  uint64_t NextIteration() {
    touched_ = 0;
    prev_hits_ = 0;
    ReleaseNext();  // normally empty already; not after a failed full scrape
    tape_abandoned_ = false;
    return ++iter_;
  }
  // Marks "e" as seen in the current iteration.
  void Touch(Entry* e) {
    if (e->last_iter != iter_) {
      e->last_iter = iter_;
      ++touched_;
    }
  }

  // Sequential matching. "*pos" is the caller's position in the last
  // committed order. When "series" is the series expected there, sets "*e"
  // (null: a series dropped by relabeling), advances "*pos" and returns true.
  bool MatchNext(size_t* pos, std::string_view series, Entry** e) const {
    if (*pos >= order_.size()) return false;
    const uint32_t begin = order_off_[*pos];
    const uint32_t len = order_off_[*pos + 1] - begin;
    if (len != series.size() || std::memcmp(order_keys_.data() + begin, series.data(), len) != 0) {
      return false;
    }
    *e = order_[(*pos)++];
    return true;
  }
  // After a hash lookup found "e": continue matching after its position.
  void Resync(size_t* pos, const Entry* e) const {
    if (e->order_pos < order_.size() && order_[e->order_pos] == e) *pos = e->order_pos + 1;
  }
  // Appends "series" (entry "e", null if dropped) to the order being built.
  void RecordOrder(std::string_view series, Entry* e) {
    if (next_order_.empty()) {
      // A body usually has the shape of the last one: size for it at once.
      next_order_.reserve(order_.size());
      next_keys_.reserve(order_keys_.size());
      next_off_.reserve(order_off_.size());
    }
    if (e != nullptr) e->order_pos = static_cast<uint32_t>(next_order_.size());
    next_order_.push_back(e);
    next_keys_.append(series);
    next_off_.push_back(static_cast<uint32_t>(next_keys_.size()));
  }
  // The order (and tape) built by this iteration becomes the one to match
  // (after a successful scrape).
  void CommitOrder() {
    order_.swap(next_order_);
    order_keys_.swap(next_keys_);
    order_off_.swap(next_off_);
    tape_.swap(next_tape_);
    tape_bytes_.swap(next_tape_bytes_);
    if (tape_abandoned_) {
      std::vector<TapeEntry>().swap(tape_);
      std::string().swap(tape_bytes_);
    }
    // They live until the body changes shape: no slack from growing them
    // (one copy of about the body's bytes, only after a full parse).
    order_.shrink_to_fit();
    order_keys_.shrink_to_fit();
    order_off_.shrink_to_fit();
    tape_.shrink_to_fit();
    tape_bytes_.shrink_to_fit();
    // The previous order and tape are not reused: the next scrape usually
    // takes the fast path and builds none, so keeping them would double
    // this cache's per-series bytes for nothing.
    ReleaseNext();
  }
  // Forgets the committed order and tape (the next scrape matches by hash),
  // and frees their memory.
  void ClearOrder() {
    std::vector<Entry*>().swap(order_);
    std::string().swap(order_keys_);
    order_off_.assign(1, 0);
    order_off_.shrink_to_fit();
    std::vector<TapeEntry>().swap(tape_);
    std::string().swap(tape_bytes_);
  }

  // The line tape: the shape of the last successful text-format body, entry
  // by entry as the parser returned them. Each entry keeps its exact prefix
  // bytes: for a sample line everything from the end of the previous entry
  // up to the value (blank lines, blanks, series bytes, separator), for a
  // comment, HELP or TYPE line everything through its line end; a final kEnd
  // entry keeps the bytes after the last entry. A body that starts with the
  // same bytes entry after entry, and has a valid "value[ timestamp]" line
  // end after each sample prefix, parses to the same entries with only the
  // values and timestamps changed (the fast path of ScrapeAppender).
  enum class TapeKind : uint8_t { kSample, kMetadata, kComment, kEnd };
  struct TapeEntry {
    uint32_t off = 0;  // prefix bytes in tape_bytes()
    uint32_t len = 0;
    TapeKind kind = TapeKind::kComment;
    // kSample: whether the scrape that built the tape recorded the line in
    // the body order (RecordOrder); the fast path checks it would again.
    bool recorded = false;
    Entry* entry = nullptr;                 // kSample; null: dropped by relabeling
    MetadataStore::Entry* meta = nullptr;   // kMetadata
  };
  void AddTape(TapeKind kind, std::string_view prefix, Entry* e, MetadataStore::Entry* meta,
               bool recorded) {
    next_tape_.push_back({static_cast<uint32_t>(next_tape_bytes_.size()),
                          static_cast<uint32_t>(prefix.size()), kind, recorded, e, meta});
    next_tape_bytes_.append(prefix);
  }
  // Sizes the tape being built for a body of "body_size" bytes (the prefix
  // bytes never exceed the body), so building it does not reallocate.
  void ReserveTape(size_t body_size) {
    next_tape_bytes_.reserve(body_size);
    next_tape_.reserve(std::max(tape_.size(), body_size / 128));
  }
  // Marks the tape being built in this iteration unusable (e.g. a body too
  // large for its uint32 offsets): CommitOrder() then leaves no tape.
  void AbandonTape() {
    std::vector<TapeEntry>().swap(next_tape_);
    std::string().swap(next_tape_bytes_);
    tape_abandoned_ = true;
  }
  bool tape_abandoned() const { return tape_abandoned_; }
  // The committed tape; empty when there is none. Valid until CommitOrder(),
  // ClearOrder() or CollectGarbage().
  const std::vector<TapeEntry>& tape() const { return tape_; }
  const std::string& tape_bytes() const { return tape_bytes_; }
  // The metadata store's version() when the tape was committed: a different
  // version means metadata changed since, so matched TYPE/HELP/UNIT lines no
  // longer prove the metadata is what they say.
  uint64_t tape_meta_version() const { return tape_meta_version_; }
  void set_tape_meta_version(uint64_t v) { tape_meta_version_ = v; }
  uint64_t iteration() const { return iter_; }

  // Series of the previous successful scrape (for staleness markers).
  std::vector<Entry*>& previous() { return prev_; }
  const std::vector<Entry*>& previous() const { return prev_; }
  std::vector<Entry*>& current() { return cur_; }
  // Adds "e" to the series of this scrape tracked for staleness (at most
  // once per iteration), counting those that were also in previous().
  void Track(Entry* e) {
    if (prev_iter_ != 0 && e->tracked_iter == prev_iter_) ++prev_hits_;
    e->tracked_iter = iter_;
    cur_.push_back(e);
  }
  // True when every series of previous() was Track()ed again in this
  // iteration, so none needs a staleness marker. Exact: an entry is in
  // previous() if and only if its tracked_iter is the iteration previous()
  // was tracked in, because current() is complete when Rotate() runs
  // unless a failure emptied it (and an empty one records no iteration).
  bool AllPreviousTracked() const { return prev_hits_ == prev_.size(); }
  // After a scrape: current becomes previous.
  void Rotate() {
    prev_iter_ = cur_.empty() ? 0 : iter_;
    prev_.swap(cur_);
    cur_.clear();
  }
  // Forgets series not seen for 2 iterations, and the dropped-series memory
  // (which is rebuilt cheaply), as Prometheus' iterDone does.
  void CollectGarbage();
  // Forgets every WAL ref (after the WAL collected refs this cache held).
  void ForgetRefs();

  size_t size() const { return entries_.size(); }

  // The target's metric-family metadata (TYPE/HELP/UNIT lines). Its List()
  // is thread-safe; everything else follows this cache's threading.
  MetadataStore& metadata() { return metadata_; }
  const MetadataStore& metadata() const { return metadata_; }

 private:
  // Frees the order and tape being built (see CommitOrder).
  void ReleaseNext() {
    std::vector<Entry*>().swap(next_order_);
    std::string().swap(next_keys_);
    next_off_.assign(1, 0);
    next_off_.shrink_to_fit();  // no allocation when already that small
    std::vector<TapeEntry>().swap(next_tape_);
    std::string().swap(next_tape_bytes_);
  }

  MetadataStore metadata_;
  std::unordered_map<std::string, Entry, StringHash, std::equal_to<>> entries_;
  std::unordered_set<std::string, StringHash, std::equal_to<>> dropped_;
  std::vector<Entry*> prev_, cur_;
  uint64_t prev_iter_ = 0;  // iteration prev_ was tracked in; 0: none
  size_t prev_hits_ = 0;    // entries of prev_ Track()ed in this iteration
  uint64_t iter_ = 0;
  uint64_t touched_ = 0;  // entries Touch()ed in this iteration
  // Last committed body order (order_off_ has order_.size() + 1 offsets) and
  // the one being built.
  std::vector<Entry*> order_, next_order_;
  std::string order_keys_, next_keys_;
  std::vector<uint32_t> order_off_{0}, next_off_{0};
  // Committed tape and the one being built (see TapeEntry).
  std::vector<TapeEntry> tape_, next_tape_;
  std::string tape_bytes_, next_tape_bytes_;
  uint64_t tape_meta_version_ = 0;
  bool tape_abandoned_ = false;
};

}  // namespace ferry::scrape
