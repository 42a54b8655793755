ferry_fuzzer(file_sd DEPS ferry_discovery nlohmann_json::nlohmann_json)
