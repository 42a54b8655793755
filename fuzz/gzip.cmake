# Fuzzer of the gzip body decoder (src/httpclient/gzip.h): scrape targets send
# these bytes.
ferry_fuzzer(gzip DEPS ferry_httpclient)
