#include "src/remote/headers.h"

#include <charconv>
#include <string>

#ifndef FERRY_REMOTE_VERSION
#error "FERRY_REMOTE_VERSION must be defined by the build (src/remote/CMakeLists.txt)"
#endif

namespace ferry::remote {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Fills "*out" from the first header named "name"; leaves it alone if absent
// or empty.
Status ReadCount(std::span<const HeaderField> headers, std::string_view name, int64_t* out,
                 bool* seen) {
  for (const HeaderField& h : headers) {
    if (!EqualsIgnoreCase(h.name, name)) continue;
    std::string_view v = Trim(h.value);
    if (v.empty()) return Status::Ok();  // empty means zero, and confirms nothing
    *seen = true;
    int64_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size() || n < 0) {
      return Status::InvalidArgument("response header " + std::string(name) + ": \"" +
                                     std::string(v) + "\" is not a non-negative integer");
    }
    *out = n;
    return Status::Ok();
  }
  return Status::Ok();
}

}  // namespace

Result<ProtoMessage> ParseProtoMessage(std::string_view s) {
  if (s == kProtoMessageV1) return ProtoMessage::kV1WriteRequest;
  if (s == kProtoMessageV2) return ProtoMessage::kV2Request;
  return Status::InvalidArgument("unknown protobuf_message \"" + std::string(s) + "\": want \"" +
                                 std::string(kProtoMessageV1) + "\" or \"" +
                                 std::string(kProtoMessageV2) + "\"");
}

std::string_view ProtoMessageName(ProtoMessage m) {
  return m == ProtoMessage::kV2Request ? kProtoMessageV2 : kProtoMessageV1;
}

Result<ProtoMessage> ProtoMessageFromContentType(std::string_view content_type) {
  std::string_view rest = Trim(content_type);
  if (rest.empty()) return ProtoMessage::kV1WriteRequest;
  const size_t semi = rest.find(';');
  const std::string_view media = Trim(rest.substr(0, semi));
  if (!EqualsIgnoreCase(media, kContentTypeV1)) {
    return Status::InvalidArgument("Content-Type \"" + std::string(content_type) +
                                   "\": media type must be " + std::string(kContentTypeV1));
  }
  rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
  while (!rest.empty()) {
    const size_t next = rest.find(';');
    const std::string_view param = Trim(rest.substr(0, next));
    rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
    const size_t eq = param.find('=');
    if (eq == std::string_view::npos) {
      return Status::InvalidArgument("Content-Type \"" + std::string(content_type) +
                                     "\": parameter \"" + std::string(param) +
                                     "\" is not key=value");
    }
    if (!EqualsIgnoreCase(Trim(param.substr(0, eq)), "proto")) continue;
    std::string_view value = Trim(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    Result<ProtoMessage> m = ParseProtoMessage(value);
    if (!m.ok())
      return m.status().WithContext("Content-Type \"" + std::string(content_type) + "\"");
    return m;
  }
  return ProtoMessage::kV1WriteRequest;
}

std::string_view UserAgent() { return "ferry/" FERRY_REMOTE_VERSION; }

Result<WriteResponseStats> ParseWriteResponseStats(std::span<const HeaderField> headers) {
  WriteResponseStats s;
  FERRY_RETURN_IF_ERROR(ReadCount(headers, kSamplesWrittenHeader, &s.samples, &s.confirmed));
  FERRY_RETURN_IF_ERROR(ReadCount(headers, kHistogramsWrittenHeader, &s.histograms, &s.confirmed));
  FERRY_RETURN_IF_ERROR(ReadCount(headers, kExemplarsWrittenHeader, &s.exemplars, &s.confirmed));
  return s;
}

}  // namespace ferry::remote
