ferry_fuzzer(config DEPS ferry_config)
