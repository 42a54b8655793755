// Fuzzes the decoders of bytes the WAL reads back from disk: records (as a
// keyframe and as a delta against a fixed base), label sets and cursor
// values. None may crash, hang or read out of bounds; a record that decodes
// must re-encode to bytes that decode to the same samples (bit-exact).
//
// Input: first byte selects the decoder, the rest is the stored value.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "wal/internal/codec.h"
#include "wal/internal/schema.h"
#include "wal/internal/series_codec.h"

using namespace ferry::wal;
using namespace ferry::wal::internal;

namespace {

void Check(bool cond) {
  if (!cond) std::abort();
}

void CheckRoundTrip(const Record& r, const DeltaBase* base, uint64_t key_dist, uint64_t prev_dist) {
  std::string again;
  EncodeRecord({.stream = r.stream,
                .append_ms = r.append_ms,
                .first_sample = r.first_sample,
                .refs = r.refs,
                .timestamps = r.timestamps,
                .values = r.values,
                .key_dist = key_dist,
                .prev_dist = prev_dist,
                .prev_values = base != nullptr ? base->values : std::span<const double>()},
               &again);
  Record r2;
  Check(DecodeRecord(again, r.sequence, base, &r2).ok());
  Check(r2.refs == r.refs && r2.timestamps == r.timestamps && r2.size() == r.size());
  for (size_t i = 0; i < r.size(); ++i) {
    Check(std::bit_cast<uint64_t>(r2.values[i]) == std::bit_cast<uint64_t>(r.values[i]));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0] % 4;
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (mode) {
    case 0: {
      Record r;
      if (DecodeRecord(in, 1000, nullptr, &r).ok()) {
        Check(r.keyframe && r.refs.size() == r.values.size() && r.size() == r.timestamps.size());
        for (size_t i = 0; i < r.size(); ++i) {
          Check(r.timestamps[i] >= r.min_timestamp && r.timestamps[i] <= r.max_timestamp);
        }
        CheckRoundTrip(r, nullptr, 0, 0);
      }
      break;
    }
    case 1: {
      // A delta at seq 1000 against a base at 1000 - prev_dist; the base is
      // built to match whatever header the input claims.
      RecordHeader h;
      std::string_view body;
      if (!DecodeHeader(in, &h, &body).ok() || !h.delta() || h.count > 4096) break;
      std::vector<SeriesRef> refs(h.count);
      std::vector<double> values(h.count);
      for (size_t i = 0; i < h.count; ++i) {
        refs[i] = i + 1;
        values[i] = static_cast<double>(i) * 1.5;
      }
      DeltaBase base{.sequence = 1000 - h.prev_dist,
                     .keyframe_sequence = 1000 - h.key_dist,
                     .stream = h.stream,
                     .refs = refs,
                     .values = values};
      Record r;
      if (DecodeRecord(in, 1000, &base, &r).ok()) CheckRoundTrip(r, &base, h.key_dist, h.prev_dist);
      break;
    }
    case 2: {
      ferry::labels::Labels ls, ls2;
      if (DecodeLabels(in, &ls).ok()) {
        std::string again;
        EncodeLabels(ls, &again);
        Check(DecodeLabels(again, &ls2).ok() && ls2 == ls);
      }
      // What GetSeries reads (names unchecked) round-trips as well.
      if (DecodeLabels(in, &ls, LabelCheck::kStructure).ok()) {
        std::string again;
        EncodeLabels(ls, &again);
        Check(DecodeLabels(again, &ls2, LabelCheck::kStructure).ok() && ls2 == ls);
      }
      break;
    }
    case 3: {
      uint64_t seq;
      int64_t ms;
      if (DecodeCursor(in, &seq, &ms).ok()) {
        uint64_t seq2;
        int64_t ms2;
        Check(DecodeCursor(EncodeCursor(seq, ms), &seq2, &ms2).ok() && seq2 == seq && ms2 == ms);
      }
      break;
    }
  }
  return 0;
}
