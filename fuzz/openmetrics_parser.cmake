# Fuzzer of the OpenMetrics parser (src/parse).
ferry_fuzzer(openmetrics_parser DEPS ferry_parse)
