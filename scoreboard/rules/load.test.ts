import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { listRules, loadRules, rulesDir } from './load.js';

describe('scoring rules files', () => {
  it('has rules for every course, merged over the default', () => {
    assert.deepEqual(listRules(), ['A', 'B-1', 'B-2', 'C', 'online-intro', 'online-standard']);
    for (const c of listRules()) assert.equal(loadRules(c).course, c);
    const a = loadRules('A');
    assert.equal(a.weights.reporting, 1.5);
    assert.equal(a.reporting.firstDeadlineMinutes, 30, 'kept from default.yaml');
    assert.equal(a.visibility.traineesSeeRanking, false);
    assert.equal(loadRules('C').hints.releasedFactor, 0.5);
    assert.equal(loadRules('no-such-course').weights.detection, 1, 'a course without a file plays by the default');
  });
  it('points at the line and column of a bad field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'enshu-rules-'));
    cpSync(join(rulesDir(), 'default.yaml'), join(dir, 'default.yaml'));
    writeFileSync(join(dir, 'A.yaml'), 'course: A\ndecay:\n  floor: 2\n');
    assert.throws(
      () => loadRules('A', dir),
      (e: Error) => e.message.startsWith(`${join(dir, 'A.yaml')}:3:10: decay.floor:`),
    );
    writeFileSync(join(dir, 'A.yaml'), 'course: A\nweigths: {}\n');
    assert.throws(() => loadRules('A', dir), /A\.yaml:1:1: \(document\): Unrecognized key\(s\) in object: 'weigths'/);
    writeFileSync(join(dir, 'A.yaml'), 'course: B-1\n');
    assert.throws(() => loadRules('A', dir), /declares course "B-1"/);
  });
});
