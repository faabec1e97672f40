#!/usr/bin/env bash
# deps.sh - install the Debian 12 packages dlpd needs to build (and, with
# --test, to run its tests). Only missing packages are installed; apt-get
# update runs once, and only when something is missing. Uses sudo only when
# not already root. Add packages to the lists below as the project grows.
set -euo pipefail

BUILD_PACKAGES=(
  cmake gcc make pkg-config
  libhyperscan-dev libmagic-dev libprotobuf-c-dev protobuf-c-compiler
  libuv1-dev libyaml-dev libjansson-dev libssl-dev libgmime-3.0-dev libxml2-dev
  libarchive-dev libpoppler-glib-dev libexif-dev libidn2-dev libpsl-dev libicu-dev
  libmilter-dev
)
TEST_PACKAGES=(
  libcmocka-dev haproxy postfix swaks openssl
  clang libclang-rt-14-dev
)

# bench/run.sh: the peer it is compared with, plots and JSON.
BENCH_PACKAGES=(
  rspamd gnuplot-nox jq
)

usage() {
  echo "usage: scripts/deps.sh [--test | --bench]"
  echo "  installs the build packages; --test adds the test packages,"
  echo "  --bench the benchmark's (bench/run.sh)"
}

want=("${BUILD_PACKAGES[@]}")
case "${1:-}" in
  "") ;;
  --test) want+=("${TEST_PACKAGES[@]}") ;;
  --bench) want+=("${BENCH_PACKAGES[@]}") ;;
  -h|--help) usage; exit 0 ;;
  *) usage >&2; exit 64 ;;
esac

installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

missing=()
for pkg in "${want[@]}"; do
  installed "$pkg" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#want[@]} packages present"
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  SUDO=(sudo)
fi
echo "deps: installing ${missing[*]}"
# postfix asks for a mail setup type; "No configuration" writes no main.cf and
# leaves the system's mail alone (tests run their own private instance).
for pkg in "${missing[@]}"; do
  if [ "$pkg" = postfix ]; then
    echo "postfix postfix/main_mailer_type select No configuration" |
      "${SUDO[@]}" debconf-set-selections
  fi
done
"${SUDO[@]}" apt-get update
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
  "${missing[@]}"
