ferry_fuzzer(ship_parse DEPS ferry_ship)
