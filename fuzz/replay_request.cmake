ferry_fuzzer(replay_request DEPS ferry_replay)
