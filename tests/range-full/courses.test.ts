/**
 * Every course id brings up its range through the CLI (`enshu up --course <id>`). Courses A, B-2
 * and C run on cyder-standard (tests/range-full/cyder-standard.test.ts, tests/e2e); this file
 * brings up the two other ranges for real and proves what makes each one what it is:
 *  - B-1, the local government's three layers: comes up healthy from its course id (the layers
 *    themselves are proved in tests/roles-net/lg-three-layer.test.ts);
 *  - online-intro / online-standard, the small single-trainee range: healthy, the PC on DHCP,
 *    browsing through the proxy.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  listCourses,
  loadCourse,
  loadTopologyById,
  RangeManager,
  topologyForCourse,
  type Engine,
} from '../../orchestrator/index.js';
import { repoRoot } from '../../core/index.js';
import { engineWithImages, sh } from '../helpers/range.js';

interface UpJson {
  exercise: string;
  seconds: number;
  teams: { team: string; nodes: { node: string; state: string; ips: Record<string, string> }[] }[];
}

function enshu(...args: string[]) {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'enshu.mjs'), ...args], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let engine: Engine;
const upped: string[] = [];

beforeAll(async () => {
  const roles = new Set(
    ['lg-three-layer', 'online-small'].flatMap((t) => loadTopologyById(t).nodes.map((n) => n.role)),
  );
  engine = await engineWithImages([...roles]);
});

afterAll(async () => {
  for (const ex of upped) await new RangeManager(engine).down({ exercise: ex });
});

/** `enshu up --course` as an instructor runs it, with the JSON form; returns the status. */
async function upCourse(course: string, exercise: string): Promise<UpJson> {
  await new RangeManager(engine).down({ exercise });
  upped.push(exercise);
  const r = enshu('up', '--course', course, '--teams', '1', '--exercise', exercise, '--json');
  assert.equal(r.code, 0, `enshu up --course ${course}: ${r.stderr}`);
  const status = JSON.parse(r.stdout) as UpJson;
  console.error(
    `# course ${course}: one team of ${topologyForCourse(course).id} healthy in ${status.seconds.toFixed(1)} s`,
  );
  return status;
}

test('every course names a range that loads; an unknown course is an error listing the known ones', () => {
  assert.deepEqual(listCourses(), ['A', 'B-1', 'B-2', 'C', 'online-intro', 'online-standard']);
  for (const id of listCourses()) assert.ok(topologyForCourse(id).nodes.length > 0, id);
  const r = enshu('up', '--course', 'Z', '--teams', '1', '--exercise', 'nocourse');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /unknown course "Z" \(known: A, B-1, B-2, C, online-intro, online-standard\)/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

describe('course B-1: the local government’s three-layer range', () => {
  // what makes it three layers (every forbidden path refused and logged, the sanitizer's copies,
  // each layer's DNS, the planted findings) is proved in tests/roles-net/lg-three-layer.test.ts
  test('comes up through `enshu up --course B-1`, every node healthy', async () => {
    const topology = topologyForCourse('B-1');
    assert.equal(topology.id, 'lg-three-layer');
    const status = await upCourse('B-1', 'rnb1');
    const nodes = status.teams[0]!.nodes;
    assert.deepEqual(nodes.map((n) => n.node).sort(), topology.nodes.map((n) => n.name).sort());
    for (const n of nodes) assert.equal(n.state, 'running', n.node);
    await new RangeManager(engine).down({ exercise: 'rnb1' });
  });
});

for (const course of ['online-intro', 'online-standard']) {
  describe(`course ${course}: the small single-trainee range`, () => {
    const EX = course === 'online-intro' ? 'rnoi' : 'rnos';
    let status: UpJson;
    const c = (node: string) => `enshu-${EX}-t01-${node}`;

    beforeAll(async () => {
      assert.equal(loadCourse(course).teamSize.max, 1, 'one trainee per range');
      status = await upCourse(course, EX);
    });

    test('every node is up and healthy; the PC browses through the proxy with a DHCP lease', async () => {
      const topology = topologyForCourse(course);
      assert.deepEqual(status.teams[0]!.nodes.map((n) => n.node).sort(), topology.nodes.map((n) => n.name).sort());
      let lease = '';
      for (const end = Date.now() + 20_000; Date.now() < end && !lease; await new Promise((r) => setTimeout(r, 500))) {
        lease = (await sh(engine, c('pc1'), "ip -o -4 addr show dev lease0 | awk '{print $4}'")).stdout.trim();
      }
      assert.match(lease, /\.(1\d\d)\/24$/, `pc1 lease ${lease || 'none'}`);
      const proxy = status.teams[0]!.nodes.find((n) => n.node === 'proxy')!.ips[`enshu-${EX}-t01-dmz`]!;
      const page = await sh(
        engine,
        c('pc1'),
        `curl -s -m 10 -o /dev/null -w '%{http_code}' -x http://${proxy}:3128 http://news.portal.example/`,
      );
      assert.match(page.stdout, /^[2-4]\d\d$/, `a range-Internet page through the proxy (HTTP ${page.stdout})`);
    });
  });
}
