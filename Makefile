# ferry: the two commands a user needs are `make run` and `make test`.
# Everything else here is for developers.

SHELL := /bin/bash
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
CONFIG ?= examples/ferry.yml
DATA ?= ./data
CMAKE_FLAGS ?=

.PHONY: all deps configure build run test unit fuzz-smoke bench asan tsan clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS)

configure: deps $(BUILD_DIR)/build.ninja

# Puts the agent at build/ferry.
build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Runs the agent with the example config: it scrapes itself, keeps its WAL in
# ./data and remote-writes to 127.0.0.1:9090 (buffering while nothing listens).
# Lifecycle (/-/reload, /-/quit) and admin (replay) APIs are on: it listens on
# loopback only.
run: build
	$(BUILD_DIR)/ferry --config.file=$(CONFIG) --storage.agent.path=$(DATA) \
	  --web.listen-address=127.0.0.1:9095 --web.enable-lifecycle --web.enable-admin-api

# Every test: unit, integration (real Prometheus and node_exporter on
# loopback, started by the tests), crash loops, fuzz corpus replays, and a
# short libFuzzer run of every fuzz target when clang is present.
test: build
	set -o pipefail; cd $(BUILD_DIR) && ctest -j $(JOBS) --output-on-failure --timeout 600 \
	  | tee ctest-output.log
	@$(MAKE) --no-print-directory fuzz-smoke
	@# Repeat ctest's verdict as the last line, after the fuzz runs' output.
	@awk '/tests passed, .* tests failed out of/ { f = $$(NF-5); n = $$NF } \
	  END { if (n == "") exit 1; printf "ctest: %d passed, %d failed\n", n - f, f }' \
	  $(BUILD_DIR)/ctest-output.log

unit: build
	cd $(BUILD_DIR) && ctest -j $(JOBS) --output-on-failure -L unit

# Short libFuzzer runs (FUZZ_SECONDS each) in a separate clang build.
FUZZ_SECONDS ?= 15
fuzz-smoke: deps
	@if command -v clang++ >/dev/null; then \
	  scripts/fuzz-smoke.sh build-fuzz $(FUZZ_SECONDS); \
	else echo "fuzz-smoke: clang not found, corpus replays ran under ctest"; fi

bench: deps
	cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DFERRY_BUILD_TESTS=OFF $(CMAKE_FLAGS)
	cmake --build build-bench -j $(JOBS)
	@echo "benchmarks are in build-bench/bench/; see docs/performance.md"

asan: deps
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DFERRY_SANITIZE=address,undefined $(CMAKE_FLAGS)
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ctest -j $(JOBS) --output-on-failure --timeout 900

clean:
	rm -rf $(BUILD_DIR) build-fuzz build-bench build-asan
