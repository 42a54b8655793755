# Heap bytes per series of the label set (Labels vs PackedLabels), the WAL's
# series index and the scrape cache, via mallinfo2() deltas
# (docs/perf-notes/wal.md, docs/perf-notes/scrape.md).
ferry_bench(labels_mem DEPS ferry_scrape ferry_wal ferry_labels)
