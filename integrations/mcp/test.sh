#!/usr/bin/env bash
# `cio-host --emulator mcp` driven by the two official MCP clients:
#   1. the Python SDK (`mcp` from PyPI): integrations/mcp/python_client_test.py (stdio and
#      Streamable HTTP; list, identify, raw request, lookup + completion, read-only, compact,
#      typed errors, latency);
#   2. `@modelcontextprotocol/inspector` in CLI mode from npm, on Node 24 (it needs >= 22.19).
# Then every byte the server wrote and every client output is scanned for the emulator's demo
# secrets. Clients are installed once into ${XDG_CACHE_HOME:-$HOME/.cache}/cio-mcp (see
# scripts/ensure-clients.sh); a second run needs no network.
set -euo pipefail
cd "$(dirname "$0")/../.."

target="${CARGO_TARGET_DIR:-target}"
case "$target" in /*) ;; *) target="$PWD/$target" ;; esac
export CIO_COMPONENT="${CIO_COMPONENT:-$target/wasm32-wasip2/release/customerio_connector.wasm}"
cargo build -q --release --target wasm32-wasip2 -p customerio-connector
cargo build -q -p cio-host
CIO_HOST="$target/debug/cio-host"

{ read -r PYTHON; read -r NODE_BIN; read -r INSPECTOR; } < <(bash integrations/mcp/scripts/ensure-clients.sh)
export PATH="$NODE_BIN:$PATH"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Keep the inspector's catalog and the CLI's environment away from the user's home and secrets.
export MCP_CATALOG_PATH="$work/inspector-catalog.json"
unset CUSTOMERIO_SITE_ID CUSTOMERIO_TRACK_API_KEY CUSTOMERIO_APP_API_KEY CUSTOMERIO_REGION

"$CIO_HOST" operations > "$work/operations.json"

echo "== MCP: official Python SDK ($("$PYTHON" -c 'from importlib.metadata import version; print(version("mcp"))'))"
"$PYTHON" integrations/mcp/python_client_test.py "$CIO_HOST" "$work/operations.json" "$work"

echo "== MCP: @modelcontextprotocol/inspector --cli ($(node --version))"
inspect() { # inspect NAME [server flags...] -- [inspector args...]
  local name="$1"; shift
  local flags=()
  while [[ "$1" != "--" ]]; do flags+=("$1"); shift; done
  shift
  local rc=0
  timeout 120 "$INSPECTOR" --cli "$CIO_HOST" --component "$CIO_COMPONENT" --emulator mcp "${flags[@]}" "$@" \
    > "$work/inspector-$name.json" 2> "$work/inspector-$name.err" || rc=$?
  # The inspector exits non-zero when a tool answers isError, which the typed-error case expects.
  if [[ $rc -ne 0 && ( "$name" != error || ! -s "$work/inspector-$name.json" ) ]]; then
    echo "inspector $name failed (exit $rc):" >&2; cat "$work/inspector-$name.err" "$work/inspector-$name.json" >&2; exit 1
  fi
}
inspect list -- --method tools/list
inspect identify -- --method tools/call --tool-name track__customer__identify \
  --tool-arg id=inspector@example.com --tool-arg id_type=email --tool-arg 'attributes={"plan":"pro"}'
inspect raw -- --method tools/call --tool-name app__raw_http_request \
  --tool-arg method=GET --tool-arg endpoint=/campaigns/8/triggers/1
inspect lookup -- --method tools/call --tool-name app__segment__lookup
inspect readonly --read-only -- --method tools/list
inspect error -- --method tools/call --tool-name app__segment__get --tool-arg segment_id=999999
inspect compact --compact -- --method tools/list
inspect prompt -- --method prompts/get --prompt-name app__segment__get --prompt-args segment_id=7
inspect load -- --method tools/call --tool-name track__customer__identify \
  --tool-arg id=load@example.com --load --load-requests 50 --load-concurrency 1

"$PYTHON" - "$work" <<'EOF'
import json, sys
work = sys.argv[1]
ops = {o["id"]: o for o in json.load(open(f"{work}/operations.json"))}
def load(name):
    text = open(f"{work}/inspector-{name}.json").read()
    try:
        return json.loads(text)
    except ValueError:
        return text
def check(cond, what):
    if not cond:
        raise SystemExit(f"inspector: {what}")
tools = load("list")["tools"]
check(len(tools) == len(ops) + 1, f"{len(tools)} tools")
for t in tools[1:]:
    h = ops[t["name"].replace("__", ".")]["hints"]
    a = t["annotations"]
    check((a["readOnlyHint"], a["destructiveHint"], a["idempotentHint"], a["openWorldHint"])
          == (h["read_only"], h["destructive"], h["idempotent"], True), f"annotations of {t['name']}")
print(f"inspector: {len(tools)} tools, annotations match")
r = load("identify")
check(r.get("isError") is False and r["structuredContent"] == {}, f"identify: {r}")
print("inspector: identify ok")
r = load("raw")
check(not r.get("isError") and r["structuredContent"]["status"] == 200, f"raw: {r}")
print("inspector: raw request ok")
r = load("lookup")
check(not r.get("isError") and r["structuredContent"]["result"], f"lookup: {r}")
print(f"inspector: lookup {len(r['structuredContent']['result'])} options")
ro = load("readonly")["tools"]
check(all(t["annotations"]["readOnlyHint"] for t in ro), "read-only list has a writer")
check(len(ro) == 1 + sum(o["hints"]["read_only"] for o in ops.values()), f"{len(ro)} read-only tools")
print(f"inspector: read-only listing {len(ro)} tools")
r = load("error")
e = json.loads(r["content"][0]["text"])["error"]
check(r.get("isError") is True and e["kind"] == "not-found" and "retryable" in e and "fix_by" in e, f"error: {r}")
print(f"inspector: typed error {e['kind']} (fix_by {e['fix_by']}, retryable {e['retryable']})")
c = [t["name"] for t in load("compact")["tools"]]
check(c == ["authenticate", "search_operations", "describe_operation", "run_operation"], f"compact {c}")
print("inspector: compact mode", c)
p = load("prompt")
check("app__segment__get" in json.dumps(p), f"prompt: {p}")
print("inspector: load test:", load("load") if isinstance(load("load"), str) else json.dumps(load("load")))
EOF

echo "== MCP: no secret in any message"
secrets=(demo-app-key demo-track-key "$(printf 'demo-site:demo-track-key' | base64)" \
  "$(printf 'demo-app-key' | base64)")
for s in "${secrets[@]}"; do
  if grep -rlF -- "$s" "$work"; then
    echo "secret $s found in the files above" >&2
    exit 1
  fi
done
echo "no secret in $(ls "$work" | wc -l) transcripts ($(cat "$work"/* | wc -c) bytes)"
echo "measurements: $(cat "$work/measurements.json" | tr -d '\n ')"
