ferry_fuzzer(selector DEPS ferry_selector)
