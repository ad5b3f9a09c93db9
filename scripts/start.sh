#!/usr/bin/env bash
# The main job: engine, images, web UI, the exercise server, and a two-team course A demo exercise.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/engine.sh
npm run --silent build:web   # the web UI that `enshu serve` serves
node bin/enshu.mjs images
export ENSHU_ADMIN_PASSWORD="${ENSHU_ADMIN_PASSWORD:-enshu-demo}"
node bin/enshu.mjs serve --port "${PORT:-8080}" &
server=$!
trap 'kill $server 2>/dev/null' INT TERM
ENSHU_URL="http://127.0.0.1:${PORT:-8080}" node scripts/demo-exercise.mjs
echo "The server keeps running (Ctrl-C stops it; ranges stay until 'npx enshu down --exercise demo')."
wait $server
