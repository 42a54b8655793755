// Protocol-buffer wire-format primitives for ferry's hand-written encoders.
//
// Writers take a raw "char* p" that the caller has sized exactly (sizes come
// from the *Size() functions here) and return the position after what they
// wrote. No bounds checks: the callers compute sizes first, then write, so the
// output buffer grows once per message instead of once per field.
//
//   varint  := 7 bits per byte, little-endian groups, MSB = "more follows"
//   tag     := varint(field_number << 3 | wire_type)
//   wire types: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32
//
// Negative int64 values are varints of their two's complement (10 bytes), as
// protobuf encodes int64 (not sint64) fields.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace ferry::remote::internal {

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2 };

constexpr uint8_t Tag(uint32_t field, WireType type) {
  return static_cast<uint8_t>((field << 3) | type);  // all ferry fields are < 16
}

inline size_t VarintSize(uint64_t v) {
  // 1 + floor(bit_width / 7), with 0 taking one byte.
  return static_cast<size_t>((std::bit_width(v | 1) + 6) / 7);
}

inline char* WriteVarint(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

inline char* WriteByte(char* p, uint8_t b) {
  *p++ = static_cast<char>(b);
  return p;
}

// Copies the bits of "v" unchanged (NaN payloads included), little-endian.
inline char* WriteDouble(char* p, double v) {
  static_assert(std::endian::native == std::endian::little, "ferry assumes little-endian");
  std::memcpy(p, &v, 8);
  return p + 8;
}

inline char* WriteBytes(char* p, std::string_view s) {
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

// Size of a length-delimited field with a one-byte tag: tag + len + payload.
inline size_t LengthDelimitedSize(size_t payload) { return 1 + VarintSize(payload) + payload; }

// Size of a proto3 double field with a one-byte tag, omitted when its bits
// are all zero (+0.0), as proto3 serializers do. -0.0 and NaNs are written.
inline size_t DoubleFieldSize(double v) { return std::bit_cast<uint64_t>(v) != 0 ? 9 : 0; }

// Size of a proto3 int64/uint64 field with a one-byte tag, omitted when 0.
inline size_t Int64FieldSize(int64_t v) {
  return v != 0 ? 1 + VarintSize(static_cast<uint64_t>(v)) : 0;
}

inline char* WriteDoubleField(char* p, uint8_t tag, double v) {
  if (std::bit_cast<uint64_t>(v) == 0) return p;
  p = WriteByte(p, tag);
  return WriteDouble(p, v);
}

inline char* WriteInt64Field(char* p, uint8_t tag, int64_t v) {
  if (v == 0) return p;
  p = WriteByte(p, tag);
  return WriteVarint(p, static_cast<uint64_t>(v));
}

// Writes tag + length + bytes.
inline char* WriteStringField(char* p, uint8_t tag, std::string_view s) {
  p = WriteByte(p, tag);
  p = WriteVarint(p, s.size());
  return WriteBytes(p, s);
}

// Reads a varint written by WriteVarint. No bounds or overflow checks: only
// for bytes ferry encoded itself and keeps immutable (EncodedLabels); use the
// generated parsers (decode.h) for anything received.
inline const char* ReadTrustedVarint(const char* p, uint64_t* v) {
  uint64_t out = 0;
  for (int shift = 0;; shift += 7) {
    const auto b = static_cast<uint8_t>(*p++);
    out |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (b < 0x80) break;
  }
  *v = out;
  return p;
}

}  // namespace ferry::remote::internal
