# Parser throughput (src/parse): MB/s and samples/s, text and OpenMetrics.
ferry_bench(parse DEPS ferry_parse)
