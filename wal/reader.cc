#include <string>

#include "wal/internal/codec.h"
#include "wal/internal/reader_impl.h"
#include "wal/internal/rocks_util.h"
#include "wal/internal/schema.h"

namespace ferry::wal::internal {

ReaderImpl::ReaderImpl(WalImpl& wal, uint64_t sequence) : wal_(wal), position_(sequence) {}

ReaderImpl::~ReaderImpl() { Release(); }

void ReaderImpl::Release() {
  it_.reset();
  if (snapshot_ != nullptr) {
    wal_.db()->ReleaseSnapshot(snapshot_);
    snapshot_ = nullptr;
  }
}

void ReaderImpl::Reposition() {
  Release();
  if (wal_.snapshots()) snapshot_ = wal_.db()->GetSnapshot();
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot_;
  it_.reset(wal_.db()->NewIterator(ro, wal_.samples_cf()));
  it_->Seek(ToSlice(U64Key(position_)));
}

void ReaderImpl::Seek(uint64_t sequence) {
  Release();
  position_ = sequence;
  state_ = State::kReading;
  failed_ = Status::Ok();
}

Status ReaderImpl::Fail(Status s) {
  state_ = State::kFailed;
  failed_ = s;
  wal_.ReportCorruption({.where = "reader", .key = position_, .bytes = 0, .status = s}, 0);
  Release();
  return s;
}

void ReaderImpl::Cache(const Record& keyframe) {
  if (cache_.count(keyframe.sequence) != 0) return;
  while (!cache_order_.empty() && cached_samples_ + keyframe.size() > kCacheSamples) {
    auto it = cache_.find(cache_order_.front());
    cached_samples_ -= it->second.size();
    cache_.erase(it);
    cache_order_.pop_front();
  }
  cache_.emplace(keyframe.sequence, keyframe);
  cache_order_.push_back(keyframe.sequence);
  cached_samples_ += keyframe.size();
}

Status ReaderImpl::Keyframe(uint64_t seq, const Record** out) {
  auto it = cache_.find(seq);
  if (it != cache_.end()) {
    *out = &it->second;
    return Status::Ok();
  }
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot_;
  rocksdb::Status s = wal_.db()->Get(ro, wal_.samples_cf(), ToSlice(U64Key(seq)), &value_);
  if (s.IsNotFound()) {
    return Status::Corruption("keyframe seq=" + std::to_string(seq) + " is missing");
  }
  FERRY_RETURN_IF_ERROR(FromRocks(s, "reading keyframe seq=" + std::to_string(seq)));
  Record kf;
  FERRY_RETURN_IF_ERROR(DecodeRecord(value_, seq, nullptr, &kf));
  if (!kf.keyframe) {
    return Status::Corruption("record seq=" + std::to_string(seq) + " is not a keyframe");
  }
  Cache(kf);
  *out = &cache_.find(seq)->second;
  return Status::Ok();
}

Result<bool> ReaderImpl::Next(Record& out) {
  if (state_ == State::kFailed) return failed_;
  for (;;) {
    if (it_ == nullptr || !it_->Valid()) {
      if (it_ != nullptr && !it_->status().ok()) {
        return Fail(FromRocks(it_->status(), "reading WAL records at seq " + std::to_string(position_)));
      }
      // Exhausted this snapshot: renew it only if something newer exists.
      if (it_ != nullptr && wal_.LastSequence() < position_) {
        state_ = State::kCaughtUp;
        return false;
      }
      Reposition();
      if (!it_->Valid()) {
        if (!it_->status().ok()) {
          return Fail(FromRocks(it_->status(), "reading WAL records at seq " + std::to_string(position_)));
        }
        state_ = State::kCaughtUp;
        return false;
      }
    }
    uint64_t seq;
    if (!ParseU64Key(ToView(it_->key()), &seq)) {
      wal_.ReportCorruption({.where = "record",
                             .key = position_,
                             .bytes = it_->key().size() + it_->value().size(),
                             .status = Status::Corruption("record key is not 8 bytes")},
                            0);
      ++skipped_corrupt_;
      it_->Next();
      continue;
    }
    if (seq > position_) skipped_truncated_ += seq - position_;
    std::string_view bytes = ToView(it_->value());
    RecordHeader h;
    std::string_view body;
    Status s = DecodeHeader(bytes, &h, &body);
    const Record* kf = nullptr;
    if (s.ok() && h.delta()) s = Keyframe(seq - h.key_dist, &kf);
    if (s.ok()) s = DecodeRecord(bytes, seq, kf, &out);
    position_ = seq + 1;
    if (!s.ok()) {
      ++skipped_corrupt_;
      wal_.ReportCorruption({.where = "record", .key = seq, .bytes = bytes.size(), .status = s},
                            h.count);
      it_->Next();
      continue;
    }
    it_->Next();
    if (out.keyframe) Cache(out);
    state_ = State::kReading;
    return true;
  }
}

Result<std::unique_ptr<Reader>> WalImpl::NewReader(uint64_t sequence) {
  uint64_t first = FirstSequence();
  return std::unique_ptr<Reader>(new ReaderImpl(*this, std::max<uint64_t>({sequence, first, 1})));
}

}  // namespace ferry::wal::internal
