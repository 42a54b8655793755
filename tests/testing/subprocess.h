// Subprocess: runs a program for a test, with stdout and stderr captured to
// files, and bounded waits. Not thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace ferry::testing {

class Subprocess {
 public:
  // Starts "argv[0]" with "argv"; output goes to "output_prefix".out/.err.
  // Aborts the test binary if fork/exec setup fails (a broken test machine).
  Subprocess(std::vector<std::string> argv, const std::string& output_prefix);
  ~Subprocess();  // SIGKILLs the child if it is still running
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const { return pid_; }
  void Signal(int sig);
  // Waits up to "timeout" for exit. Returns the exit code, 128+signal when
  // killed by a signal, or nullopt on timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  bool running();

  std::string Stdout() const;
  std::string Stderr() const;
  // Polls stderr (every 10 ms, at most "timeout") until it contains "needle".
  bool WaitForStderr(const std::string& needle, std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::string out_path_, err_path_;
};

// Runs "argv" to completion (at most "timeout"); returns exit code and output.
struct RunResult {
  int exit_code = -1;
  std::string out, err;
};
RunResult RunCommand(const std::vector<std::string>& argv, const std::string& output_prefix,
                     std::chrono::milliseconds timeout = std::chrono::seconds(60));

// A TCP port on 127.0.0.1 that was free a moment ago (bind port 0, close).
int PickFreePort();

}  // namespace ferry::testing
