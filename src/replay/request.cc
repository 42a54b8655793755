#include "src/replay/request.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "src/config/duration.h"

namespace ferry::replay {
namespace {

Status BadTime(std::string_view s) {
  return Status::InvalidArgument(
      "invalid time \"" + std::string(s.substr(0, 64)) +
      "\": want RFC 3339 (2026-11-25T15:00:00Z), Unix seconds, \"now\" or a relative time like -6h");
}

// The times a job can hold: what RFC 3339 can write (years 0000 to 9999).
// The job store keeps a spec as JSON with RFC 3339 times, so a time outside
// this range would be accepted once and refused when the job is read back.
constexpr int64_t kMinTimeMs = -62'167'219'200'000;  // 0000-01-01T00:00:00Z
constexpr int64_t kMaxTimeMs = 253'402'300'799'999;  // 9999-12-31T23:59:59.999Z

Status OutOfRange(std::string_view s, double ms) {
  // Unix seconds given in milliseconds is the likely mistake behind a
  // number this far out.
  const bool looks_like_ms = s.find_first_not_of("0123456789.-") == std::string_view::npos &&
                             ms / 1000 >= static_cast<double>(kMinTimeMs) &&
                             ms / 1000 <= static_cast<double>(kMaxTimeMs);
  const char* hint = looks_like_ms ? " (Unix seconds are wanted, not milliseconds)" : "";
  return Status::InvalidArgument("time \"" + std::string(s.substr(0, 64)) +
                                 "\" is outside years 0000 to 9999" + hint);
}

bool Digits(std::string_view s, size_t n, int* out) {
  if (s.size() < n) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

Result<int64_t> ParseRfc3339(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  int y, mo, d, h, mi, se;
  if (s.size() < 20 || !Digits(s, 4, &y) || s[4] != '-' || !Digits(s.substr(5), 2, &mo) ||
      s[7] != '-' || !Digits(s.substr(8), 2, &d) || (s[10] != 'T' && s[10] != 't') ||
      !Digits(s.substr(11), 2, &h) || s[13] != ':' || !Digits(s.substr(14), 2, &mi) ||
      s[16] != ':' || !Digits(s.substr(17), 2, &se)) {
    return BadTime(s);
  }
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || se > 60) return BadTime(s);
  std::string_view rest = s.substr(19);
  int64_t frac_ms = 0;
  if (!rest.empty() && rest[0] == '.') {
    size_t i = 1;
    int64_t scale = 100;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') {
      frac_ms += (rest[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == 1) return BadTime(s);
    rest = rest.substr(i);
  }
  int64_t offset_min = 0;
  if (rest == "Z" || rest == "z") {
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    int oh, om;
    if (!Digits(rest.substr(1), 2, &oh) || !Digits(rest.substr(4), 2, &om) || oh > 23 || om > 59) {
      return BadTime(s);
    }
    offset_min = (oh * 60 + om) * (rest[0] == '-' ? -1 : 1);
  } else {
    return BadTime(s);
  }
  int64_t days = sys_days(ymd).time_since_epoch().count();
  int64_t secs = days * 86400 + h * 3600 + mi * 60 + se - offset_min * 60;
  return secs * 1000 + frac_ms;
}

Result<int64_t> ParseTimeAnyRange(std::string_view s, int64_t now_ms) {
  if (s.empty()) return BadTime(s);
  if (s == "now") return now_ms;
  if (s[0] == '-' || s[0] == '+') {
    if (s.size() > 1 && (s[1] < '0' || s[1] > '9' || s.find_first_not_of("0123456789.", 1) !=
                                                          std::string_view::npos)) {
      Result<std::chrono::milliseconds> d = config::ParseDuration(s.substr(1));
      if (!d.ok()) return BadTime(s);
      return s[0] == '-' ? now_ms - d->count() : now_ms + d->count();
    }
  }
  if (s.size() >= 20 && s[4] == '-') return ParseRfc3339(s);
  // Unix seconds, optionally fractional.
  if (s.find_first_not_of("0123456789.-") != std::string_view::npos) return BadTime(s);
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v) || std::fabs(v) > 1e13) {
    return BadTime(s);
  }
  return static_cast<int64_t>(std::llround(v * 1000));
}

}  // namespace

Result<int64_t> ParseTime(std::string_view s, int64_t now_ms) {
  FERRY_ASSIGN_OR_RETURN(int64_t ms, ParseTimeAnyRange(s, now_ms));
  if (ms < kMinTimeMs || ms > kMaxTimeMs) return OutOfRange(s, static_cast<double>(ms));
  return ms;
}

