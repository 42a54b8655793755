ferry_bench(ship DEPS ferry_ship ferry_httpclient ferry_wal PkgConfig::HTTPLIB prometheus-cpp::core)
