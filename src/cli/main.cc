#include <malloc.h>

#include <cstdlib>

#include "src/cli/cli.h"

int main(int argc, char** argv) {
  // glibc gives every thread that allocates its own arena (up to 8 per
  // core), and each arena keeps its high-water mark: the shipper's shard
  // threads then grow RSS with the amount of data that went through them,
  // not with what they hold (docs/perf-notes/ship.md). Two arenas keep the
  // scrape workers and shards from contending on one lock. The
  // MALLOC_ARENA_MAX environment variable still overrides this.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
  return ferry::cli::Main(argc, argv);
}