Result<JobSpec> ParseJobRequest(std::string_view body, int64_t now_ms) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("request body: not valid JSON");
  if (!j.is_object()) return Status::InvalidArgument("request body: want a JSON object");
  JobSpec s;
  bool have_from = false, have_to = false;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const nlohmann::json& v = it.value();
    auto str = [&](std::string* out) -> Status {
      if (!v.is_string()) return Status::InvalidArgument(k + ": want a string");
      *out = v.get<std::string>();
      return Status::Ok();
    };
    auto integer = [&](int* out) -> Status {
      if (!v.is_number_integer() || v.get<int64_t>() < INT32_MIN || v.get<int64_t>() > INT32_MAX) {
        return Status::InvalidArgument(k + ": want an integer");
      }
      *out = static_cast<int>(v.get<int64_t>());
      return Status::Ok();
    };
    auto boolean = [&](bool* out) -> Status {
      if (!v.is_boolean()) return Status::InvalidArgument(k + ": want true or false");
      *out = v.get<bool>();
      return Status::Ok();
    };
    if (k == "from" || k == "to") {
      int64_t ms;
      if (v.is_number()) {
        double secs = v.get<double>();
        if (!std::isfinite(secs) || secs * 1000 < static_cast<double>(kMinTimeMs) ||
            secs * 1000 > static_cast<double>(kMaxTimeMs)) {
          return Status::InvalidArgument(k + ": " + OutOfRange(v.dump(), secs * 1000).message());
        }
        ms = static_cast<int64_t>(std::llround(secs * 1000));
      } else if (v.is_string()) {
        Result<int64_t> t = ParseTime(v.get<std::string>(), now_ms);
        if (!t.ok()) return Status::InvalidArgument(k + ": " + t.status().message());
        ms = *t;
      } else {
        return Status::InvalidArgument(k + ": want a time string or Unix seconds");
      }
      (k == "from" ? s.from_ms : s.to_ms) = ms;
      (k == "from" ? have_from : have_to) = true;
    } else if (k == "match") {
      FERRY_RETURN_IF_ERROR(str(&s.match));
    } else if (k == "remote_write_name") {
      FERRY_RETURN_IF_ERROR(str(&s.remote_write_name));
    } else if (k == "url") {
      FERRY_RETURN_IF_ERROR(str(&s.url.url));
    } else if (k == "bearer_token_file") {
      FERRY_RETURN_IF_ERROR(str(&s.url.bearer_token_file));
    } else if (k == "basic_auth_user") {
      FERRY_RETURN_IF_ERROR(str(&s.url.basic_auth_user));
    } else if (k == "basic_auth_password_file") {
      FERRY_RETURN_IF_ERROR(str(&s.url.basic_auth_password_file));
    } else if (k == "tls_ca_file") {
      FERRY_RETURN_IF_ERROR(str(&s.url.tls_ca_file));
    } else if (k == "tls_cert_file") {
      FERRY_RETURN_IF_ERROR(str(&s.url.tls_cert_file));
    } else if (k == "tls_key_file") {
      FERRY_RETURN_IF_ERROR(str(&s.url.tls_key_file));
    } else if (k == "tls_server_name") {
      FERRY_RETURN_IF_ERROR(str(&s.url.tls_server_name));
    } else if (k == "tls_insecure_skip_verify") {
      FERRY_RETURN_IF_ERROR(boolean(&s.url.tls_insecure_skip_verify));
    } else if (k == "headers") {
      if (!v.is_object()) return Status::InvalidArgument("headers: want an object of strings");
      for (auto h = v.begin(); h != v.end(); ++h) {
        if (!h.value().is_string() || h.key().empty()) {
          return Status::InvalidArgument("headers: want an object of strings");
        }
        s.url.headers[h.key()] = h.value().get<std::string>();
      }
    } else if (k == "protocol") {
      std::string p;
      if (v.is_number_integer()) {
        p = std::to_string(v.get<int64_t>());
      } else if (!str(&p).ok()) {
        return Status::InvalidArgument("protocol: want \"1.0\" or \"2.0\"");
      }
      if (p == "1" || p == "1.0" || p == "prometheus.WriteRequest") {
        s.protocol = Protocol::kV1;
      } else if (p == "2" || p == "2.0" || p == "io.prometheus.write.v2.Request") {
        s.protocol = Protocol::kV2;
      } else {
        return Status::InvalidArgument("protocol: want \"1.0\" or \"2.0\"");
      }
    } else if (k == "rate") {
      if (!v.is_number()) return Status::InvalidArgument("rate: want samples per second");
      s.rate = v.get<double>();
    } else if (k == "dry_run") {
      FERRY_RETURN_IF_ERROR(boolean(&s.dry_run));
    } else if (k == "skew") {
      std::string d;
      FERRY_RETURN_IF_ERROR(str(&d));
      Result<std::chrono::milliseconds> ms = config::ParseDuration(d);
      if (!ms.ok()) return Status::InvalidArgument("skew: " + ms.status().message());
      s.skew_ms = ms->count();
    } else if (k == "shards") {
      FERRY_RETURN_IF_ERROR(integer(&s.shards));
    } else if (k == "max_samples_per_send") {
      FERRY_RETURN_IF_ERROR(integer(&s.max_samples_per_send));
    } else {
      return Status::InvalidArgument("unknown field \"" + k.substr(0, 64) + "\"");
    }
  }
  if (!have_from) return Status::InvalidArgument("from: required");
  if (!have_to) return Status::InvalidArgument("to: required");
  FERRY_RETURN_IF_ERROR(ValidateSpec(s));
  return s;
}

}  // namespace ferry::replay
