// SampleQueue: a shard's FIFO of queued samples, as one growable ring.
//
// A shard appends what the reader hands it and takes up to
// max_samples_per_send from the front per request, about a hundred thousand
// samples a second at 100 k series. std::deque allocated and freed a 512-byte
// block every 16 samples on that path (~3 % of the agent's CPU in the steady
// profile, docs/perf-notes/ship.md); the ring allocates only when it grows,
// to the next power of two, and keeps that size (bounded by the shard's
// capacity, or its catch-up window until ShrinkIfEmpty).
//
// Thread-safety: none; the shard guards it with its mutex.
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <vector>

#include "src/base/check.h"

namespace ferry::ship {

template <typename T>
class SampleQueue {
 public:
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // The i-th element from the front. REQUIRES: i < size().
  const T& operator[](size_t i) const { return ring_[(head_ + i) & mask_]; }
  const T& front() const { return (*this)[0]; }
  const T& back() const { return (*this)[size_ - 1]; }

  void Append(std::span<const T> items) {
    if (size_ + items.size() > ring_.size()) Grow(size_ + items.size());
    size_t tail = (head_ + size_) & mask_;
    size_t first = std::min(items.size(), ring_.size() - tail);
    std::copy_n(items.begin(), first, ring_.begin() + static_cast<std::ptrdiff_t>(tail));
    std::copy(items.begin() + static_cast<std::ptrdiff_t>(first), items.end(), ring_.begin());
    size_ += items.size();
  }
  // Appends the first "n" elements to "out" and removes them.
  // REQUIRES: n <= size().
  void TakeFront(size_t n, std::vector<T>* out) {
    FERRY_CHECK(n <= size_);
    size_t first = std::min(n, ring_.size() - head_);
    auto at = ring_.begin() + static_cast<std::ptrdiff_t>(head_);
    out->insert(out->end(), at, at + static_cast<std::ptrdiff_t>(first));
    out->insert(out->end(), ring_.begin(), ring_.begin() + static_cast<std::ptrdiff_t>(n - first));
    head_ = (head_ + n) & mask_;
    size_ -= n;
    if (size_ == 0) head_ = 0;
  }
  // Frees the ring when empty and larger than "keep" elements (after a
  // catch-up let it grow beyond the shard's usual capacity).
  void ShrinkIfEmpty(size_t keep) {
    if (size_ != 0 || ring_.size() <= keep) return;
    std::vector<T>().swap(ring_);
    mask_ = 0;
    head_ = 0;
  }

 private:
  void Grow(size_t need) {
    size_t cap = std::max<size_t>(ring_.size(), 64);
    while (cap < need) cap *= 2;
    std::vector<T> next(cap);
    for (size_t i = 0; i < size_; ++i) next[i] = (*this)[i];
    ring_.swap(next);
    head_ = 0;
    mask_ = cap - 1;
  }

  std::vector<T> ring_;  // size a power of two (or 0)
  size_t mask_ = 0;
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace ferry::ship
