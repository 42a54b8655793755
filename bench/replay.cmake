# Replay throughput (src/replay): a 10 M-sample range to a loopback 204 sink,
# all series and a 1 % selector.
ferry_bench(replay DEPS ferry_replay PkgConfig::HTTPLIB)
