// Signal handling for the agent process, the Prometheus way: SIGHUP reloads
// the configuration, SIGINT and SIGTERM shut down cleanly.
//
// BlockAgentSignals() must run in the main thread before any other thread
// starts, so every thread inherits the mask and only WaitForTermination()
// receives them (synchronously, with sigwait: no async-signal-safety traps).
#pragma once

#include <functional>

namespace ferry::agent {

void BlockAgentSignals();

// Loops in sigwait(): calls "on_reload" for each SIGHUP; returns the signal
// number on SIGINT or SIGTERM.
int WaitForTermination(const std::function<void()>& on_reload);

}  // namespace ferry::agent
