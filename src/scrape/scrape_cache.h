// ScrapeCache: what one target's scrape loop remembers between scrapes.
//
// The key is the raw series bytes of the exposition line (e.g.
// `http_requests_total{code="200"}`), so a series seen before is neither
// re-parsed into labels nor re-relabeled: one hash lookup finds its WAL ref.
// This is where the CPU of a steady scrape goes, as in Prometheus'
// scrapeCache. Series dropped by metric_relabel_configs are entries too
// (dropped(), no labels, no ref), so they are not relabeled again either.
//
// The cache also carries the previous scrape's series for staleness markers,
// and the target's metric metadata (MetadataStore).
//
// A steady target exposes the same series in the same order every time, so
// the cache also keeps the last successful scrape's series in body order:
// the next scrape checks each line against the expected entry's bytes with a
// memcmp (MatchNext) and hashes only when the body changed shape, which keeps
// a warm scrape free of hash-table pointer chasing. For text-format bodies it
// also keeps the line tape (TapeEntry) that lets an unchanged body skip the
// parser altogether.
//
// Memory (per series, the reason for this layout; docs/perf-notes/scrape.md):
// each series' raw bytes are stored once, inline after its Entry, and the
// entries are bump-allocated in a per-cache arena in insertion order; the
// hash table (open addressing: 8-byte entry pointers plus 2-byte hash tags),
// the body order and the tape (16 bytes per line) refer to the entry instead
// of copying its bytes. An entry's packed final labels are released once the
// series has a WAL ref if its owner can rebuild exactly them from the key
// alone (ScrapeAppender checks that before releasing, see derived()); they
// are needed again only when the WAL collected the ref (ForgetRefs), for the
// series inherited over a reload, and for staleness markers then.
//
// Thread-safety: not thread-safe; owned by one scrape loop and used by one
// scrape at a time (metadata().List() excepted, see MetadataStore).
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "src/labels/labels.h"
#include "src/labels/packed_labels.h"
#include "src/scrape/metadata_store.h"
#include "wal/record.h"

namespace ferry::scrape {

class ScrapeCache {
 public:
  // One series of the target (or one series dropped by relabeling), followed
  // in the same heap block by its key bytes. Owned by the cache; a pointer
  // stays valid until CollectGarbage() erases the entry or the cache dies.
  class Entry {
   public:
    Entry(const Entry&) = delete;
    Entry& operator=(const Entry&) = delete;

    // The raw series bytes (the cache key). Valid while the entry lives.
    std::string_view key() const { return {reinterpret_cast<const char*>(this + 1), key_len_}; }
    // Dropped by metric_relabel_configs: no labels, never appended.
    bool dropped() const { return labels.empty() && !derived_; }
    // The labels were freed because the owner rebuilds them from key() alone
    // (ScrapeAppender::LabelsOf); "labels" is empty.
    bool derived() const { return derived_; }
    // Frees "labels". REQUIRES: the owner can rebuild them from key().
    void ReleaseDerivableLabels() {
      labels = labels::PackedLabels();
      derived_ = true;
    }

    // Final labels (after target labels and relabeling), packed: read only
    // when the series needs a WAL ref and for inherited staleness. Empty for
    // dropped() and derived() entries (a kept series always has __name__).
    labels::PackedLabels labels;
    wal::SeriesRef ref = wal::kNoSeriesRef;  // kNoSeriesRef until the first append commits
    uint64_t last_iter = 0;                  // scrape iteration that last saw this series
    uint64_t tracked_iter = 0;               // scrape iteration that last Track()ed it
    uint32_t order_pos = 0;                  // position in the order being built (a hint)

   private:
    friend class ScrapeCache;
    explicit Entry(uint32_t key_len) : key_len_(key_len), derived_(false) {}
    ~Entry() = default;
    uint32_t key_len_ : 31;
    uint32_t derived_ : 1;
  };
  // Longest key an entry holds; a longer series line fails the scrape.
  static constexpr size_t kMaxKeySize = INT32_MAX;

  ScrapeCache() = default;
  ScrapeCache(const ScrapeCache&) = delete;
  ScrapeCache& operator=(const ScrapeCache&) = delete;
  ~ScrapeCache();

  // Returns the entry for "series" (dropped ones included), or null.
  Entry* Find(std::string_view series) const;
  // Adds the entry of "series" with its final "labels" (non-empty).
  // REQUIRES: Find(series) is null; series.size() <= kMaxKeySize.
  Entry* Insert(std::string_view series, const labels::Labels& labels);
  // Adds "series" as dropped by relabeling. Same REQUIRES as Insert.
  Entry* InsertDropped(std::string_view series);
  bool IsDropped(std::string_view series) const {
    const Entry* e = Find(series);
    return e != nullptr && e->dropped();
  }

