/**
 * Every course id brings up its range through the CLI (`enshu up --course <id>`). Courses A, B-2
 * and C run on cyder-standard (tests/range-full/cyder-standard.test.ts, tests/e2e); this file
 * brings up the two other ranges for real and proves what makes each one what it is:
 *  - B-1, the local government's three layers: the Internet is reached from the Internet-connected
 *    layer only, through the proxy; LGWAN and the My Number layer have no way out and no way to
 *    each other; a file crosses from the Internet side to LGWAN only through the sanitizer, and a
 *    macro document does not cross at all;
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
import { repoRoot, teamFacts } from '../../core/index.js';
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
  const EX = 'rnb1';
  const topology = topologyForCourse('B-1');
  let status: UpJson;
  const c = (node: string) => `enshu-${EX}-t01-${node}`;
  const ip = (node: string, segment: string) =>
    status.teams[0]!.nodes.find((n) => n.node === node)!.ips[`enshu-${EX}-t01-${segment}`]!;
  const run = (node: string, script: string) => sh(engine, c(node), script, 90_000);
  /** exit code of a connection attempt (0: it connected) */
  const reach = async (from: string, host: string, port: number) =>
    (await run(from, `nc -z -w 3 ${host} ${port}; echo $?`)).stdout.trim();

  beforeAll(async () => {
    assert.equal(topology.id, 'lg-three-layer');
    status = await upCourse('B-1', EX);
  });

  test('every node of the three layers is up, each having passed its health check', () => {
    const nodes = status.teams[0]!.nodes;
    assert.deepEqual(nodes.map((n) => n.node).sort(), topology.nodes.map((n) => n.name).sort());
    for (const n of nodes) assert.equal(n.state, 'running', n.node);
  });

  test('only the Internet-connected layer reaches the Internet, and only through the proxy', async () => {
    const marker = `b1-${Date.now()}`;
    assert.equal((await run('attacker', `echo page-${marker} > /srv/payload/${marker}.txt`)).exitCode, 0);
    const proxy = ip('proxy', 'dmz');
    const via = await run('inet-pc', `curl -sS -m 10 -x http://${proxy}:3128 http://news.portal.example/${marker}.txt`);
    assert.equal(via.stdout.trim(), `page-${marker}`, via.stderr);
    const attacker = ip('attacker', 'internet');
    assert.notEqual(await reach('inet-pc', attacker, 80), '0', 'not straight past the proxy');
    for (const pc of ['pc1', 'mn-pc']) {
      assert.notEqual(await reach(pc, attacker, 80), '0', `${pc} straight to the Internet`);
      assert.notEqual(await reach(pc, proxy, 3128), '0', `${pc} to the proxy`);
    }
  });

  test('LGWAN and the My Number layer are cut off from each other and from the Internet layer', async () => {
    // the resident-records system answers inside its own layer
    const juki = await run('mn-pc', `curl -s -m 5 -o /dev/null -w '%{http_code}' http://${ip('juki', 'mynumber')}/`);
    assert.match(juki.stdout, /^[1-5]\d\d$/, 'juki answers in the My Number layer');
    assert.notEqual(await reach('mn-pc', ip('file', 'lgwan'), 445), '0', 'My Number → LGWAN file server');
    assert.notEqual(await reach('pc1', ip('juki', 'mynumber'), 80), '0', 'LGWAN → resident records');
    assert.notEqual(await reach('inet-pc', ip('file', 'lgwan'), 445), '0', 'Internet layer → LGWAN file server');
    assert.notEqual(await reach('inet-pc', ip('pc1', 'lgwan'), 22), '0', 'Internet layer → LGWAN PC');
    assert.equal(await reach('pc1', ip('file', 'lgwan'), 445), '0', 'LGWAN staff reach their own file server');
  });

  test('a file crosses from the Internet layer to LGWAN only through the sanitizer; a macro document is quarantined', async () => {
    const password = teamFacts(EX, 't01').secret('sanitizer-upload');
    const outside = ip('sanitizer', 'inetside');
    const inside = ip('sanitizer', 'lgwan');
    // made on the Internet-side PC: a text file and a Word document carrying a VBA project
    const make = await run(
      'inet-pc',
      `cd /tmp && printf '住民向けお知らせ案\\r\\n' > notice.txt && python3 - <<'PY'
import zipfile
ct = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>'
doc = '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>請求書</w:t></w:r></w:p></w:body></w:document>'
with zipfile.ZipFile('seikyu.docm', 'w') as z:
    z.writestr('[Content_Types].xml', ct); z.writestr('word/document.xml', doc); z.writestr('word/vbaProject.bin', b'Attribute VB_Name AutoOpen Shell')
PY`,
    );
    assert.equal(make.exitCode, 0, make.stderr);
    const put = await run(
      'inet-pc',
      `printf '#!/bin/sh\\necho %s\\n' '${password}' > /tmp/askpass && chmod 700 /tmp/askpass && printf 'put /tmp/notice.txt\\nput /tmp/seikyu.docm\\n' > /tmp/batch && ` +
        'SSH_ASKPASS=/tmp/askpass SSH_ASKPASS_REQUIRE=force DISPLAY=:0 setsid -w sftp -o BatchMode=no -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null ' +
        `-o PreferredAuthentications=password -b /tmp/batch inet-upload@${outside} </dev/null`,
    );
    assert.equal(put.exitCode, 0, `upload to the sanitizer: ${put.stderr}`);
    let text = '';
    for (
      const end = Date.now() + 30_000;
      Date.now() < end && !text.includes('お知らせ');
      await new Promise((r) => setTimeout(r, 500))
    ) {
      text = (await run('pc1', `curl -fsS -m 5 http://${inside}/notice.txt`)).stdout;
    }
    assert.match(text, /住民向けお知らせ案\n/, 'the safe copy reached LGWAN, normalised');
    const macro = await run('pc1', `curl -s -m 5 -o /dev/null -w '%{http_code}' http://${inside}/seikyu.docm`);
    assert.equal(macro.stdout, '404', 'the macro document did not cross');
    let logged = '';
    for (const end = Date.now() + 20_000; Date.now() < end && !logged; await new Promise((r) => setTimeout(r, 500))) {
      logged = (
        await run('soc', 'enshu-logs --json --node sanitizer --grep "decision=quarantined file=\\"seikyu.docm\\""')
      ).stdout.trim();
    }
    assert.match(logged, /VBA macro project/, 'the quarantine is logged in the SOC');
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
