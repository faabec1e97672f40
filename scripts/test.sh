#!/usr/bin/env bash
# test.sh - build everything with tests into ./build-test and run ctest.
# This is what CI runs (.ci/run); with $CI set, warnings are errors.
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
exit "$status"
