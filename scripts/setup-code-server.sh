#!/usr/bin/env bash
# Installs code-server (VS Code for the browser) for the end-to-end tests, without anything but the
# npm registry and Debian packages (ripgrep, libkrb5-dev; g++/make/python3 for the native modules).
#
#   bash scripts/setup-code-server.sh          # idempotent: a complete install is detected and skipped
#
# Env: CODE_SERVER_VERSION (default 4.99.4; 4.99.x is the last line that runs on Node 20),
#      CODE_SERVER_DIR (default <repo>/.cache/code-server), CODE_SERVER_FORCE=1 to reinstall.
# Result: $CODE_SERVER_DIR/node_modules/code-server/out/node/entry.js, and the marker file
# $CODE_SERVER_DIR/.complete-$CODE_SERVER_VERSION written only once every step has succeeded.
# Each step leaves a stamp in $CODE_SERVER_DIR/.steps/, so an interrupted run resumes at the step it
# was in (that step is redone from a clean state). Concurrent runs are serialised with flock.
set -euo pipefail

VERSION="${CODE_SERVER_VERSION:-4.99.4}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${CODE_SERVER_DIR:-$ROOT/.cache/code-server}"
MARKER="$DIR/.complete-$VERSION"
STEPS="$DIR/.steps"
CS="$DIR/node_modules/code-server"
VS="$CS/lib/vscode"

T0=$(date +%s.%N)
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
log() { echo "[setup-code-server] $*"; }
die() { echo "[setup-code-server] ERROR: $*" >&2; exit 1; }

complete() {
  [[ -f "$MARKER" && -f "$CS/out/node/entry.js" && -e "$VS/node_modules.asar" ]]
}

if [[ "${CODE_SERVER_FORCE:-}" != 1 ]] && complete; then
  log "code-server $VERSION already installed in $DIR (0.0 s)"
  exit 0
fi

mkdir -p "$(dirname "$DIR")"
exec 9>"$DIR.lock"
flock 9 # another run may be installing right now: wait for it, then look again
if [[ "${CODE_SERVER_FORCE:-}" != 1 ]] && complete; then
  log "code-server $VERSION installed by a concurrent run ($(elapsed "$T0") s)"
  exit 0
fi

# --- prerequisites -----------------------------------------------------------------------------
node_major=$(node -p 'process.versions.node.split(".")[0]')
[[ "$node_major" == 20 ]] || die "code-server $VERSION needs Node 20, this is $(node -v)"
for tool in g++ make python3; do
  command -v "$tool" >/dev/null || die "$tool is missing (needed to build native modules): apt-get install build-essential python3"
done
RG="$(command -v rg || true)"
[[ -n "$RG" ]] || die "ripgrep is missing: apt-get install ripgrep"
[[ -f /usr/include/krb5.h || -f /usr/include/gssapi/gssapi.h ]] || die "Kerberos headers are missing: apt-get install libkrb5-dev"
# node-gyp must build against the local Node headers: it cannot download them here.
if [[ -z "${npm_config_nodedir:-}" ]] && ! npm config get nodedir 2>/dev/null | grep -q '^/'; then
  if [[ -f /usr/include/node/node.h ]]; then export npm_config_nodedir=/usr
  else log "warning: no nodedir configured and no /usr/include/node: node-gyp may try to download headers"; fi
fi
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
export JOBS="${JOBS:-max}" # node-gyp: make -j<cores>

# --- steps -------------------------------------------------------------------------------------
if [[ "${CODE_SERVER_FORCE:-}" == 1 ]]; then rm -rf "$DIR"; fi
# an install of another version: start over
for m in "$DIR"/.complete-*; do [[ -e "$m" && "$m" != "$MARKER" ]] && rm -rf "$DIR"; done
if [[ -f "$STEPS/version" && "$(cat "$STEPS/version")" != "$VERSION" ]]; then rm -rf "$DIR"; fi
mkdir -p "$STEPS"
echo "$VERSION" >"$STEPS/version"

step() { # step NAME COMMAND...: runs once; a step that did not finish is redone
  local name="$1"; shift
  if [[ -f "$STEPS/$name" ]]; then log "step $name: done before"; return 0; fi
  local t; t=$(date +%s.%N)
  log "step $name ..."
  "$@"
  touch "$STEPS/$name"
  log "step $name: $(elapsed "$t") s"
}

