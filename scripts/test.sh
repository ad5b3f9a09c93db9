#!/usr/bin/env bash
# The whole test suite: host set-up (engine included), type check, images, unit and integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
ENSHU_EXTRA_PKGS="${ENSHU_EXTRA_PKGS:-docker-compose openssh-client chromium fonts-ipafont-gothic}" bash scripts/engine.sh
echo "== type check"
npx tsc --noEmit -p tsconfig.json
echo "== layers"
npm run --silent check:layers
echo "== web app"
npm run --silent build:web
echo "== images"
node bin/enshu.mjs images
echo "== tests"
node scripts/run-tests.mjs all "$@"
echo "== test suite finished in $(( $(date +%s) - start ))s"
