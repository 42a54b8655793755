// BitWriter / BitReader: MSB-first bit packing for the Gorilla value stream
// (docs/wal-format.md "Values"). Header-only; the hot loops inline.
//
// Not thread-safe; each instance is used by one encoder/decoder call.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ferry::wal::internal {

// Appends bits to "*dst" (which must outlive the writer). Call Finish() once
// at the end to flush the last partial byte (zero-padded).
class BitWriter {
 public:
  explicit BitWriter(std::string* dst) : dst_(dst) {}

  // Writes the low "n" bits of "v", most significant first. REQUIRES: n <= 64.
  void Write(uint64_t v, int n) {
    if (n == 0) return;
    if (n < 64) v &= (uint64_t{1} << n) - 1;
    while (n > 0) {
      int space = 64 - used_;
      int take = n < space ? n : space;
      uint64_t part = (take == 64) ? v : (v >> (n - take)) & ((uint64_t{1} << take) - 1);
      acc_ = (take == 64) ? part : (acc_ << take) | part;
      used_ += take;
      n -= take;
      if (used_ == 64) FlushWord();
    }
  }
  void WriteBit(bool b) { Write(b ? 1 : 0, 1); }

  void Finish() {
    while (used_ >= 8) {
      used_ -= 8;
      dst_->push_back(static_cast<char>(acc_ >> used_));
    }
    if (used_ > 0) dst_->push_back(static_cast<char>(acc_ << (8 - used_)));
    acc_ = 0;
    used_ = 0;
  }

 private:
  void FlushWord() {
    char buf[8];
    for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>(acc_ >> (56 - 8 * i));
    dst_->append(buf, 8);
    acc_ = 0;
    used_ = 0;
  }

  std::string* const dst_;
  uint64_t acc_ = 0;  // pending bits, right-aligned
  int used_ = 0;      // number of pending bits in acc_
};

// Reads bits from "data" (which must outlive the reader). Reads past the end
// fail (Read returns false) instead of touching memory past data.size().
class BitReader {
 public:
  explicit BitReader(std::string_view data) : data_(data) {}

  // Reads "n" bits (n <= 64) into "*v", most significant first.
  bool Read(int n, uint64_t* v) {
    if (n == 0) {
      *v = 0;
      return true;
    }
    if (static_cast<uint64_t>(n) > BitsLeft()) return false;
    uint64_t out = 0;
    while (n > 0) {
      if (avail_ == 0) Refill();
      int take = n < avail_ ? n : avail_;
      uint64_t part = (take == 64) ? buf_ : (buf_ >> (avail_ - take)) & ((uint64_t{1} << take) - 1);
      out = (take == 64) ? part : (out << take) | part;
      avail_ -= take;
      n -= take;
    }
    *v = out;
    return true;
  }
  bool ReadBit(bool* b) {
    uint64_t v;
    if (!Read(1, &v)) return false;
    *b = v != 0;
    return true;
  }

  uint64_t BitsLeft() const { return (data_.size() - pos_) * 8 + avail_; }
  // True when the unread bits are fewer than 8 and all zero (valid padding).
  bool AtPaddedEnd() {
    if (BitsLeft() >= 8) return false;
    uint64_t rest;
    int n = static_cast<int>(BitsLeft());
    return Read(n, &rest) && rest == 0;
  }

 private:
  void Refill() {
    size_t left = data_.size() - pos_;
    if (left >= 8) {
      uint64_t w = 0;
      for (int i = 0; i < 8; ++i) w = (w << 8) | static_cast<uint8_t>(data_[pos_ + i]);
      buf_ = w;
      avail_ = 64;
      pos_ += 8;
    } else {
      uint64_t w = 0;
      for (size_t i = 0; i < left; ++i) w = (w << 8) | static_cast<uint8_t>(data_[pos_ + i]);
      buf_ = w;
      avail_ = static_cast<int>(left * 8);
      pos_ += left;
    }
  }

  std::string_view data_;
  size_t pos_ = 0;
  uint64_t buf_ = 0;
  int avail_ = 0;  // unread bits in the low end of buf_
};

}  // namespace ferry::wal::internal
