// SetThreadName: names the calling thread for top -H, perf, gdb and
// /proc/<pid>/task/*/comm, so an operator can tell which part of the agent
// uses the CPU or wakes up. Linux keeps 15 bytes; longer names are cut.
#pragma once

#include <pthread.h>

#include <string>
#include <string_view>

namespace ferry {

inline void SetThreadName(std::string_view name) {
  std::string n(name.substr(0, 15));
  pthread_setname_np(pthread_self(), n.c_str());  // fails only on length, prevented above
}

}  // namespace ferry
