#!/usr/bin/env bash
# Tests of the JS hosts: the Node host package, the n8n node (fast harness) and the n8n node in a
# real n8n. Builds what they load first: the release component and the emulator binary.
# npm's cache lives under ${XDG_CACHE_HOME:-$HOME/.cache}, as does the real-n8n install (keyed by
# versions), so a second run installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

export npm_config_cache="${XDG_CACHE_HOME:-$HOME/.cache}/cio-npm"
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

cargo build -q --release --target wasm32-wasip2 -p customerio-connector
cargo build -q -p cio-emulator

echo "== Node host (integrations/node)"
(cd integrations/node && npm ci --silent && npm run --silent build && npm test)

if [ -f integrations/n8n/package.json ]; then
  echo "== n8n node, fast harness (integrations/n8n)"
  (cd integrations/n8n && npm ci --silent && npm run --silent build && npm test)
  echo "== n8n node in real n8n (integrations/n8n)"
  (cd integrations/n8n && npm run --silent e2e)
  echo "== n8n editor in headless Chromium (integrations/n8n, screenshots in target/n8n-browser)"
  (cd integrations/n8n && npm run --silent browser)
  echo "== cached installs are verified, broken ones rebuilt (scripts/test-cache.sh)"
  bash scripts/test-cache.sh
fi

echo "== MCP server with the official MCP clients (integrations/mcp)"
bash integrations/mcp/test.sh

echo "== benchmark smoke: every contender, tiny counts (bench/)"
bash bench/smoke.sh
