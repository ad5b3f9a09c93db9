#!/usr/bin/env bash
# The main job: engine, images, web UI, the exercise server, and a two-team course A demo exercise.
set -euo pipefail
cd "$(dirname "$0")/.."
# Chromium and a Japanese font: the server prints the after-action report to PDF with them
ENSHU_EXTRA_PKGS="${ENSHU_EXTRA_PKGS:-chromium fonts-ipafont-gothic}" bash scripts/engine.sh
npm run --silent build:web   # the web UI that `enshu serve` serves
node bin/enshu.mjs images
if [ -z "${ENSHU_ADMIN_PASSWORD:-}" ]; then
  # the demo password: fine on a laptop, never in front of a class (the server warns loudly too)
  export ENSHU_ADMIN_PASSWORD=enshu-demo
  printf '\n\033[1;31m*** WARNING: instructor "admin" has the DEMO password "enshu-demo". ***\033[0m\n' >&2
  printf '*** Set ENSHU_ADMIN_PASSWORD (10+ characters) before anyone else can reach this server. ***\n\n' >&2
fi
node bin/enshu.mjs serve --port "${PORT:-8080}" &
server=$!
trap 'kill $server 2>/dev/null' INT TERM
ENSHU_URL="http://127.0.0.1:${PORT:-8080}" node scripts/demo-exercise.mjs
echo "The server keeps running (Ctrl-C stops it; ranges stay until 'npx enshu down --exercise demo')."
wait $server
