import assert from 'node:assert/strict';
import { test } from 'vitest';
import { parse } from 'yaml';
import { loadTopologyById } from '../topology/load.js';
import { planTeam } from '../topology/plan.js';
import { composeEscape, composeProject } from './compose.js';

/** What compose makes of a value: `$$` is a literal `$`; any other `$` starts a variable. */
function composeValue(v: string): string {
  assert.doesNotMatch(v.replaceAll('$$', ''), /\$/, `"${v}" would be interpolated by compose`);
  return v.replaceAll('$$', '$');
}

test('a dollar sign in a value reaches the container as it is', () => {
  const env = { A: 'Momiji3393$', B: 'pa$$word', C: '${HOME}', D: 'plain' };
  const escaped = composeEscape(env);
  for (const [k, v] of Object.entries(env)) assert.equal(composeValue(escaped[k]!), v);
});

test('every environment value of an exported range survives compose interpolation', () => {
  const topology = loadTopologyById('cyder-standard');
  const plan = planTeam(topology, 'cmpunit', 't01', 1, { seed: 'compose-escape' });
  // the seed's facts would not always hold a `$`: put one where a password goes
  const pc = plan.nodes.find((n) => n.accounts.length > 0)!;
  pc.accounts[0]!.password = 'Momiji3393$';
  pc.env.ENSHU_NOTE = 'costs $5 or ${PRICE}';
  const doc = parse(
    composeProject(
      [plan],
      (r) => `enshu/${r}:test`,
      () => ({}),
    ),
  ) as {
    services: Record<string, { environment: Record<string, string> }>;
  };
  const service = doc.services[`cmp-${pc.containerName}`]!;
  assert.equal(composeValue(service.environment.ENSHU_NOTE!), 'costs $5 or ${PRICE}');
  const accounts = Buffer.from(composeValue(service.environment.ENSHU_ACCOUNTS_B64!), 'base64').toString();
  assert.match(accounts, /\tMomiji3393\$\n/);
  for (const s of Object.values(doc.services)) for (const v of Object.values(s.environment)) composeValue(v);
});
