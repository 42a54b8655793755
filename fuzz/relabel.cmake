ferry_fuzzer(relabel DEPS ferry_relabel)
