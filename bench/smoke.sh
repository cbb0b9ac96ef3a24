#!/usr/bin/env bash
# The benchmark with tiny counts and every contender, the official clients included (debug
# build, nothing written): part of the test suite, so the full run keeps working.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t contenders < <(bash bench/ensure-contenders.sh)
cargo build -q --release --target wasm32-wasip2 -p customerio-connector
export CIO_COMPONENT="$PWD/target/wasm32-wasip2/release/customerio_connector.wasm"
out="$(cargo run -q -p cio-bench -- \
  --node "${contenders[0]}" --node-modules "${contenders[1]}" --python "${contenders[2]}" \
  --rounds 1 --calls 5 --throughput-calls 16 --concurrency 1,4 --rss-calls 50 --instantiations 5)"
for contender in "native keep-alive" "new connection" "blocking" "execute_async" \
  "customerio-node 5.2.0" "customerio-python 3.2.0"; do
  if ! grep -q "| $contender\|$contender" <<<"$out"; then
    echo "$out"; echo "bench smoke: no figures for $contender" >&2; exit 1
  fi
done
grep -q "### Targets" <<<"$out"
echo "bench smoke: every contender measured"
