# wal/ benchmarks: append throughput per durability mode, read+decode
# throughput, bytes per sample after compaction (docs/perf-notes/wal.md).
ferry_bench(wal DEPS ferry_wal ferry_testing)
