#!/usr/bin/env bash
# test.sh - build everything with tests into ./build-test and run ctest.
# This is what CI runs (.ci/run); with $CI set, warnings are errors, the
# suite runs a second time under ASan/UBSan, and the fuzzers run briefly.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh --test

cmake_args=(-S . -B build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDLP_BUILD_TESTS=ON)
if [ -n "${CI:-}" ]; then
  cmake_args+=(-DDLP_WERROR=ON)
fi
cmake "${cmake_args[@]}"
cmake --build build-test -j"$(nproc)"

# Two test programs at a time: integration tests each run a daemon with workers.
status=0
ctest --test-dir build-test --output-on-failure -j2 || status=$?

# CI also runs the whole suite under AddressSanitizer (with LeakSanitizer) and
# UBSan: any report fails the run. DLP_SANITIZE=0 skips it; =1 forces it.
if [ "${DLP_SANITIZE:-${CI:+1}}" = "1" ]; then
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DDLP_BUILD_TESTS=ON -DDLP_BUILD_BENCH=OFF \
    -DDLP_WERROR=ON -DDLP_SANITIZE=address,undefined
  cmake --build build-asan -j"$(nproc)"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j2 || status=$?
fi

# CI then runs each libFuzzer harness (tests/fuzz) for a bounded time, built
# with clang under ASan/UBSan: replaying its fixed crashes first, then
# fuzzing for DLP_FUZZ_SECONDS. DLP_FUZZ=0 skips it; =1 forces it.
if [ "${DLP_FUZZ:-${CI:+1}}" = "1" ]; then
  CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDLP_BUILD_FUZZERS=ON \
    -DDLP_BUILD_TESTS=OFF -DDLP_BUILD_BENCH=OFF -DDLP_SANITIZE=address,undefined \
    -DDLP_FUZZ_SECONDS="${DLP_FUZZ_SECONDS:-40}"
  cmake --build build-fuzz --target fuzzers -j"$(nproc)"
  ctest --test-dir build-fuzz -L fuzz --output-on-failure -j2 || status=$?
fi
exit "$status"
