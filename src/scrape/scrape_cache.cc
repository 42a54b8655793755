#include "src/scrape/scrape_cache.h"

namespace ferry::scrape {

void ScrapeCache::CollectGarbage() {
  // Dropped series are cheap to rediscover; bound their memory.
  if (dropped_.size() > 2 * entries_.size() + 1024) dropped_.clear();
  // The steady state: every entry was seen in this iteration.
  if (entries_.size() <= touched_) return;
  // Entries in prev_ have last_iter == iter_ (they were seen in the scrape
  // that just finished), so erasing older ones never leaves prev_ dangling.
  bool erased = false;
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (iter_ - it->second.last_iter >= 2) {
      it = entries_.erase(it);
      erased = true;
    } else {
      ++it;
    }
  }
  // The committed order and tape may point at erased entries (after failed
  // scrapes).
  if (erased) ClearOrder();
}

void ScrapeCache::ForgetRefs() {
  for (auto& [k, e] : entries_) e.ref = wal::kNoSeriesRef;
}

}  // namespace ferry::scrape
