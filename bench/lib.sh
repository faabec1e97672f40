# lib.sh - what bench/run.sh and bench/soak.sh share; sourced from the repo
# root with ROOT set to it.

# Installs the benchmark's packages and builds the Release tree build-bench/.
bench_build() {
  scripts/deps.sh --bench
  cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DDLP_BUILD_TESTS=OFF >/dev/null
  cmake --build build-bench -j"$(nproc)" >/dev/null
}

# bench_config FILE CACHE_DIR WRITER: a dlpd config with the shipped rules and
# protected domains; the caller appends its own listen and daemon keys.
bench_config() {
  cat >"$1" <<EOF
# Written by $3: the shipped rules and protected domains.
rules: $ROOT/rules
cache: $2
internal_domains: [example.org]
protected_domains: [mil, gov]
protected_domains_files:
  - $ROOT/rules/protected/us-mil.txt
  - $ROOT/rules/protected/us-gov.txt
EOF
}
