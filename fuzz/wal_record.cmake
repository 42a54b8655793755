# Fuzzes every decoder of bytes the WAL stores: records, label sets, cursors.
ferry_fuzzer(wal_record DEPS ferry_wal)
