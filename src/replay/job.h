// Replay job values: what to re-send (JobSpec), where a job stands
// (JobState, JobCounters, JobStatus), and their JSON forms, which are both
// the admin API's wire format and what ReplayManager stores in the WAL's
// meta family (prefix "replay", docs/replay.md).
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "src/base/status.h"

namespace ferry::replay {

enum class Protocol { kV1, kV2 };

// An ad-hoc destination (`--url` and its auth/TLS flags). Secrets are only
// ever named by file, so a job record never stores a credential.
struct UrlDestination {
  std::string url;
  std::string bearer_token_file;
  std::string basic_auth_user;
  std::string basic_auth_password_file;
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_server_name;
  bool tls_insecure_skip_verify = false;
  std::map<std::string, std::string> headers;
  friend bool operator==(const UrlDestination&, const UrlDestination&) = default;
};

struct JobSpec {
  // Sample-time range, inclusive, Unix ms. REQUIRED; from_ms <= to_ms.
  int64_t from_ms = 0;
  int64_t to_ms = 0;
  // PromQL series selector (`{job="node"}`); "" selects every series.
  std::string match;
  // Exactly one destination: a configured remote_write `name` (its URL,
  // auth, TLS, headers, external labels and write_relabel_configs apply), or
  // an ad-hoc URL.
  std::string remote_write_name;
  UrlDestination url;
  // Default: the named endpoint's protobuf_message; RW 1.0 for a URL.
  std::optional<Protocol> protocol;
  // Samples per second over all shards; 0 = unlimited. Default: 0.
  double rate = 0;
  // Count what would be sent; send nothing. Default: false.
  bool dry_run = false;
  // How far a sample's timestamp may lie from its record's append time and
  // still be found: records appended in [from - skew, to + skew] are read.
  // Default: 5 min (docs/replay.md, "Sample time vs append order").
  int64_t skew_ms = 300'000;
  // Senders; each series always goes to the same one. Default: 4.
  int shards = 4;
  // Samples per request at most. Default: 2000.
  int max_samples_per_send = 2000;
  friend bool operator==(const JobSpec&, const JobSpec&) = default;
};

// Checks "spec" for consistency (range, exactly one destination, URL scheme,
// selector syntax, rate, shards, batch size). kInvalidArgument names the
// field: "match: 1:5: unexpected ...".
Status ValidateSpec(const JobSpec& spec);

// STATES
//   pending    accepted, waiting for a free runner slot.
//   running    reading and sending (also after a restart, until resumed).
//   paused     stopped by request; queued samples were sent first.
//   done       every sample of the range was answered (see counters for
//              how many were rejected).  Terminal.
//   cancelled  stopped by request; in-flight requests abandoned. Terminal.
//   failed     could not go on (destination gone, WAL read error). Terminal.
enum class JobState { kPending, kRunning, kPaused, kDone, kCancelled, kFailed };

std::string_view StateName(JobState s);
std::optional<JobState> ParseState(std::string_view name);
bool IsTerminal(JobState s);

struct JobCounters {
  uint64_t samples_sent = 0;       // acknowledged by the receiver (2xx)
  uint64_t samples_rejected = 0;   // non-retryable 4xx, or RW 2.0 shortfall
  uint64_t samples_already_delivered = 0;  // resend after a crash refused as duplicate
  uint64_t samples_dropped = 0;    // series dropped by write_relabel_configs or collected
  uint64_t samples_retried = 0;    // samples of attempts that were retried
  uint64_t bytes_sent = 0;         // compressed request bytes, per attempt
  uint64_t requests = 0;           // attempts
  // Dry run: distinct series and samples that would be sent.
  uint64_t series_matched = 0;
  uint64_t samples_matched = 0;
  // Records retention deleted before the job could read them.
  uint64_t records_lost = 0;
  JobCounters& operator+=(const JobCounters& o);
  friend bool operator==(const JobCounters&, const JobCounters&) = default;
};

struct JobStatus {
  std::string id;
  JobSpec spec;
  JobState state = JobState::kPending;
  std::string error;       // why the job failed
  std::string last_error;  // the latest refused request or network error
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  // Sequence range [start_seq, end_seq) fixed at creation, and the first
  // sequence not yet fully answered (the job's WAL cursor).
  uint64_t start_seq = 0;
  uint64_t end_seq = 0;
  uint64_t cursor_seq = 0;
  JobCounters counters;
  // Samples read and handed to senders, not yet answered (live only).
  uint64_t samples_pending = 0;

  // (cursor - start) / (end - start), 1 when done.
  double Progress() const;
  // Every sample handed out so far: answered + pending.
  uint64_t SamplesRead() const;
};

// JSON forms. SpecToJson/StatusToJson never fail; the parsers return
// kInvalidArgument naming the field for anything malformed or unknown.
std::string SpecToJson(const JobSpec& spec);
std::string StatusToJson(const JobStatus& status);
Result<JobStatus> StatusFromJson(std::string_view json);

}  // namespace ferry::replay
