#include "src/agent/signals.h"

#include <pthread.h>
#include <signal.h>

namespace ferry::agent {
namespace {
sigset_t AgentSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}
}  // namespace

void BlockAgentSignals() {
  sigset_t set = AgentSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // A closed peer must not kill the process through SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
}

int WaitForTermination(const std::function<void()>& on_reload) {
  sigset_t set = AgentSignals();
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      on_reload();
      continue;
    }
    return sig;
  }
}

}  // namespace ferry::agent
