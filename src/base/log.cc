// The only file that talks to spdlog.
#include "src/base/log.h"

#include "src/base/time_format.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>

namespace ferry::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
std::atomic<int> g_format{static_cast<int>(Format::kLogfmt)};

std::string_view LevelName(Level l) {
  switch (l) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}

std::string Timestamp() {
  auto now = std::chrono::system_clock::now();
  return FormatRfc3339Millis(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
}

bool NeedsQuote(std::string_view v) {
  if (v.empty()) return true;
  for (unsigned char c : v) {
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c >= 0x7f) return true;
  }
  return false;
}

void AppendEscaped(std::string* out, std::string_view v) {
  for (unsigned char c : v) {
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          *out += buf;
        } else {
          *out += static_cast<char>(c);
        }
    }
  }
}

void AppendLogfmt(std::string* out, std::string_view key, std::string_view value) {
  if (!out->empty()) *out += ' ';
  *out += key;
  *out += '=';
  if (NeedsQuote(value)) {
    *out += '"';
    AppendEscaped(out, value);
    *out += '"';
  } else {
    *out += value;
  }
}

void AppendJson(std::string* out, std::string_view key, std::string_view value) {
  *out += out->size() > 1 ? ",\"" : "\"";
  AppendEscaped(out, key);
  *out += "\":\"";
  AppendEscaped(out, value);
  *out += '"';
}

spdlog::logger& Logger() {
  static auto* logger = [] {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto* l = new spdlog::logger("ferry", sink);
    l->set_pattern("%v");
    l->set_level(spdlog::level::trace);
    return l;
  }();
  return *logger;
}

}  // namespace

Result<Level> ParseLevel(std::string_view s) {
  if (s == "debug") return Level::kDebug;
  if (s == "info") return Level::kInfo;
  if (s == "warn") return Level::kWarn;
  if (s == "error") return Level::kError;
  return Status::InvalidArgument("unrecognized log level \"" + std::string(s) +
                                 "\" (want debug, info, warn or error)");
}

Result<Format> ParseFormat(std::string_view s) {
  if (s == "logfmt") return Format::kLogfmt;
  if (s == "json") return Format::kJson;
  return Status::InvalidArgument("unrecognized log format \"" + std::string(s) +
                                 "\" (want logfmt or json)");
}

void Init(Level level, Format format) {
  g_level.store(static_cast<int>(level), std::memory_order_relaxed);
  g_format.store(static_cast<int>(format), std::memory_order_relaxed);
}

bool Enabled(Level level) {
  return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

std::string FormatLine(Format format, Level level, std::string_view component,
                       std::string_view msg, Fields fields) {
  std::string out;
  out.reserve(128);
  auto add = format == Format::kJson ? AppendJson : AppendLogfmt;
  if (format == Format::kJson) out = "{";
  add(&out, "ts", Timestamp());
  add(&out, "level", LevelName(level));
  if (!component.empty()) add(&out, "component", component);
  add(&out, "msg", msg);
  for (const Field& f : fields) add(&out, f.key, f.value);
  if (format == Format::kJson) out += '}';
  return out;
}

void Log(Level level, std::string_view component, std::string_view msg, Fields fields) {
  if (!Enabled(level)) return;
  auto format = static_cast<Format>(g_format.load(std::memory_order_relaxed));
  std::string line = FormatLine(format, level, component, msg, fields);
  Logger().log(spdlog::level::info, "{}", line);
  if (level >= Level::kWarn) Logger().flush();
}

}  // namespace ferry::log
