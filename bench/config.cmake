ferry_bench(config DEPS ferry_config)
