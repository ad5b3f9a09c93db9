#!/usr/bin/env bash
# The whole test suite: host set-up (engine included), lint, type check, layers, web build, images,
# unit and integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
ENSHU_EXTRA_PKGS="${ENSHU_EXTRA_PKGS:-docker-compose openssh-client chromium fonts-ipafont-gothic}" bash scripts/engine.sh
echo "== lint"
npm run --silent lint
echo "== type check"
npm run --silent typecheck
echo "== layers"
npm run --silent check:layers
echo "== web app"
npm run --silent build:web
echo "== images"
node bin/enshu.mjs images
echo "== tests"
# vitest (vitest.config.ts): unit tests, then integration files one at a time; arguments filter
# files by a substring of their path. The terminal gets the human report, the counts come from
# the JSON one.
report=test-artifacts/vitest-report.json
mkdir -p "$(dirname "$report")"
rm -f "$report"
status=0
NODE_NO_WARNINGS=1 npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
echo "== test suite finished in $(( $(date +%s) - start ))s"
# The last line, alone: "N passed, N failed" (", N skipped" when some were), from the JSON report.
node --input-type=module - "$report" "$status" <<'JS' || status=1
import { existsSync, readFileSync } from 'node:fs';
const [file, vitestStatus] = process.argv.slice(2);
if (!existsSync(file)) {
  console.log(`no test report at ${file}: vitest stopped (status ${vitestStatus}) before it reported`);
  console.log('0 passed, 0 failed');
  process.exit(1);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
// a failed beforeAll/afterAll, an import error or an unhandled error fails the run without failing a test
const outside = r.testResults.filter((f) => f.status === 'failed' && f.assertionResults.every((t) => t.status !== 'failed'));
for (const f of outside) console.log(`failed outside its tests (a hook, an import or an unhandled error): ${f.name}${f.message ? `: ${f.message.split('\n')[0]}` : ''}`);
if (!r.testResults.length) console.log('no test file ran');
if (vitestStatus !== '0' && r.success && !outside.length) console.log(`vitest exited with status ${vitestStatus} (an error outside the tests; see above)`);
console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(r.success && r.numFailedTests === 0 ? 0 : 1);
JS
exit "$status"
