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
  // glibc also raises its mmap threshold to the largest block freed so far
  // (up to 32 MiB): after the first RocksDB memtable (arena blocks of 1/8 of
  // write_buffer_size) is flushed, later memtables come from the heap and
  // leave megabyte holes in it between scrape bodies and requests. A fixed
  // 1 MiB threshold keeps blocks that large in their own mappings, returned
  // whole when freed, while scrape bodies (below it) stay on the heap:
  // -15 to -20 MB steady RSS at 100 k series, CPU unchanged within noise
  // (docs/perf-notes/ship.md). MALLOC_MMAP_THRESHOLD_ still overrides it.
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") == nullptr) mallopt(M_MMAP_THRESHOLD, 1 << 20);
  return ferry::cli::Main(argc, argv);
}
