ferry_bench(remote DEPS ferry_remote)
