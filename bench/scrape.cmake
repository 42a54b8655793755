# Scrape append path (src/scrape): cold and warm-cache scrapes of a
# node_exporter body and a 10k-series body, and end to end into a real WAL
# (docs/perf-notes/scrape.md).
ferry_bench(scrape DEPS ferry_scrape ferry_wal ferry_testing)
