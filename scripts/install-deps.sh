#!/usr/bin/env bash
# Installs the Debian 12 packages ferry builds with and tests against.
# Idempotent: when every package is already installed it only checks and exits
# (well under a second). `apt-get update` runs only when a package is missing.
# Nothing is downloaded from anywhere but Debian's archive; nothing is vendored.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev
  # storage: the WAL is a RocksDB instance; snappy compresses SSTs and remote-write bodies
  librocksdb-dev libsnappy-dev zlib1g-dev
  # network: libcurl (scrape and remote-write client), OpenSSL, cpp-httplib (our HTTP server)
  libcurl4-openssl-dev libssl-dev libcpp-httplib-dev
  # gzip scrape bodies: libdeflate decodes them whole, 3-4x faster than zlib
  libdeflate-dev
  # formats: protobuf (remote write), yaml-cpp (prometheus.yml), RE2 (relabel regexes)
  libprotobuf-dev protobuf-compiler libyaml-cpp-dev libre2-dev
  # observability and CLI: prometheus-cpp core (self metrics), spdlog/fmt (logs), CLI11
  prometheus-cpp-dev libspdlog-dev libfmt-dev libcli11-dev
  # JSON for the HTTP API (/api/v1/*) and `--json` CLI output
  nlohmann-json3-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # real peers in integration tests: receiver, reference agent, promtool, scrape target
  prometheus prometheus-node-exporter curl python3
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# Debian's prometheus packages start services through invoke-rc.d; ferry's
# tests start their own peers, so keep the package scripts from starting any.
policy_rc=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy_rc" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy_rc" >/dev/null
  $SUDO chmod +x "$policy_rc"
  created_policy=1
fi
cleanup() { if [ "$created_policy" = 1 ]; then $SUDO rm -f "$policy_rc"; fi; }
trap cleanup EXIT

if ! $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
