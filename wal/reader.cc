#include <string>

#include "wal/internal/codec.h"
#include "wal/internal/reader_impl.h"
#include "wal/internal/record_format.h"
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
  // A scan reads each block once: keep it out of the block cache so a
  // backlog drain does not evict the series and index blocks appenders use.
  ro.fill_cache = false;
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

void ReaderImpl::Remember(const Record& r) {
  auto it = bases_.find(r.stream);
  if (it == bases_.end()) {
    while (!bases_.empty() && base_samples_ + r.size() > kBaseSamples) {
      base_samples_ -= bases_.begin()->second.refs.size();
      bases_.erase(bases_.begin());
    }
    it = bases_.emplace(r.stream, StreamBase{}).first;
  } else {
    base_samples_ -= it->second.refs.size();
  }
  StreamBase& b = it->second;
  b.sequence = r.sequence;
  b.keyframe_sequence = r.keyframe_sequence;
  b.refs.assign(r.refs.begin(), r.refs.end());
  b.values.assign(r.values.begin(), r.values.end());
  base_samples_ += r.size();
}

Status ReaderImpl::Base(uint64_t stream, uint64_t prev_seq, DeltaBase* base) {
  auto it = bases_.find(stream);
  if (it == bases_.end() || it->second.sequence != prev_seq) {
    // Walk back to the keyframe, then decode forward.
    std::vector<std::pair<uint64_t, std::string>> chain;
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot_;
    ro.fill_cache = false;  // as the scan
    uint64_t p = prev_seq;
    for (;;) {
      if (chain.size() > kKeyframeInterval) {
        return Status::Corruption("delta chain longer than " + std::to_string(kKeyframeInterval) +
                                  " at seq=" + std::to_string(p));
      }
      std::string bytes;
      rocksdb::Status s = wal_.db()->Get(ro, wal_.samples_cf(), ToSlice(U64Key(p)), &bytes);
      if (s.IsNotFound()) {
        return Status::Corruption("record seq=" + std::to_string(p) +
                                  " needed to decode a later delta is missing");
      }
      FERRY_RETURN_IF_ERROR(FromRocks(s, "reading record seq=" + std::to_string(p)));
      RecordHeader h;
      std::string_view body;
      FERRY_RETURN_IF_ERROR(
          DecodeHeader(bytes, &h, &body).WithContext("wal record seq=" + std::to_string(p)));
      if (h.stream != stream) {
        return Status::Corruption("record seq=" + std::to_string(p) + " belongs to stream " +
                                  std::to_string(h.stream) + ", not " + std::to_string(stream));
      }
      chain.emplace_back(p, std::move(bytes));
      if (!h.delta()) break;
      p -= h.prev_dist;
    }
    Record cur, next;
    FERRY_RETURN_IF_ERROR(DecodeRecord(chain.back().second, chain.back().first, nullptr, &cur));
    for (size_t i = chain.size() - 1; i-- > 0;) {
      DeltaBase b = BaseOf(cur);
      FERRY_RETURN_IF_ERROR(DecodeRecord(chain[i].second, chain[i].first, &b, &next));
      std::swap(cur, next);
    }
    Remember(cur);
    it = bases_.find(stream);
  }
  const StreamBase& b = it->second;
  *base = {.sequence = b.sequence,
           .keyframe_sequence = b.keyframe_sequence,
           .stream = stream,
           .refs = b.refs,
           .values = b.values};
  return Status::Ok();
}

bool ReaderImpl::SeekWorks(uint64_t sequence) {
  rocksdb::ReadOptions ro = UncachedReads();
  ro.snapshot = snapshot_;
  std::unique_ptr<rocksdb::Iterator> it(wal_.db()->NewIterator(ro, wal_.samples_cf()));
  it->Seek(ToSlice(U64Key(sequence)));
  return it->status().ok();
}

uint64_t ReaderImpl::NextReadable(uint64_t bad) {
  const uint64_t end = wal_.LastSequence() + 1;
  uint64_t lo = bad, hi = end;
  for (uint64_t step = 1; bad + step < end; step *= 2) {
    if (SeekWorks(bad + step)) {
      hi = bad + step;
      break;
    }
    lo = bad + step;
  }
  while (hi - lo > 1) {  // lo unreadable, hi readable (or the end)
    uint64_t mid = lo + (hi - lo) / 2;
    if (SeekWorks(mid)) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  return hi;
}

Result<bool> ReaderImpl::Next(Record& out) {
  if (state_ == State::kFailed) return failed_;
  for (;;) {
    if (it_ == nullptr || !it_->Valid()) {
      if (it_ != nullptr && !it_->status().ok()) {
        Status s =
            FromRocks(it_->status(), "reading WAL records at seq " + std::to_string(position_));
        if (!s.IsCorruption()) return Fail(s);
        // A damaged SST block: report it, skip the sequences it holds, and
        // go on with the rest (LevelDB Reporter semantics).
        const uint64_t next = NextReadable(position_);
        skipped_corrupt_ += next - position_;
        wal_.ReportCorruption({.where = "reader", .key = position_, .bytes = 0, .status = s}, 0);
        position_ = next;
        Reposition();
        continue;
      }
      // Exhausted this snapshot: renew it only if something newer exists.
      if (it_ != nullptr && wal_.LastSequence() < position_) {
        state_ = State::kCaughtUp;
        return false;
      }
      Reposition();
      if (!it_->Valid()) {
        if (!it_->status().ok()) {
          return Fail(
              FromRocks(it_->status(), "reading WAL records at seq " + std::to_string(position_)));
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
    DeltaBase base;
    if (s.ok() && h.delta()) s = Base(h.stream, seq - h.prev_dist, &base);
    if (s.ok()) s = DecodeRecord(bytes, seq, h.delta() ? &base : nullptr, &out);
    position_ = seq + 1;
    if (!s.ok()) {
      ++skipped_corrupt_;
      wal_.ReportCorruption({.where = "record", .key = seq, .bytes = bytes.size(), .status = s},
                            h.count);
      it_->Next();
      continue;
    }
    it_->Next();
    Remember(out);
    state_ = State::kReading;
    return true;
  }
}

Result<std::unique_ptr<Reader>> WalImpl::NewReader(uint64_t sequence) {
  uint64_t first = FirstSequence();
  return std::unique_ptr<Reader>(new ReaderImpl(*this, std::max<uint64_t>({sequence, first, 1})));
}

}  // namespace ferry::wal::internal
