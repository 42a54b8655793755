#include "wal/internal/codec.h"

#include <bit>
#include <cstdint>
#include <string>

#include "src/base/coding.h"
#include "wal/internal/bit_stream.h"
#include "wal/internal/record_format.h"

namespace ferry::wal::internal {

bool RecordHeader::delta() const { return (flags & kFlagDelta) != 0; }
bool RecordHeader::shared_ts() const { return (flags & kFlagSharedTs) != 0; }

namespace {

// Gorilla window state: lead < 0 means "no window yet".
struct XorWindow {
  int lead = -1;
  int trail = 0;
};

inline void PutXor(BitWriter& w, uint64_t x, XorWindow& win) {
  if (x == 0) {
    w.Write(0, 1);
    return;
  }
  int lead = std::countl_zero(x);
  if (lead > 31) lead = 31;
  int trail = std::countr_zero(x);
  if (win.lead >= 0 && lead >= win.lead && trail >= win.trail) {
    int m = 64 - win.lead - win.trail;
    w.Write(0b10, 2);
    w.Write(x >> win.trail, m);
    return;
  }
  int m = 64 - lead - trail;
  w.Write(
      (uint64_t{0b11} << 11) | (static_cast<uint64_t>(lead) << 6) | static_cast<uint64_t>(m - 1),
      13);
  w.Write(x >> trail, m);
  win.lead = lead;
  win.trail = trail;
}

// Returns false on damaged input.
inline bool GetXor(BitReader& r, XorWindow& win, uint64_t* x) {
  bool bit;
  if (!r.ReadBit(&bit)) return false;
  if (!bit) {
    *x = 0;
    return true;
  }
  if (!r.ReadBit(&bit)) return false;
  if (bit) {
    uint64_t hdr;
    if (!r.Read(11, &hdr)) return false;
    int lead = static_cast<int>(hdr >> 6);
    int m = static_cast<int>(hdr & 63) + 1;
    if (lead + m > 64) return false;
    win.lead = lead;
    win.trail = 64 - lead - m;
  } else if (win.lead < 0) {
    return false;  // reuse of a window that was never opened
  }
  int m = 64 - win.lead - win.trail;
  uint64_t v;
  if (!r.Read(m, &v)) return false;
  *x = (win.trail == 64) ? 0 : v << win.trail;
  return true;
}

Status Bad(uint64_t sequence, std::string_view what) {
  return Status::Corruption("wal record seq=" + std::to_string(sequence) + ": " +
                            std::string(what));
}

}  // namespace

void EncodeRecord(const EncodeInput& in, std::string* out) {
  const size_t n = in.refs.size();
  int64_t min_ts = in.timestamps[0];
  int64_t max_ts = in.timestamps[0];
  for (int64_t t : in.timestamps) {
    min_ts = t < min_ts ? t : min_ts;
    max_ts = t > max_ts ? t : max_ts;
  }
  const bool delta = in.key_dist != 0;
  const bool shared = min_ts == max_ts;
  out->push_back(static_cast<char>(kFormatVersion));
  out->push_back(static_cast<char>((delta ? kFlagDelta : 0) | (shared ? kFlagSharedTs : 0)));
  coding::PutVarint64(out, in.stream);
  coding::PutVarsint64(out, in.append_ms);
  coding::PutVarint64(out, in.first_sample);
  coding::PutVarint64(out, n);
  coding::PutVarsint64(out, min_ts);
  coding::PutVarint64(out, static_cast<uint64_t>(max_ts) - static_cast<uint64_t>(min_ts));
  if (delta) {
    coding::PutVarint64(out, in.key_dist);
    coding::PutVarint64(out, in.prev_dist);
  } else {
    uint64_t prev = 0;
    for (SeriesRef r : in.refs) {
      coding::PutVarsint64(out, static_cast<int64_t>(r - prev));
      prev = r;
    }
  }
  if (!shared) {
    for (int64_t t : in.timestamps) {
      coding::PutVarint64(out, static_cast<uint64_t>(t) - static_cast<uint64_t>(min_ts));
    }
  }
  BitWriter w(out);
  XorWindow win;
  if (delta) {
    for (size_t i = 0; i < n; ++i) {
      PutXor(w, std::bit_cast<uint64_t>(in.values[i]) ^ std::bit_cast<uint64_t>(in.prev_values[i]),
             win);
    }
  } else {
    uint64_t prev = 0;
    for (size_t i = 0; i < n; ++i) {
      uint64_t bits = std::bit_cast<uint64_t>(in.values[i]);
      PutXor(w, bits ^ prev, win);
      prev = bits;
    }
  }
  w.Finish();
}

Status DecodeHeader(std::string_view bytes, RecordHeader* h, std::string_view* body) {
  std::string_view in = bytes;
  if (in.size() < 2) return Status::Corruption("record shorter than its 2-byte prefix");
  uint8_t version = static_cast<uint8_t>(in[0]);
  if (version != kFormatVersion) {
    return Status::Corruption("record version " + std::to_string(version) + ", expected " +
                              std::to_string(kFormatVersion));
  }
  h->flags = static_cast<uint8_t>(in[1]);
  if ((h->flags & ~kKnownFlags) != 0) {
    return Status::Corruption("record has unknown flags 0x" + std::to_string(h->flags));
  }
  in.remove_prefix(2);
  if (!coding::GetVarint64(&in, &h->stream)) return Status::Corruption("record: bad stream");
  if (!coding::GetVarsint64(&in, &h->append_ms)) return Status::Corruption("record: bad append_ms");
  if (!coding::GetVarint64(&in, &h->first_sample)) {
    return Status::Corruption("record: bad first_sample");
  }
  if (!coding::GetVarint64(&in, &h->count) || h->count == 0 || h->count > kMaxSamplesPerRecord) {
    return Status::Corruption("record: bad sample count");
  }
  if (!coding::GetVarsint64(&in, &h->min_ts)) return Status::Corruption("record: bad min_ts");
  if (!coding::GetVarint64(&in, &h->ts_span)) return Status::Corruption("record: bad ts_span");
  if (h->shared_ts() && h->ts_span != 0) {
    return Status::Corruption("record: shared timestamp with non-zero span");
  }
  if (static_cast<__int128>(h->min_ts) + h->ts_span > INT64_MAX) {
    return Status::Corruption("record: ts_span overflows");
  }
  h->key_dist = 0;
  h->prev_dist = 0;
  if (h->delta()) {
    if (!coding::GetVarint64(&in, &h->key_dist) || h->key_dist == 0 ||
        h->key_dist > kMaxKeyframeDistance) {
      return Status::Corruption("record: bad keyframe distance");
    }
    if (!coding::GetVarint64(&in, &h->prev_dist) || h->prev_dist == 0 ||
        h->prev_dist > h->key_dist) {
      return Status::Corruption("record: bad previous-record distance");
    }
  }
  *body = in;
  return Status::Ok();
}

DeltaBase BaseOf(const Record& r) {
  return {.sequence = r.sequence,
          .keyframe_sequence = r.keyframe_sequence,
          .stream = r.stream,
          .refs = r.refs,
          .values = r.values};
}

Status DecodeRecord(std::string_view bytes, uint64_t sequence, const DeltaBase* base, Record* out) {
  RecordHeader h;
  std::string_view in;
  Status s = DecodeHeader(bytes, &h, &in);
  if (!s.ok()) return s.WithContext("wal record seq=" + std::to_string(sequence));
  // Every sample needs at least one byte of refs/timestamps or one bit of
  // value; refuse counts the remaining bytes cannot hold before allocating.
  if (h.count > in.size() * 8 + 8) return Bad(sequence, "sample count exceeds record size");
  const size_t n = static_cast<size_t>(h.count);
  out->sequence = sequence;
  out->stream = h.stream;
  out->append_ms = h.append_ms;
  out->first_sample = h.first_sample;
  out->min_timestamp = h.min_ts;
  out->max_timestamp = static_cast<int64_t>(static_cast<uint64_t>(h.min_ts) + h.ts_span);
  out->keyframe = !h.delta();
  out->keyframe_sequence = h.delta() ? sequence - h.key_dist : sequence;
  if (h.delta()) {
    if (base == nullptr) return Bad(sequence, "delta record decoded without its base");
    if (base->stream != h.stream || base->refs.size() != n || base->values.size() != n ||
        base->sequence + h.prev_dist != sequence ||
        base->keyframe_sequence + h.key_dist != sequence) {
      return Bad(sequence, "previous record at seq=" + std::to_string(sequence - h.prev_dist) +
                               " does not match (stream, count or keyframe)");
    }
    out->refs.assign(base->refs.begin(), base->refs.end());
  } else {
    out->refs.resize(n);
    uint64_t prev = 0;
    for (size_t i = 0; i < n; ++i) {
      int64_t d;
      if (!coding::GetVarsint64(&in, &d)) return Bad(sequence, "truncated series refs");
      prev += static_cast<uint64_t>(d);
      if (prev == kNoSeriesRef) return Bad(sequence, "series ref 0");
      out->refs[i] = prev;
    }
  }
  out->timestamps.resize(n);
  if (h.shared_ts()) {
    for (size_t i = 0; i < n; ++i) out->timestamps[i] = h.min_ts;
  } else {
    for (size_t i = 0; i < n; ++i) {
      uint64_t d;
      if (!coding::GetVarint64(&in, &d)) return Bad(sequence, "truncated timestamps");
      if (d > h.ts_span) return Bad(sequence, "timestamp outside [min_ts, min_ts+ts_span]");
      out->timestamps[i] = static_cast<int64_t>(static_cast<uint64_t>(h.min_ts) + d);
    }
  }
  out->values.resize(n);
  BitReader r(in);
  XorWindow win;
  uint64_t prev = 0;
  for (size_t i = 0; i < n; ++i) {
    uint64_t x;
    if (!GetXor(r, win, &x)) return Bad(sequence, "truncated or invalid value bits");
    uint64_t ref = h.delta() ? std::bit_cast<uint64_t>(base->values[i]) : prev;
    uint64_t bits = x ^ ref;
    out->values[i] = std::bit_cast<double>(bits);
    prev = bits;
  }
  if (!r.AtPaddedEnd()) return Bad(sequence, "trailing bytes after values");
  return Status::Ok();
}

}  // namespace ferry::wal::internal
