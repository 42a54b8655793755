ferry_fuzzer(remote_decode DEPS ferry_remote)
