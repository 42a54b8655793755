// Structured logging over spdlog, in Prometheus' style.
//
// Lines are logfmt by default and JSON with Format::kJson:
//   ts=2026-11-25T15:30:00.123Z level=info component=wal msg="wal opened" dir=./data
//   {"ts":"2026-11-25T15:30:00.123Z","level":"info","component":"wal","msg":"wal opened",...}
// Levels are Prometheus' (debug, info, warn, error). Messages are lower case;
// details go in fields, never formatted into the message. No per-sample logs.
//
// Thread-safe: every function may be called from any thread.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "src/base/status.h"

namespace ferry::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class Format { kLogfmt, kJson };

// One key=value field. Values are rendered as given (quoted when needed).
struct Field {
  std::string_view key;
  std::string value;
  Field(std::string_view k, std::string v) : key(k), value(std::move(v)) {}
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(v) {}
  template <typename N, typename = std::enable_if_t<std::is_arithmetic_v<N>>>
  Field(std::string_view k, N n) : key(k), value(std::to_string(n)) {}
};
using Fields = std::initializer_list<Field>;

// Parses "debug", "info", "warn", "error" (Prometheus' --log.level values).
Result<Level> ParseLevel(std::string_view s);
// Parses "logfmt" or "json" (Prometheus' --log.format values).
Result<Format> ParseFormat(std::string_view s);

// Configures the process-wide logger, writing to stderr. May be called again
// (for tests); lines logged concurrently with Init() may use either setting.
void Init(Level level, Format format);

// Returns the line that Log() would write (without newline). For tests.
std::string FormatLine(Format format, Level level, std::string_view component,
                       std::string_view msg, Fields fields);

void Log(Level level, std::string_view component, std::string_view msg, Fields fields = {});

inline void Debug(std::string_view component, std::string_view msg, Fields f = {}) {
  Log(Level::kDebug, component, msg, f);
}
inline void Info(std::string_view component, std::string_view msg, Fields f = {}) {
  Log(Level::kInfo, component, msg, f);
}
inline void Warn(std::string_view component, std::string_view msg, Fields f = {}) {
  Log(Level::kWarn, component, msg, f);
}
inline void Error(std::string_view component, std::string_view msg, Fields f = {}) {
  Log(Level::kError, component, msg, f);
}

bool Enabled(Level level);

}  // namespace ferry::log