  // Starts scrape iteration "iter" (increasing) and a new body order.
  uint64_t NextIteration() {
    touched_ = 0;
    prev_hits_ = 0;
    ReleaseNext();  // normally empty already; not after a failed full scrape
    tape_abandoned_ = false;
    // Sized for a body like the last one; freed again by Rotate().
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
  // (possibly a dropped entry), advances "*pos" and returns true.
  bool MatchNext(size_t* pos, std::string_view series, Entry** e) const {
    if (*pos >= order_.size()) return false;
    Entry* x = order_[*pos];
    if (x->key_len_ != series.size() ||
        std::memcmp(x->key().data(), series.data(), series.size()) != 0) {
      return false;
    }
    *e = x;
    ++*pos;
    return true;
  }
  // After a hash lookup found "e": continue matching after its position.
  void Resync(size_t* pos, const Entry* e) const {
    if (e->order_pos < order_.size() && order_[e->order_pos] == e) *pos = e->order_pos + 1;
  }
  // Appends "e" (possibly dropped) to the order being built.
  void RecordOrder(Entry* e) {
    // A body usually has the shape of the last one: size for it at once.
    if (next_order_.empty()) next_order_.reserve(order_.size());
    e->order_pos = static_cast<uint32_t>(next_order_.size());
    next_order_.push_back(e);
  }
  // The order (and tape) built by this iteration becomes the one to match
  // (after a successful scrape).
  void CommitOrder();
  // Forgets the committed order and tape (the next scrape matches by hash),
  // and frees their memory.
  void ClearOrder();

  // The line tape: the shape of the last successful text-format body, entry
  // by entry as the parser returned them. Each entry stands for its exact
  // prefix bytes: for a sample line everything from the end of the previous
  // entry up to the value (blank lines and blanks: the "gap", then the
  // series bytes, which are its cache entry's key, then the separator), for
  // a comment, HELP or TYPE line everything through its line end; a final
  // kEnd entry keeps the bytes after the last entry. A body that starts with
  // the same bytes entry after entry, and has a valid "value[ timestamp]"
  // line end after each sample prefix, parses to the same entries with only
  // the values and timestamps changed (the fast path of ScrapeAppender).
  enum class TapeKind : uint8_t { kSample, kMetadata, kComment, kEnd };
  class TapeEntry {
   public:
    TapeKind kind() const { return static_cast<TapeKind>(kind_ & kKindMask); }
    // How many bytes of tape_bytes() are this entry's own: a sample's gap
    // then its separator, any other entry's whole prefix. They follow the
    // previous entry's (an entry's offset is the sum of the len() before it).
    uint32_t len() const { return len_; }
    // kSample: how many of the len() bytes are the separator (they follow
    // the key in the body; the others precede it).
    uint32_t sep() const { return sep_; }
    // kSample: the size of entry()->key() and its bytes, read without
    // loading the entry first (the fast path compares them at once).
    uint32_t key_len() const { return key_len_; }
    const char* key_data() const { return reinterpret_cast<const char*>(entry() + 1); }
    // kSample: whether the scrape that built the tape recorded the line in
    // the body order (RecordOrder); the fast path checks it would again.
    bool recorded() const { return (kind_ & kRecorded) != 0; }
    // kSample: entry()->dropped(), without loading the entry.
    bool dropped() const { return (kind_ & kDropped) != 0; }
    // kSample: the line's cache entry (dropped() ones included).
    Entry* entry() const { return static_cast<Entry*>(ptr_); }
    // kMetadata: the metadata entry the line set.
    MetadataStore::Entry* meta() const { return static_cast<MetadataStore::Entry*>(ptr_); }
    // entry() or meta(), whichever this entry has (null for the others):
    // for prefetching.
    const void* ptr() const { return ptr_; }

   private:
    friend class ScrapeCache;
    static constexpr uint8_t kKindMask = 0x3f;
    static constexpr uint8_t kDropped = 0x40;
    static constexpr uint8_t kRecorded = 0x80;
    uint32_t key_len_ = 0;
    uint16_t len_ = 0;
    uint8_t sep_ = 0;
    uint8_t kind_ = 0;
    void* ptr_ = nullptr;  // Entry* (kSample), MetadataStore::Entry* (kMetadata)
  };
  static_assert(sizeof(void*) != 8 || sizeof(TapeEntry) == 16, "a tape entry is 16 bytes");
  static_assert(sizeof(void*) != 8 || sizeof(Entry) == 40, "an entry's header is 40 bytes");
  // Appends a metadata, comment or kEnd entry of prefix bytes "bytes".
  void AddTape(TapeKind kind, std::string_view bytes, MetadataStore::Entry* meta);
  // Appends a sample line: "gap", then the key of "e", then "sep".
  void AddTapeSample(std::string_view gap, Entry* e, std::string_view sep, bool recorded);
  // Sizes the tape being built for a body of "body_size" bytes, so building
  // it rarely reallocates.
  void ReserveTape(size_t body_size);
  // Marks the tape being built in this iteration unusable (e.g. a body too
  // large for its uint32 offsets, or an entry with more own bytes than a
  // TapeEntry counts): CommitOrder() then leaves no tape, and the Add*
  // calls of this iteration do nothing.
  void AbandonTape();
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
  // After a scrape: current becomes previous (the old previous' buffer is
  // kept for the next scrape's current: freeing it would save 8 bytes per
  // series at ~2% of the warm path, measured).
  void Rotate() {
    prev_iter_ = cur_.empty() ? 0 : iter_;
    prev_.swap(cur_);
    cur_.clear();
    // Both buffers live on: sized for a body like the last one, with a
    // little room for one that grows, but no doubling slack kept.
    const size_t want = prev_.size() + prev_.size() / 16 + 16;
    if (prev_.capacity() > want + prev_.size() / 16) prev_.shrink_to_fit();
    if (cur_.capacity() < prev_.size() || cur_.capacity() > want + prev_.size() / 16) {
      std::vector<Entry*>().swap(cur_);
      cur_.reserve(want);
    }
  }
  // Forgets entries (series and dropped ones) not seen for 2 iterations, as
  // Prometheus' iterDone does.
  void CollectGarbage();
  // Forgets every WAL ref (after the WAL collected refs this cache held).
  void ForgetRefs();

  // Entries that are not dropped().
  size_t size() const { return size_ - dropped_; }

  // The target's metric-family metadata (TYPE/HELP/UNIT lines). Its List()
  // is thread-safe; everything else follows this cache's threading.
  MetadataStore& metadata() { return metadata_; }
  const MetadataStore& metadata() const { return metadata_; }

 private:
  static uint64_t Hash(std::string_view key);
  static uint16_t Tag(uint64_t hash) { return static_cast<uint16_t>(hash >> 48) | 1; }
  // Carves an entry for "key" out of the arena.
  Entry* NewEntry(std::string_view key);
  // An entry's bytes in the arena (header and key, 8-byte aligned).
  static size_t EntryBytes(size_t key_len) {
    return (sizeof(Entry) + key_len + alignof(Entry) - 1) & ~(alignof(Entry) - 1);
  }
  // Moves every live entry into a fresh arena, those of previous() first in
  // their order, and updates previous(), current() and the table.
  void Compact();
  // Puts "e" (hash "h") into the first free slot of its probe sequence.
  // REQUIRES: a free slot exists.
  void Place(Entry* e, uint64_t h);
  // Grows the table when one more entry would pass the load limit.
  void ReserveOne();
  void Rehash(size_t capacity);
  // Frees the order and tape being built (see CommitOrder).
  void ReleaseNext() {
    std::vector<Entry*>().swap(next_order_);
    std::vector<TapeEntry>().swap(next_tape_);
    std::string().swap(next_tape_bytes_);
  }

  MetadataStore metadata_;
  // The arena: entries are bump-allocated in blocks, in insertion order
  // (which is body order for a target's first scrape), so a scrape walks
  // them mostly sequentially, with no per-entry malloc header or rounding.
  // Erased entries leave dead bytes until Compact().
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* bump_ = nullptr;      // next free byte of the last block
  size_t bump_left_ = 0;      // free bytes after bump_
  size_t next_block_ = 1024;  // size of the next block (doubles to kMaxBlock)
  size_t arena_bytes_ = 0;    // bytes of all entries carved, dead ones included
  size_t dead_bytes_ = 0;     // of which erased
  // Open addressing with linear probing: slots_[i] is an entry or null,
  // tags_[i] its hash's top bits (| 1) or 0. Capacity is a power of two
  // (or 0), kept at most 3/4 full.
  std::vector<Entry*> slots_;
  std::vector<uint16_t> tags_;
  size_t size_ = 0;     // entries in the table
  size_t dropped_ = 0;  // of which dropped()
  std::vector<Entry*> prev_, cur_;
  uint64_t prev_iter_ = 0;  // iteration prev_ was tracked in; 0: none
  size_t prev_hits_ = 0;    // entries of prev_ Track()ed in this iteration
  uint64_t iter_ = 0;
  uint64_t touched_ = 0;  // entries Touch()ed in this iteration
  // Last committed body order and the one being built.
  std::vector<Entry*> order_, next_order_;
  // Committed tape and the one being built (see TapeEntry).
  std::vector<TapeEntry> tape_, next_tape_;
  std::string tape_bytes_, next_tape_bytes_;
  uint64_t tape_meta_version_ = 0;
  bool tape_abandoned_ = false;
};

}  // namespace ferry::scrape
