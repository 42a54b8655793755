# Decoding cost of file_sd / http_sd target group documents.
ferry_bench(file_sd DEPS ferry_discovery)
