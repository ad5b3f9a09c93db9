/**
 * The compose export as docker-compose itself reads it: a seeded password ending in `$` broke
 * `npm run bench:provision` ("Invalid interpolation format"), so the exported file goes through
 * Debian's docker-compose (1.29) and must be accepted, with the value kept literally.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parse } from 'yaml';
import { composeProject, loadTopologyById, planTeam } from '../../orchestrator/index.js';

function composeConfig(text: string) {
  const file = join(mkdtempSync(join(tmpdir(), 'enshu-compose-')), 'docker-compose.yml');
  writeFileSync(file, text);
  const r = spawnSync('docker-compose', ['-f', file, '-p', 'enshucomposecheck', 'config'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('docker-compose accepts an exported range whose seeded password ends in $', () => {
  const plan = planTeam(loadTopologyById('cyder-standard'), 'cmpcheck', 't01', 1, { seed: 'compose-dollar' });
  // the seed decides whether a password has a `$`: put one where the failing run had it
  const ad = plan.nodes.find((n) => n.env.ENSHU_AD_ADMIN_PASSWORD)!;
  ad.env.ENSHU_AD_ADMIN_PASSWORD = 'Momiji3393$';
  ad.env.ENSHU_NOTE = 'costs $5 or ${PRICE}';
  const text = composeProject(
    [plan],
    (r) => `enshu/${r}:compose-check`,
    () => ({}),
  );
  const r = composeConfig(text);
  assert.equal(r.code, 0, r.stderr);
  // `config` prints the file as compose understood it, escaping literal dollar signs again as `$$`
  const out = parse(r.stdout) as { services: Record<string, { environment: Record<string, string> }> };
  const env = out.services[`cmp-${ad.containerName}`]!.environment;
  assert.equal(env.ENSHU_AD_ADMIN_PASSWORD, 'Momiji3393$$');
  assert.equal(env.ENSHU_NOTE, 'costs $$5 or $${PRICE}');
});

test('the same value unescaped is what docker-compose refuses (the check can fail)', () => {
  const r = composeConfig(
    'version: "2.4"\nservices:\n  ad:\n    image: enshu/ad:compose-check\n    environment:\n      ENSHU_AD_ADMIN_PASSWORD: Momiji3393$\n',
  );
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Invalid interpolation format/);
});
