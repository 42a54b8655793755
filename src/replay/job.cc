#include "src/replay/job.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "src/base/time_format.h"
#include "src/config/duration.h"
#include "src/replay/request.h"
#include "src/selector/selector.h"

namespace ferry::replay {

Status ValidateSpec(const JobSpec& s) {
  if (s.from_ms > s.to_ms) {
    return Status::InvalidArgument("from: " + FormatRfc3339Millis(s.from_ms) + " is after to " +
                                   FormatRfc3339Millis(s.to_ms));
  }
  const bool named = !s.remote_write_name.empty(), adhoc = !s.url.url.empty();
  if (named == adhoc) {
    return Status::InvalidArgument(
        "destination: give exactly one of remote_write_name and url");
  }
  if (adhoc && s.url.url.rfind("http://", 0) != 0 && s.url.url.rfind("https://", 0) != 0) {
    return Status::InvalidArgument("url: \"" + s.url.url + "\" is not an http(s) URL");
  }
  if (!adhoc) {
    const UrlDestination empty;
    if (!(s.url == empty)) {
      return Status::InvalidArgument(
          "url: auth, TLS and header settings need url (a named remote_write brings its own)");
    }
  }
  if (!s.url.basic_auth_user.empty() && s.url.basic_auth_password_file.empty()) {
    return Status::InvalidArgument("basic_auth_password_file: required with basic_auth_user");
  }
  if (s.url.basic_auth_user.empty() && !s.url.basic_auth_password_file.empty()) {
    return Status::InvalidArgument("basic_auth_user: required with basic_auth_password_file");
  }
  if (!s.url.bearer_token_file.empty() && !s.url.basic_auth_user.empty()) {
    return Status::InvalidArgument("bearer_token_file: cannot be combined with basic auth");
  }
  if (s.url.tls_cert_file.empty() != s.url.tls_key_file.empty()) {
    return Status::InvalidArgument("tls_cert_file: needs tls_key_file and the other way round");
  }
  Result<selector::Selector> sel = selector::Parse(s.match);
  if (!sel.ok()) return Status::InvalidArgument("match: " + sel.status().message());
  if (!std::isfinite(s.rate) || s.rate < 0) {
    return Status::InvalidArgument("rate: must be a finite number >= 0 (samples/s; 0 = unlimited)");
  }
  if (s.rate > 0 && s.rate < 1) {
    return Status::InvalidArgument("rate: below 1 sample/s cannot send a request");
  }
  if (s.skew_ms < 0) return Status::InvalidArgument("skew: must not be negative");
  if (s.shards < 1 || s.shards > 64) return Status::InvalidArgument("shards: must be in [1, 64]");
  if (s.max_samples_per_send < 1 || s.max_samples_per_send > 100'000) {
    return Status::InvalidArgument("max_samples_per_send: must be in [1, 100000]");
  }
  return Status::Ok();
}

std::string_view StateName(JobState s) {
  switch (s) {
    case JobState::kPending: return "pending";
    case JobState::kRunning: return "running";
    case JobState::kPaused: return "paused";
    case JobState::kDone: return "done";
    case JobState::kCancelled: return "cancelled";
    case JobState::kFailed: return "failed";
  }
  return "unknown";
}

std::optional<JobState> ParseState(std::string_view name) {
  for (JobState s : {JobState::kPending, JobState::kRunning, JobState::kPaused, JobState::kDone,
                     JobState::kCancelled, JobState::kFailed}) {
    if (StateName(s) == name) return s;
  }
  return std::nullopt;
}

bool IsTerminal(JobState s) {
  return s == JobState::kDone || s == JobState::kCancelled || s == JobState::kFailed;
}

JobCounters& JobCounters::operator+=(const JobCounters& o) {
  samples_sent += o.samples_sent;
  samples_rejected += o.samples_rejected;
  samples_already_delivered += o.samples_already_delivered;
  samples_dropped += o.samples_dropped;
  samples_retried += o.samples_retried;
  bytes_sent += o.bytes_sent;
  requests += o.requests;
  series_matched += o.series_matched;
  samples_matched += o.samples_matched;
  records_lost += o.records_lost;
  return *this;
}

double JobStatus::Progress() const {
  if (state == JobState::kDone) return 1;
  if (end_seq <= start_seq) return 0;
  uint64_t at = std::clamp(cursor_seq, start_seq, end_seq);
  return static_cast<double>(at - start_seq) / static_cast<double>(end_seq - start_seq);
}

uint64_t JobStatus::SamplesRead() const {
  if (spec.dry_run) return counters.samples_matched;
  return counters.samples_sent + counters.samples_rejected + counters.samples_already_delivered +
         counters.samples_dropped + samples_pending;
}

namespace {

nlohmann::json SpecObject(const JobSpec& s) {
  nlohmann::json j;
  j["from"] = FormatRfc3339Millis(s.from_ms);
  j["to"] = FormatRfc3339Millis(s.to_ms);
  j["match"] = s.match;
  if (!s.remote_write_name.empty()) j["remote_write_name"] = s.remote_write_name;
  const UrlDestination& u = s.url;
  if (!u.url.empty()) j["url"] = u.url;
  auto opt = [&j](const char* k, const std::string& v) {
    if (!v.empty()) j[k] = v;
  };
  opt("bearer_token_file", u.bearer_token_file);
  opt("basic_auth_user", u.basic_auth_user);
  opt("basic_auth_password_file", u.basic_auth_password_file);
  opt("tls_ca_file", u.tls_ca_file);
  opt("tls_cert_file", u.tls_cert_file);
  opt("tls_key_file", u.tls_key_file);
  opt("tls_server_name", u.tls_server_name);
  if (u.tls_insecure_skip_verify) j["tls_insecure_skip_verify"] = true;
  if (!u.headers.empty()) j["headers"] = u.headers;
  if (s.protocol) j["protocol"] = *s.protocol == Protocol::kV2 ? "2.0" : "1.0";
  j["rate"] = s.rate;
  j["dry_run"] = s.dry_run;
  j["skew"] = config::FormatDuration(std::chrono::milliseconds(s.skew_ms));
  j["shards"] = s.shards;
  j["max_samples_per_send"] = s.max_samples_per_send;
  return j;
}

}  // namespace

std::string SpecToJson(const JobSpec& spec) { return SpecObject(spec).dump(); }

std::string StatusToJson(const JobStatus& st) {
  nlohmann::json j;
  j["id"] = st.id;
  j["state"] = StateName(st.state);
  if (!st.error.empty()) j["error"] = st.error;
  if (!st.last_error.empty()) j["last_error"] = st.last_error;
  j["spec"] = SpecObject(st.spec);
  j["created"] = FormatRfc3339Millis(st.created_ms);
  j["created_ms"] = st.created_ms;
  j["updated_ms"] = st.updated_ms;
  j["start_seq"] = st.start_seq;
  j["end_seq"] = st.end_seq;
  j["cursor_seq"] = st.cursor_seq;
  j["progress"] = st.Progress();
  const JobCounters& c = st.counters;
  j["samples_read"] = st.SamplesRead();
  j["samples_pending"] = st.samples_pending;
  j["samples_sent"] = c.samples_sent;
  j["samples_rejected"] = c.samples_rejected;
  j["samples_already_delivered"] = c.samples_already_delivered;
  j["samples_dropped"] = c.samples_dropped;
  j["samples_retried"] = c.samples_retried;
  j["bytes_sent"] = c.bytes_sent;
  j["requests"] = c.requests;
  j["series_matched"] = c.series_matched;
  j["samples_matched"] = c.samples_matched;
  j["records_lost"] = c.records_lost;
  return j.dump();
}

Result<JobStatus> StatusFromJson(std::string_view json) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::InvalidArgument("replay job record: not a JSON object");
  }
  JobStatus st;
  auto u64 = [&j](const char* k, uint64_t* out) -> Status {
    auto it = j.find(k);
    if (it == j.end()) return Status::Ok();
    if (!it->is_number_unsigned()) {
      return Status::InvalidArgument(std::string("replay job record: ") + k + ": not a count");
    }
    *out = it->get<uint64_t>();
    return Status::Ok();
  };
  auto id = j.find("id");
  auto state = j.find("state");
  auto spec = j.find("spec");
  if (id == j.end() || !id->is_string() || state == j.end() || !state->is_string() ||
      spec == j.end() || !spec->is_object()) {
    return Status::InvalidArgument("replay job record: id, state or spec missing");
  }
  st.id = id->get<std::string>();
  std::optional<JobState> s = ParseState(state->get<std::string>());
  if (!s) return Status::InvalidArgument("replay job record: unknown state");
  st.state = *s;
  if (auto e = j.find("error"); e != j.end() && e->is_string()) st.error = e->get<std::string>();
  if (auto e = j.find("last_error"); e != j.end() && e->is_string()) {
    st.last_error = e->get<std::string>();
  }
  FERRY_ASSIGN_OR_RETURN(st.spec, ParseJobRequest(spec->dump(), 0));
  uint64_t created = 0, updated = 0;
  FERRY_RETURN_IF_ERROR(u64("created_ms", &created));
  FERRY_RETURN_IF_ERROR(u64("updated_ms", &updated));
  st.created_ms = static_cast<int64_t>(created);
  st.updated_ms = static_cast<int64_t>(updated);
  FERRY_RETURN_IF_ERROR(u64("start_seq", &st.start_seq));
  FERRY_RETURN_IF_ERROR(u64("end_seq", &st.end_seq));
  FERRY_RETURN_IF_ERROR(u64("cursor_seq", &st.cursor_seq));
  JobCounters& c = st.counters;
  FERRY_RETURN_IF_ERROR(u64("samples_sent", &c.samples_sent));
  FERRY_RETURN_IF_ERROR(u64("samples_rejected", &c.samples_rejected));
  FERRY_RETURN_IF_ERROR(u64("samples_already_delivered", &c.samples_already_delivered));
  FERRY_RETURN_IF_ERROR(u64("samples_dropped", &c.samples_dropped));
  FERRY_RETURN_IF_ERROR(u64("samples_retried", &c.samples_retried));
  FERRY_RETURN_IF_ERROR(u64("bytes_sent", &c.bytes_sent));
  FERRY_RETURN_IF_ERROR(u64("requests", &c.requests));
  FERRY_RETURN_IF_ERROR(u64("series_matched", &c.series_matched));
  FERRY_RETURN_IF_ERROR(u64("samples_matched", &c.samples_matched));
  FERRY_RETURN_IF_ERROR(u64("records_lost", &c.records_lost));
  return st;
}

}  // namespace ferry::replay