install_code_server() {
  # --ignore-scripts: its postinstall downloads ripgrep from the internet; the steps below do its work.
  rm -rf "$DIR/node_modules" "$DIR/package-lock.json" "$STEPS"/[!v]*
  cat >"$DIR/package.json" <<EOF
{ "name": "remote-sync-e2e-code-server", "private": true,
  "description": "code-server for the e2e tests, installed by scripts/setup-code-server.sh",
  "dependencies": { "code-server": "$VERSION" } }
EOF
  (cd "$DIR" && npm install --ignore-scripts >"$DIR/npm-install.log" 2>&1) \
    || { tail -30 "$DIR/npm-install.log" >&2; die "npm install code-server@$VERSION failed (log: $DIR/npm-install.log)"; }
}

install_vscode_deps() {
  rm -rf "$VS/node_modules" "$VS/node_modules.asar"
  (cd "$VS" && npm install --omit=dev --ignore-scripts >"$DIR/npm-vscode.log" 2>&1) \
    || { tail -30 "$DIR/npm-vscode.log" >&2; die "npm install in lib/vscode failed (log: $DIR/npm-vscode.log)"; }
}

rebuild_native() {
  # The native modules the server and the extension host load on Linux. @parcel/watcher comes
  # prebuilt (@parcel/watcher-linux-x64-glibc); @vscode/deviceid, windows-* are Windows-only.
  local m
  : >"$DIR/npm-rebuild.log"
  for m in @vscode/spdlog native-watchdog kerberos; do
    (cd "$VS" && npm rebuild "$m" >>"$DIR/npm-rebuild.log" 2>&1) || { tail -30 "$DIR/npm-rebuild.log" >&2; die "npm rebuild $m failed"; }
  done
  # node-pty's post-install script runs `npx node-gyp configure -f compile_commands_json`, which
  # stops on a prompt without a TTY; the addon is built before that, so check the addon instead.
  (cd "$VS" && npm rebuild node-pty >>"$DIR/npm-rebuild.log" 2>&1) || true
  for f in node_modules/@vscode/spdlog/build/Release/spdlog.node node_modules/native-watchdog/build/Release/watchdog.node \
           node_modules/kerberos/build/Release/kerberos.node node_modules/node-pty/build/Release/pty.node; do
    [[ -f "$VS/$f" ]] || { tail -30 "$DIR/npm-rebuild.log" >&2; die "$f was not built (log: $DIR/npm-rebuild.log)"; }
  done
}

link_files() {
  # What the skipped postinstall scripts would have done: ripgrep (search, file quick-open) from
  # Debian, and node_modules.asar, where VS Code and extensions look for bundled modules.
  mkdir -p "$VS/node_modules/@vscode/ripgrep/bin"
  ln -sfn "$RG" "$VS/node_modules/@vscode/ripgrep/bin/rg"
  ln -sfn node_modules "$VS/node_modules.asar"
  local d
  for d in "$VS/bin/remote-cli:code-linux.sh:code-server" "$VS/bin/helpers:browser-linux.sh:browser.sh"; do
    IFS=: read -r dir src dest <<<"$d"
    if [[ -f "$dir/$src" ]]; then ln -sfn "$src" "$dir/$dest"; fi
  done
}

build_argon2() {
  # argon2's install script fetches a prebuilt binary from the internet; build it here instead.
  (cd "$DIR" && npm rebuild argon2 --build-from-source >"$DIR/npm-argon2.log" 2>&1) \
    || { tail -30 "$DIR/npm-argon2.log" >&2; die "npm rebuild argon2 failed (log: $DIR/npm-argon2.log)"; }
  find "$DIR/node_modules/argon2/lib/binding" -name argon2.node 2>/dev/null | grep -q . || die "argon2.node was not built"
}

smoke() {
  # the server must load its own modules: --version goes through entry.js without starting anything
  local out
  out=$(cd "$DIR" && node "$CS/out/node/entry.js" --version 2>&1) || die "code-server --version failed: $out"
  log "code-server --version: $(echo "$out" | head -1)"
  (cd "$VS" && node -e 'for (const m of ["@vscode/spdlog","native-watchdog","node-pty","kerberos"]) require(m)') \
    || die "a native module of lib/vscode does not load"
}

step 1-install-code-server install_code_server
step 2-install-vscode-deps install_vscode_deps
step 3-rebuild-native rebuild_native
step 4-link link_files
step 5-argon2 build_argon2
step 6-smoke smoke

touch "$MARKER"
log "code-server $VERSION installed in $DIR ($(elapsed "$T0") s)"
