import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { loadRules, rulesDir } from './load.js';

describe('course B-1 scoring rules (local governments)', () => {
  const b1 = loadRules('B-1');
  const b2 = loadRules('B-2');
  it('are B-1’s own: earlier first report, more frequent updates, reporting weighs more than in B-2', () => {
    assert.equal(b1.course, 'B-1');
    assert.ok(b1.reporting.firstDeadlineMinutes < b2.reporting.firstDeadlineMinutes);
    assert.ok(b1.reporting.updateIntervalMinutes < b2.reporting.updateIntervalMinutes);
    assert.ok(b1.weights.reporting > b2.weights.reporting);
    assert.ok(b1.recovery.availability.penaltyPerMinute > b2.recovery.availability.penaltyPerMinute);
  });
  it('weigh the checks that close a hole between the layers, each a check of the B-1 scenario', () => {
    const scenario = readFileSync(
      join(rulesDir(), '..', '..', 'attacker', 'scenarios', 'b1-lg-separation.yaml'),
      'utf8',
    );
    const ids = [...Object.keys(b1.response.pointsByCheck), ...Object.keys(b1.recovery.pointsByCheck)];
    assert.ok(ids.includes('mynumber-rule-removed') && ids.includes('exception-removed'));
    for (const id of ids) assert.match(scenario, new RegExp(`- id: ${id}\\n`), `${id} is a check of b1-lg-separation`);
    for (const id of Object.keys(b1.response.pointsByCheck))
      assert.ok(b1.response.pointsByCheck[id]! > b1.response.containmentPoints, `${id} weighs more than a plain check`);
  });
});
