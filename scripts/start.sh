#!/usr/bin/env bash
# The main job: engine, images, and a two-team demo range, then its status.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/engine.sh
npm run --silent build:web   # the web UI that `enshu serve` serves
node bin/enshu.mjs images
node bin/enshu.mjs up --course A --teams 2 --exercise demo
node bin/enshu.mjs status --exercise demo
cat <<'MSG'

The demo range is up. Try:
  docker exec -it enshu-demo-t01-pc1 curl -s http://10.1.1.10/   # the DMZ web site through the FW
  npx enshu status --json
  npx enshu down --exercise demo
MSG
