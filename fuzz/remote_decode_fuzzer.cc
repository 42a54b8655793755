// Fuzzes the remote-write receive path: snappy block decompression and the
// 1.0 / 2.0 protobuf decoders on arbitrary bytes. Checks, beyond "no crash":
//   - a decoded request re-encoded by ferry's hand-written builders decodes
//     to the same request (the decoders' and encoders' views of the wire
//     agree, including NaN payload bits);
//   - snappy round-trips whatever it is given.
#include <google/protobuf/stubs/logging.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "src/remote/compression.h"
#include "src/remote/decode.h"
#include "src/remote/write_request_v1.h"
#include "src/remote/write_request_v2.h"

namespace {

using ferry::remote::DecodedRequest;
using ferry::remote::DecodedSeries;

constexpr size_t kMaxBytes = 1 << 20;

bool SameBits(double a, double b) {
  return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b);
}

bool SameSeries(const DecodedSeries& a, const DecodedSeries& b, bool v2) {
  if (a.labels != b.labels || a.samples.size() != b.samples.size() ||
      a.exemplars.size() != b.exemplars.size()) {
    return false;
  }
  for (size_t i = 0; i < a.samples.size(); ++i) {
    if (a.samples[i].timestamp_ms != b.samples[i].timestamp_ms ||
        !SameBits(a.samples[i].value, b.samples[i].value)) {
      return false;
    }
  }
  for (size_t i = 0; i < a.exemplars.size(); ++i) {
    if (a.exemplars[i].labels != b.exemplars[i].labels ||
        a.exemplars[i].timestamp_ms != b.exemplars[i].timestamp_ms ||
        !SameBits(a.exemplars[i].value, b.exemplars[i].value)) {
      return false;
    }
  }
  if (v2 && (a.type != b.type || a.help != b.help || a.unit != b.unit ||
             a.created_timestamp_ms != b.created_timestamp_ms)) {
    return false;
  }
  return true;
}

void Require(bool cond, const char* what) {
  if (!cond) {
    __builtin_printf("remote_decode_fuzzer: invariant broken: %s\n", what);
    std::abort();
  }
}

void CheckV1(std::string_view bytes) {
  auto d = ferry::remote::DecodeWriteRequestV1(bytes);
  if (!d.ok()) return;
  ferry::remote::WriteRequestBuilder b;
  std::vector<const DecodedSeries*> sent;
  for (const DecodedSeries& s : d->series) {
    // The builders refuse a series without labels; everything else that
    // decoded must be accepted.
    const bool ok = b.AddSeries(s.labels, s.samples, s.exemplars).ok();
    Require(ok == !s.labels.empty(), "v1 re-encode accepted iff labelled");
    if (ok) sent.push_back(&s);
  }
  for (const auto& m : d->metadata) b.AddMetadata(m);
  auto again = ferry::remote::DecodeWriteRequestV1(b.Finish());
  Require(again.ok(), "v1 re-encoded bytes decode");
  Require(again->series.size() == sent.size(), "v1 series count");
  for (size_t i = 0; i < sent.size(); ++i) {
    // Histograms are not re-encoded; everything else must survive.
    Require(SameSeries(*sent[i], again->series[i], false), "v1 series round trip");
  }
  Require(again->metadata == d->metadata, "v1 metadata round trip");
}

void CheckV2(std::string_view bytes) {
  auto d = ferry::remote::DecodeWriteRequestV2(bytes);
  if (!d.ok()) return;
  ferry::remote::WriteRequestV2Builder b;
  std::vector<const DecodedSeries*> sent;
  for (const DecodedSeries& s : d->series) {
    ferry::remote::SeriesExtrasV2 extras;
    extras.exemplars = s.exemplars;
    extras.metadata = {s.type, s.help, s.unit};
    extras.created_timestamp_ms = s.created_timestamp_ms;
    const bool ok = b.AddSeries(s.labels, s.samples, extras).ok();
    Require(ok == !s.labels.empty(), "v2 re-encode accepted iff labelled");
    if (ok) sent.push_back(&s);
  }
  auto again = ferry::remote::DecodeWriteRequestV2(b.Finish());
  Require(again.ok(), "v2 re-encoded bytes decode");
  Require(again->series.size() == sent.size(), "v2 series count");
  for (size_t i = 0; i < sent.size(); ++i) {
    Require(SameSeries(*sent[i], again->series[i], true), "v2 series round trip");
  }
}

}  // namespace

// The generated parsers log every invalid-UTF-8 string at ERROR through
// protobuf's global log handler; the decoders already return that as a
// Status, so the log lines are only noise that slows the fuzzer down.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(
      [](google::protobuf::LogLevel, const char*, int, const std::string&) {});
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  // As a compressed body, the way a receiver sees it.
  auto raw = ferry::remote::Decompress(in, kMaxBytes);
  if (raw.ok()) {
    CheckV1(*raw);
    CheckV2(*raw);
  }
  // As an uncompressed body, so the fuzzer can reach the decoders directly.
  CheckV1(in);
  CheckV2(in);
  // Compression round trip.
  std::string compressed;
  ferry::remote::Compress(in, &compressed);
  auto back = ferry::remote::Decompress(compressed, size);
  Require(back.ok() && *back == in, "snappy round trip");
  return 0;
}
