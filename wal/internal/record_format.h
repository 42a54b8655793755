// Constants of the WAL's stored byte format. The format itself is specified in
// docs/wal-format.md; every constant here is named there.
#pragma once

#include <cstdint>
#include <string_view>

namespace ferry::wal::internal {

// Format version stored in meta/"version" and in the first byte of a record.
inline constexpr uint32_t kFormatVersion = 1;
// Oldest on-disk version this code can upgrade from.
inline constexpr uint32_t kMinSupportedVersion = 1;

// Record flags (second byte of a record).
inline constexpr uint8_t kFlagDelta = 0x01;     // references a keyframe
inline constexpr uint8_t kFlagSharedTs = 0x02;  // every sample has min_ts
inline constexpr uint8_t kKnownFlags = kFlagDelta | kFlagSharedTs;

// A delta's keyframe is at most this many sequences back.
inline constexpr uint64_t kMaxKeyframeDistance = 65536;
// A stream writes a new keyframe after this many consecutive deltas.
inline constexpr uint32_t kKeyframeInterval = 32;

// Largest count a record may claim. Bounds decoder allocations on damaged
// input to what the bytes could possibly hold (each sample takes >= 1 bit).
inline constexpr uint64_t kMaxSamplesPerRecord = uint64_t{1} << 26;

// Column family names.
inline constexpr std::string_view kSeriesFamily = "series";
inline constexpr std::string_view kSamplesFamily = "samples";
inline constexpr std::string_view kMetaFamily = "meta";

// meta keys.
inline constexpr std::string_view kMetaVersion = "version";
inline constexpr std::string_view kMetaSeriesHwm = "series_hwm";
inline constexpr std::string_view kMetaSeqFloor = "seq_floor";
inline constexpr std::string_view kMetaCursorPrefix = "c/";
inline constexpr std::string_view kMetaKvPrefix = "k/";

}  // namespace ferry::wal::internal
