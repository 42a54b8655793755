// `ferry wal inspect` and `ferry wal dump`: read a WAL, of a running agent
// (through a RocksDB secondary instance) or of a stopped one.
#pragma once

#include <string>

namespace ferry::cli {

struct WalFlags {
  std::string storage_path = "data-agent/";
  bool json = false;           // inspect: --json
  std::string from = "";       // dump: --from (default: the oldest sample)
  std::string to = "";         // dump: --to (default: now)
  std::string match = "";      // dump: --match SELECTOR
  std::string format = "text";  // dump: text | json
};

// Exit codes: 0 success, 1 failure (message on stderr).
int RunWalInspect(const WalFlags& flags);
int RunWalDump(const WalFlags& flags);

}  // namespace ferry::cli
