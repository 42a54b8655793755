// HTTP headers of the remote-write protocols, exactly as Prometheus sends and
// expects them, and parsing of the 2.0 response statistics.
//
// Request headers for each protocol:
//
//   1.0: Content-Encoding: snappy
//        Content-Type: application/x-protobuf
//        X-Prometheus-Remote-Write-Version: 0.1.0
//   2.0: Content-Encoding: snappy
//        Content-Type: application/x-protobuf;proto=io.prometheus.write.v2.Request
//        X-Prometheus-Remote-Write-Version: 2.0.0
//   both: User-Agent: ferry/<version>
//
// A 2.0 receiver answers with X-Prometheus-Remote-Write-{Samples,Histograms,
// Exemplars}-Written: how much of the request it stored.
//
// Thread-safety: constants and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "src/base/status.h"

namespace ferry::remote {

// Which protobuf message a remote_write endpoint receives; Prometheus'
// remote_write `protobuf_message` setting.
enum class ProtoMessage : uint8_t {
  kV1WriteRequest,  // "prometheus.WriteRequest" (default)
  kV2Request,       // "io.prometheus.write.v2.Request"
};

inline constexpr std::string_view kProtoMessageV1 = "prometheus.WriteRequest";
inline constexpr std::string_view kProtoMessageV2 = "io.prometheus.write.v2.Request";

// Parses a `protobuf_message` value. Returns kInvalidArgument naming the
// accepted values for anything else (exact, case-sensitive match, as
// Prometheus' config does).
[[nodiscard]] Result<ProtoMessage> ParseProtoMessage(std::string_view s);
std::string_view ProtoMessageName(ProtoMessage m);

inline constexpr std::string_view kContentEncodingHeader = "Content-Encoding";
inline constexpr std::string_view kContentTypeHeader = "Content-Type";
inline constexpr std::string_view kVersionHeader = "X-Prometheus-Remote-Write-Version";
inline constexpr std::string_view kUserAgentHeader = "User-Agent";

inline constexpr std::string_view kContentEncodingSnappy = "snappy";
inline constexpr std::string_view kContentTypeV1 = "application/x-protobuf";
inline constexpr std::string_view kContentTypeV2 =
    "application/x-protobuf;proto=io.prometheus.write.v2.Request";
inline constexpr std::string_view kVersionV1 = "0.1.0";
inline constexpr std::string_view kVersionV2 = "2.0.0";

inline constexpr std::string_view kSamplesWrittenHeader =
    "X-Prometheus-Remote-Write-Samples-Written";
inline constexpr std::string_view kHistogramsWrittenHeader =
    "X-Prometheus-Remote-Write-Histograms-Written";
inline constexpr std::string_view kExemplarsWrittenHeader =
    "X-Prometheus-Remote-Write-Exemplars-Written";

inline constexpr std::string_view ContentType(ProtoMessage m) {
  return m == ProtoMessage::kV2Request ? kContentTypeV2 : kContentTypeV1;
}
inline constexpr std::string_view VersionHeaderValue(ProtoMessage m) {
  return m == ProtoMessage::kV2Request ? kVersionV2 : kVersionV1;
}

// For receivers: which message a request's Content-Type announces, following
// Prometheus' write handler. Empty, or "application/x-protobuf" without a
// "proto" parameter, means 1.0; "proto=prometheus.WriteRequest" or
// "proto=io.prometheus.write.v2.Request" pick explicitly. Spaces around parts
// are ignored; the media type and parameter name match case-insensitively.
// Returns kInvalidArgument (a receiver answers 415 Unsupported Media Type) for
// another media type, a parameter without "=", or an unknown "proto" value.
[[nodiscard]] Result<ProtoMessage> ProtoMessageFromContentType(std::string_view content_type);

// "ferry/<version>", the version being the project version CMake was given.
std::string_view UserAgent();

// One response header as received; names compare case-insensitively.
struct HeaderField {
  std::string_view name;
  std::string_view value;
};

// What a 2.0 receiver reports having written.
struct WriteResponseStats {
  int64_t samples = 0;
  int64_t histograms = 0;
  int64_t exemplars = 0;
  // True when at least one of the three headers was present with a
  // non-empty value. Only then are the numbers trustworthy: a 1.0 receiver,
  // a proxy error page or a buggy 2.0 receiver sends none of them, which does
  // NOT mean nothing was written (same rule as Prometheus'
  // ParseWriteResponseStats).
  bool confirmed = false;
  friend bool operator==(const WriteResponseStats&, const WriteResponseStats&) = default;
};

// Reads the three *-Written headers from "headers". Names match
// case-insensitively; values are trimmed of spaces and tabs; a missing or
// empty header counts 0. If a header repeats, the first occurrence counts
// (Go's Header.Get). Returns kInvalidArgument naming the header and value if
// a value is not a non-negative decimal integer that fits in int64.
[[nodiscard]] Result<WriteResponseStats> ParseWriteResponseStats(
    std::span<const HeaderField> headers);

}  // namespace ferry::remote
