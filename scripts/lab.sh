#!/usr/bin/env bash
# Entry point of `npm start`, `npm test`, `npm run bench` and `npm run build`.
#
# Everything a fresh clone needs is installed from here, so the README's two
# commands are the whole set-up. This file only does what must happen before
# a modern Node exists (system Node may be 20; Astro 7 needs >= 22.12): npm
# packages (which bring Node 24 as the `node` package), and the Debian
# packages the lab runs on (bubblewrap; Chromium for the browser tests;
# PostgreSQL, which the classroom store's tests run against).
# The rest of set-up is scripts/setup.ts, run by that Node.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
NODE="$ROOT/node_modules/.bin/node"
MIN_NODE_MAJOR=22
MIN_NODE_MINOR=12

step() { printf '\033[1m[lab]\033[0m %s\n' "$*"; }
die() { printf '\033[31m[lab] error:\033[0m %s\n' "$*" >&2; exit 1; }

# Install a Debian package when we can (root + apt), otherwise say exactly how.
need_debian_package() { # <command> <package> <why>
  local cmd=$1 pkg=$2 why=$3
  command -v "$cmd" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    step "installing $pkg from Debian's packages ($why)"
    # A fresh machine has no package lists yet; without them the install finds nothing.
    apt-get update -qq >/dev/null 2>&1 || step "apt-get update failed; trying the install anyway"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null \
      || die "could not install $pkg. Install it yourself: sudo apt-get install -y $pkg"
    command -v "$cmd" >/dev/null 2>&1 || die "$pkg installed but '$cmd' is not on PATH"
  else
    die "'$cmd' is missing ($why). Install it with: sudo apt-get install -y $pkg"
  fi
}

# PostgreSQL's server programs for the tests (tests/helpers/postgres.ts starts a
# throw-away cluster). Debian keeps initdb in /usr/lib/postgresql/<version>/bin, off PATH.
need_postgres() {
  command -v initdb >/dev/null 2>&1 && return 0
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && return 0
  need_debian_package pg_ctlcluster postgresql "the database the classroom store's tests also run on"
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || die "postgresql installed but initdb is not in /usr/lib/postgresql/*/bin"
}

ensure_go() {
  command -v go >/dev/null 2>&1 || die "Go is not on PATH. Install Go 1.26 (https://go.dev/dl/) and try again."
}

# npm packages, re-installed only when package.json or the lock file changed.
ensure_npm_packages() {
  local stamp=node_modules/.lab-deps-stamp want
  want=$(cat package.json package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1)
  if [ -x "$NODE" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  step "installing npm packages (this brings Node 24 for the lab)…"
  # Not `npm ci`: npm 11 writes lock files without the other platforms' optional
  # packages (e.g. @astrojs/compiler-binding-darwin-*) and then `npm ci` refuses the
  # very lock it wrote. `install --no-save` follows the lock and never rewrites it.
  npm install --no-save --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
}

ensure_node() {
  [ -x "$NODE" ] || die "node_modules/.bin/node is missing after npm install (the 'node' package failed to install)"
  local v major minor
  v=$("$NODE" -p 'process.versions.node') || die "node_modules/.bin/node does not run"
  major=${v%%.*}; minor=${v#*.}; minor=${minor%%.*}
  if [ "$major" -lt "$MIN_NODE_MAJOR" ] || { [ "$major" = "$MIN_NODE_MAJOR" ] && [ "$minor" -lt "$MIN_NODE_MINOR" ]; }; then
    die "Node $v found; the lab needs >= $MIN_NODE_MAJOR.$MIN_NODE_MINOR"
  fi
}

bootstrap() { # <what>
  ensure_go
  need_debian_package bwrap bubblewrap "the sandbox every learner command runs in"
  ensure_npm_packages
  ensure_node
  if [ "$1" = test ]; then
    need_debian_package chromium chromium "the browser the end-to-end tests drive"
    need_postgres
  fi
}

cmd=${1:-start}; shift || true
case "$cmd" in
  start)
    bootstrap start
    "$NODE" scripts/setup.ts
    step "serving the lab on http://localhost:${PORT:-4321}"
    exec "$NODE" server/main.ts ;;
  build)
    bootstrap build
    exec "$NODE" scripts/setup.ts ;;
  test)
    bootstrap test
    "$NODE" scripts/setup.ts
    exec "$NODE" scripts/test.ts "$@" ;;
  bench)
    bootstrap bench
    "$NODE" scripts/setup.ts
    exec "$NODE" bench/run.ts "$@" ;;
  *) die "unknown command '$cmd' (start, build, test, bench)" ;;
esac
