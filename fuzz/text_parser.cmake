# Fuzzer of the Prometheus text-format parser (src/parse).
ferry_fuzzer(text_parser DEPS ferry_parse)
