#!/usr/bin/env bash
# The side-by-side benchmark (BENCHMARKS.md): the official clients from the cache (installed on
# first use), the component and cio-bench built optimised, then the generated section of
# BENCHMARKS.md rewritten. Extra arguments go to cio-bench (`--help` lists them; e.g.
# `--rounds 1 --calls 50` for a quick look, `--only native,async` for a subset).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t contenders < <(bash bench/ensure-contenders.sh)
rustup target add wasm32-wasip2 >/dev/null 2>&1 || true
cargo build --release --target wasm32-wasip2 -p customerio-connector
cargo build --profile native-release -p cio-bench
# A host in production runs without RUST_BACKTRACE; with it set, wasmtime captures a backtrace
# for an internal error on every store drop (about 2% of a call here).
unset RUST_BACKTRACE RUST_LIB_BACKTRACE
export CIO_COMPONENT="$PWD/target/wasm32-wasip2/release/customerio_connector.wasm"
exec target/native-release/cio-bench \
  --node "${contenders[0]}" --node-modules "${contenders[1]}" --python "${contenders[2]}" \
  --out BENCHMARKS.md "$@"
