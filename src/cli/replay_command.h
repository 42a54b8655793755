// `ferry replay`: re-send a retained time range (docs/replay.md), against a
// running agent through its admin API (--agent-url) or against a stopped
// agent's data directory (--storage.agent.path; the job runs in the
// foreground and resumes where it stopped if interrupted). Plus
// `ferry replay list|status|pause|resume|cancel`.
//
// Exit codes: 0 the job is done and nothing was rejected (or the control
// command succeeded); 1 an error, or the job failed or was cancelled;
// 2 the job is done but the receiver rejected samples; 3 the job was paused.
#pragma once

#include <string>

namespace ferry::cli {

struct ReplayFlags {
  // Where: exactly one of these.
  std::string agent_url;     // --agent-url http://127.0.0.1:9090
  std::string storage_path;  // --storage.agent.path (stopped agent)
  std::string config_file;   // --config.file, to resolve --remote-write-name offline
  // What.
  std::string from, to, match;
  std::string remote_write_name;
  std::string url, bearer_token_file, basic_auth_user, basic_auth_password_file;
  std::string tls_ca_file, tls_cert_file, tls_key_file, tls_server_name;
  bool tls_insecure_skip_verify = false;
  double rate = 0;
  std::string protocol;  // "1" | "2" | "" (the endpoint's)
  std::string skew;      // duration, "" = default
  int shards = 0;        // 0 = default
  bool dry_run = false;
  // Submit and return at once (agent mode) instead of following progress.
  bool detach = false;
  // For status/pause/resume/cancel.
  std::string id;
};

int RunReplay(const ReplayFlags& flags);
// "action": list, status, pause, resume, cancel.
int RunReplayControl(const ReplayFlags& flags, const std::string& action);

}  // namespace ferry::cli
