#include "src/scrape/metadata_store.h"

namespace ferry::scrape {

MetadataStore::Entry* MetadataStore::FindOrAdd(std::string_view family, uint64_t iter) {
  auto it = entries_.find(family);
  if (it == entries_.end()) {
    // try_emplace constructs the (non-movable) Entry in place.
    it = entries_.try_emplace(std::string(family)).first;
    it->second.meta_.family = it->first;
    it->second.meta_.type = parse::MetricType::kUnknown;
    ++version_;
  }
  Mark(&it->second, iter);
  return &it->second;
}

MetadataStore::Entry* MetadataStore::SetType(std::string_view family, parse::MetricType type,
                                             uint64_t iter) {
  MutexLock l(mu_);
  Entry* e = FindOrAdd(family, iter);
  if (e->meta_.type != type) {
    e->meta_.type = type;
    ++version_;
  }
  return e;
}

MetadataStore::Entry* MetadataStore::SetHelp(std::string_view family, std::string_view help,
                                             uint64_t iter) {
  MutexLock l(mu_);
  Entry* e = FindOrAdd(family, iter);
  if (e->meta_.help != help) {
    e->meta_.help.assign(help);
    ++version_;
  }
  return e;
}

MetadataStore::Entry* MetadataStore::SetUnit(std::string_view family, std::string_view unit,
                                             uint64_t iter) {
  MutexLock l(mu_);
  Entry* e = FindOrAdd(family, iter);
  if (e->meta_.unit != unit) {
    e->meta_.unit.assign(unit);
    ++version_;
  }
  return e;
}

bool MetadataStore::CollectGarbage(uint64_t iter, bool success) {
  MutexLock l(mu_);
  if (!success && entries_.size() <= 2 * size_at_success_ + 1000) return false;
  // Every entry was seen in this iteration (the steady state): none is old.
  if (marked_iter_ == iter && marked_ == entries_.size()) {
    if (success) size_at_success_ = entries_.size();
    return false;
  }
  bool erased = false;
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (iter - it->second.last_iter_.load(std::memory_order_relaxed) > kKeepIterations) {
      it = entries_.erase(it);
      erased = true;
    } else {
      ++it;
    }
  }
  if (success) size_at_success_ = entries_.size();
  if (erased) ++version_;
  return erased;
}

void MetadataStore::List(std::vector<MetricMetadata>* out) const {
  MutexLock l(mu_);
  out->reserve(out->size() + entries_.size());
  for (const auto& [family, e] : entries_) out->push_back(e.meta_);
}

size_t MetadataStore::size() const {
  MutexLock l(mu_);
  return entries_.size();
}

}  // namespace ferry::scrape
