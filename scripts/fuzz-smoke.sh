#!/usr/bin/env bash
# Builds every fuzz target with clang + libFuzzer (ASan/UBSan) in build dir $1
# and runs each for $2 seconds from its seed corpus. A crash fails the run and
# leaves the crashing input in the build dir; commit it to fuzz/corpus/<unit>/.
# Every library is compiled with -fsanitize=fuzzer-no-link so libFuzzer sees
# coverage in the code under test, not only in the fuzzer's own file.
set -euo pipefail
dir=${1:-build-fuzz}
seconds=${2:-15}
root=$(cd "$(dirname "$0")/.." && pwd)
cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DFERRY_LIBFUZZER=ON -DFERRY_SANITIZE=address,undefined \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link" -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link" \
  -DFERRY_BUILD_TESTS=OFF -DFERRY_BUILD_BENCH=OFF >/dev/null
targets=$(cd "$root/fuzz" && ls *_fuzzer.cc 2>/dev/null | sed 's/\.cc$//' || true)
if [ -z "$targets" ]; then echo "fuzz-smoke: no fuzz targets"; exit 0; fi
cmake --build "$dir" -j "$(nproc)" --target $targets
for t in $targets; do
  unit=${t%_fuzzer}
  work=$(mktemp -d)
  cp -r "$root/fuzz/corpus/$unit/." "$work/" 2>/dev/null || true
  echo "fuzz-smoke: $t for ${seconds}s"
  (cd "$dir" && "./fuzz/$t" -max_total_time="$seconds" -print_final_stats=1 "$work" 2>&1 | tail -4)
  rm -rf "$work"
done
echo "fuzz-smoke: all targets ran without a crash"
