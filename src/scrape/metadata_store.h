// MetadataStore: the metric-family metadata (TYPE, HELP, UNIT) of one target,
// kept in its scrape cache as Prometheus' scrapeCache.metadata, for remote
// write's metadata (RW 1.0 MetricMetadata) and the metadata APIs.
//
// Rules, as Prometheus' scrape.go (setType / setHelp / setUnit / iterDone):
// - An entry is created by the first TYPE, HELP or UNIT line of a family and
//   updated by each later one, as the body is parsed, whether or not the
//   scrape later fails (Prometheus writes the cache while it parses).
// - A family that has samples but no TYPE line has type kUnknown ("unknown"),
//   so does one with only HELP or UNIT lines; families with no metadata line
//   at all have no entry.
// - Every metadata line of a family marks it seen in that scrape iteration.
//   After a successful scrape, families not seen for more than 10 iterations
//   are forgotten ("keep metadata around for 10 scrapes after its metric
//   disappeared"). Failed scrapes count as iterations but do not collect,
//   unless the store has grown past twice its size at the last success plus
//   1000 (Prometheus' forced flush against unbounded growth).
//
// Thread-safety: the Set*, Touch and CollectGarbage methods are called by the
// one scrape that owns the cache at a time; List() and size() are
// thread-safe and may run concurrently with them.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "src/base/mutex.h"
#include "src/parse/parser.h"

namespace ferry::scrape {

// The metadata of one metric family of one target (Prometheus'
// scrape.MetricMetadata).
struct MetricMetadata {
  std::string family;  // the name on the TYPE/HELP/UNIT line
  parse::MetricType type = parse::MetricType::kUnknown;
  std::string help;  // escapes undone
  std::string unit;  // OpenMetrics only; empty otherwise

  bool operator==(const MetricMetadata&) const = default;
};

class MetadataStore {
 public:
  // One family's entry. Its address is stable until CollectGarbage() erases
  // it (which that call reports), so a caller may hold it to Touch() it.
  class Entry {
   public:
    const MetricMetadata& metadata() const { return meta_; }

   private:
    friend class MetadataStore;
    MetricMetadata meta_;  // written under the store's mutex
    // Iteration of the last line that mentioned the family. Read and written
    // only by the owning scrape; atomic so List() may run meanwhile.
    std::atomic<uint64_t> last_iter_{0};
  };

  MetadataStore() = default;
  MetadataStore(const MetadataStore&) = delete;
  MetadataStore& operator=(const MetadataStore&) = delete;

  // A TYPE / HELP / UNIT line for "family" in scrape iteration "iter". Returns
  // the family's entry (never null).
  Entry* SetType(std::string_view family, parse::MetricType type, uint64_t iter);
  Entry* SetHelp(std::string_view family, std::string_view help, uint64_t iter);
  Entry* SetUnit(std::string_view family, std::string_view unit, uint64_t iter);
  // The same line as in an earlier scrape, byte for byte: only marks "e" seen.
  void Touch(Entry* e, uint64_t iter) { Mark(e, iter); }

  // End of scrape iteration "iter". "success": the scrape succeeded. Returns
  // true when it erased entries (pointers to them are then dangling).
  bool CollectGarbage(uint64_t iter, bool success);

  // Increases whenever an entry is added, changed or erased. Owning scrape
  // only.
  uint64_t version() const { return version_; }

  // Appends every family's metadata to "*out", in no particular order.
  void List(std::vector<MetricMetadata>* out) const;
  size_t size() const;

  // How many scrape iterations a family outlives its last metadata line.
  static constexpr uint64_t kKeepIterations = 10;

 private:
  Entry* FindOrAdd(std::string_view family, uint64_t iter) FERRY_REQUIRES(mu_);
  // Sets "e"'s iteration to "iter", counting entries marked in "iter".
  void Mark(Entry* e, uint64_t iter) {
    if (e->last_iter_.load(std::memory_order_relaxed) != iter) {
      e->last_iter_.store(iter, std::memory_order_relaxed);
      if (marked_iter_ != iter) {
        marked_iter_ = iter;
        marked_ = 0;
      }
      ++marked_;
    }
  }

  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  mutable Mutex mu_;
  // Node-based: Entry addresses survive rehashing.
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> entries_ FERRY_GUARDED_BY(mu_);
  size_t size_at_success_ = 0;  // owning scrape only
  uint64_t version_ = 0;        // owning scrape only
  // Entries marked seen in iteration marked_iter_ (owning scrape only): when
  // that is all of them, CollectGarbage has nothing to look for.
  uint64_t marked_iter_ = 0;
  size_t marked_ = 0;
};

}  // namespace ferry::scrape
