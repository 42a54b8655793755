# Fuzzer of the scrape cache's warm fast path against the full parser (src/scrape).
ferry_fuzzer(scrape_fast_path DEPS ferry_scrape)
