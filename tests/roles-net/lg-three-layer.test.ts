/**
 * Course B-1's range (lg-three-layer) as a local government's 三層分離, proved through the network
 * on one real team: every path the separation forbids is refused by the FW and logged in the SOC
 * (from the node a person or an intruder would use); the paths it allows work — Internet work
 * through the proxy, Internet mail on the Internet side, the sanitizer's text-only mail copy and
 * its safe file copies on LGWAN, LGWAN services (file server, LGWAN-ASP), the 住民記録 inquiry app
 * inside the My Number layer — and each layer resolves names with its own DNS. The planted
 * security-management findings (vendor exception, forgotten FW rule, password in a script) are
 * there and behave as the B-1 scenario expects — and with the vendor's exception removed, scenario
 * b1-lg-separation takes its other branch: the disguised payload stays in quarantine.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { loadTopologyById, RangeManager, type Engine, type ExerciseStatus } from '../../orchestrator/index.js';
import { teamFacts } from '../../core/index.js';
import { AttackRunner, loadScenario, MemorySink, planFor } from '../../attacker/index.js';
import type { AttackStepEvent } from '../../protocol/index.js';
import { engineWithImages, sh } from '../helpers/range.js';
import { Soc, type LogLine } from '../e2e/soc.js';

const EX = 'rnlg3';
const SEED = 'rnlg3-seed';
const topology = loadTopologyById('lg-three-layer');
const domain = topology.domain!;
const facts = teamFacts(SEED, 't01', domain);
const clerk = facts.staff.find((s) => s.department === 'soumu')!;

let engine: Engine;
let ranges: RangeManager;
let status: ExerciseStatus;
let soc: Soc;

const c = (node: string) => `enshu-${EX}-t01-${node}`;
const ip = (node: string, segment?: string) => {
  const ips = status.teams[0]!.nodes.find((n) => n.node === node)!.ips;
  return segment ? ips[`enshu-${EX}-t01-${segment}`]! : Object.values(ips)[0]!;
};
const run = (node: string, script: string, timeoutMs = 60_000) => sh(engine, c(node), script, timeoutMs);
async function ok(node: string, script: string): Promise<string> {
  const r = await run(node, script);
  assert.equal(r.exitCode, 0, `${node}: ${script}\n${r.stdout}${r.stderr}`);
  return r.stdout;
}
/** 0 when a TCP connection was made */
const connects = async (from: string, to: string, port: number) =>
  (await run(from, `nc -z -n -w 3 ${to} ${port}; echo $?`)).stdout.trim() === '0';

async function eventually<T>(what: string, f: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) assert.fail(`timed out after ${ms / 1000}s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** The address a node sends from: a DHCP PC's lease, else its planned address. */
async function source(node: string): Promise<string> {
  const lease = (await run(node, "ip -o -4 addr show dev lease0 2>/dev/null | awk '{print $4}' | cut -d/ -f1")).stdout;
  return lease.trim() || ip(node);
}

beforeAll(async () => {
  engine = await engineWithImages([...new Set(topology.nodes.map((n) => n.role))]);
  ranges = new RangeManager(engine);
  await ranges.down({ exercise: EX });
  status = await ranges.up({ exercise: EX, topology, teams: 1, seed: SEED }).catch((err: Error) => {
    console.error(`# first up failed: ${err.message}`);
    return ranges.up({ exercise: EX, topology, teams: 1, seed: SEED });
  });
  soc = new Soc(engine, c('soc'));
  // DHCP PCs send from their lease: wait for it
  await eventually('pc1’s DHCP lease', async () => ((await source('pc1')) !== ip('pc1') ? true : undefined));
}, 900_000);

afterAll(async () => {
  await ranges?.down({ exercise: EX });
});

describe('course B-1: the three layers held apart by the FW', () => {
  test('every node is up, each having passed its health check', () => {
    const nodes = status.teams[0]!.nodes;
    assert.deepEqual(nodes.map((n) => n.node).sort(), topology.nodes.map((n) => n.name).sort());
    for (const n of nodes) assert.equal(n.state, 'running', n.node);
  });

  test(
    'every forbidden cross-layer path is refused and the refusal is logged in the SOC',
    { timeout: 300_000 },
    async () => {
      const forbidden: [string, string, string, number][] = [
        ['Internet side → LGWAN file server (SMB)', 'inet-pc', ip('file', 'lgwan'), 445],
        ['Internet side → LGWAN PC (SSH)', 'inet-pc', ip('pc1', 'lgwan'), 22],
        ['Internet side → LGWAN mail', 'inet-pc', ip('mail', 'lgwan'), 25],
        ['Internet side → 住民記録', 'inet-pc', ip('juki', 'mynumber'), 80],
        ['Internet side → Internet, past the proxy', 'inet-pc', ip('attacker', 'internet'), 80],
        [
          'Internet → LGWAN mail (mail from outside lands on the Internet side only)',
          'attacker',
          ip('mail', 'lgwan'),
          25,
        ],
        ['Internet → Internet-side PC', 'attacker', ip('inet-pc', 'inetside'), 22],
        ['Internet → sanitizer inbox', 'attacker', ip('sanitizer', 'inetside'), 22],
        ['LGWAN → Internet', 'pc1', ip('attacker', 'internet'), 80],
        ['LGWAN → proxy', 'pc1', ip('proxy', 'dmz'), 3128],
        ['LGWAN → Internet-side PC', 'pc1', ip('inet-pc', 'inetside'), 22],
        ['LGWAN → the Internet side’s DNS', 'pc1', ip('dns', 'dmz'), 53],
        ['LGWAN → 住民記録 SSH (only the forgotten tcp/80 is open)', 'pc1', ip('juki', 'mynumber'), 22],
        ['My Number → LGWAN file server', 'mn-pc', ip('file', 'lgwan'), 445],
        ['My Number → Internet', 'mn-pc', ip('attacker', 'internet'), 80],
        ['My Number → proxy', 'mn-pc', ip('proxy', 'dmz'), 3128],
        ['住民記録 → LGWAN PC', 'juki', ip('pc1', 'lgwan'), 22],
        ['LGWAN-ASP → LGWAN PC (the WAN does not reach in)', 'lgwan-asp', ip('pc1', 'lgwan'), 22],
      ];
      const tried = await Promise.all(forbidden.map(([, from, to, port]) => connects(from, to, port)));
      forbidden.forEach(([what], k) => assert.equal(tried[k], false, `${what} must be refused`));
      for (const [what, from, to, port] of forbidden) {
        const src = await source(from);
        const hit = await eventually(`the FW's log line for ${what}`, async () => {
          const lines: LogLine[] = await soc.search({ grep: `SRC=${src} DST=${to} `, node: 'fw' });
          return lines.find((l) => l.msg.includes(`DPT=${port} `) && l.msg.includes('enshu-fw blocked'));
        });
        assert.match(hit.msg, /PROTO=TCP/, what);
      }
    },
  );

  test(
    'the allowed paths work: Internet work via the proxy, mail on the Internet side, LGWAN services, 住民記録 inside its layer',
    { timeout: 180_000 },
    async () => {
      const marker = `b1-${Date.now()}`;
      await ok('attacker', `echo page-${marker} > /srv/payload/${marker}.txt`);
      const page = await ok(
        'inet-pc',
        `curl -sS -m 10 -x http://${ip('proxy')}:3128 http://news.portal.example/${marker}.txt`,
      );
      assert.equal(page.trim(), `page-${marker}`);
      assert.ok(await connects('inet-pc', ip('inet-mail'), 143), 'Internet-side staff read mail (IMAP)');
      assert.ok(
        await connects('attacker', ip('inet-mail'), 25),
        'mail from the Internet reaches the Internet mail server',
      );
      assert.ok(await connects('pc1', ip('file'), 445), 'LGWAN staff reach their file server');
      const asp = await ok('pc1', `curl -s -m 10 -o /dev/null -w '%{http_code}' http://${ip('lgwan-asp')}/`);
      assert.equal(asp, '200', 'LGWAN-ASP answers from LGWAN, through the FW');
      assert.equal(await connects('inet-pc', ip('lgwan-asp'), 80), false, 'but not from the Internet side');
      // 住民記録: sign-in required; an inquiry by a clerk of the layer finds seeded residents, audited
      const anon = await ok('mn-pc', `curl -s -m 10 -o /dev/null -w '%{http_code}' http://${ip('juki')}/inquiry?q=x`);
      assert.equal(anon, '401');
      const rows = JSON.parse(
        await ok(
          'mn-pc',
          `curl -fsS -m 10 -u '${clerk.user}:${clerk.password}' 'http://juki.${domain}/inquiry?q=%E4%BD%90%E8%97%A4&format=json'`,
        ),
      ) as { name: string; my_number: string }[];
      assert.ok(rows.length > 0 && rows.every((r) => r.name.startsWith('佐藤')), JSON.stringify(rows.slice(0, 2)));
      // 個人番号 carry the statutory check digit (made up, but well-formed)
      for (const r of rows) {
        const d = r.my_number.split('').map(Number);
        let sum = 0;
        for (let n = 1; n <= 11; n++) sum += d[11 - n]! * (n <= 6 ? n + 1 : n - 5);
        assert.equal(d[11], sum % 11 <= 1 ? 0 : 11 - (sum % 11), r.my_number);
      }
      await soc.find('the inquiry in the 住民記録 audit log', {
        grep: `user=${clerk.user} from=${ip('mn-pc')} action=inquiry`,
        node: 'juki',
      });
    },
  );

  test('each layer resolves names with its own DNS, which names nothing of the other layers', async () => {
    const resolves = async (node: string, name: string) =>
      (await run(node, `getent hosts ${name} | awk '{print $1}'`)).stdout.trim();
    assert.equal(await resolves('pc1', `file.${domain}`), ip('file'));
    assert.equal(await resolves('pc1', `sanitizer.${domain}`), ip('sanitizer', 'lgwan'));
    assert.equal(await resolves('pc1', 'news.portal.example'), '', 'LGWAN cannot name the Internet');
    assert.equal(await resolves('pc1', `juki.${domain}`), '', 'nor the My Number layer');
    assert.equal(await resolves('mn-pc', `juki.${domain}`), ip('juki'));
    assert.equal(await resolves('mn-pc', `file.${domain}`), '');
    assert.equal(await resolves('inet-pc', 'news.portal.example'), ip('attacker'));
    assert.equal(await resolves('inet-pc', `file.${domain}`), '', 'the Internet side cannot name LGWAN');
    assert.match(
      await ok('pc1', 'cat /etc/resolv.conf'),
      new RegExp(`nameserver ${ip('lgwan-dns').replaceAll('.', '\\.')}`),
    );
  });
});

describe('course B-1: what crosses from the Internet side to LGWAN, only through the sanitizer', () => {
  test(
    'Internet mail: the original on the Internet side, a text-only copy on LGWAN; the macro attachment quarantined and logged',
    { timeout: 180_000 },
    async () => {
      const id = `${Date.now()}`;
      // a mail with a macro document and a plain Word document, from the Internet
      const script = `cd /tmp && python3 - <<'PY'
import zipfile, base64
ct = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
doc = '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>回答期限は今月末です</w:t></w:r></w:p></w:body></w:document>'
with zipfile.ZipFile('irai.docx', 'w') as z:
    z.writestr('[Content_Types].xml', ct); z.writestr('word/document.xml', doc)
macro = b'#!/bin/sh\\necho macro\\n'
parts = [('irai.docx', open('irai.docx', 'rb').read()), ('chosa.docm', macro)]
b = 'XX${id}'
out = ['From: chosa@pref-enshu.example', 'To: ${clerk.email}', 'Subject: survey ${id}', 'Message-ID: <m${id}@pref-enshu.example>', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary=' + b, '', '--' + b, 'Content-Type: text/plain; charset=UTF-8', '', 'body-${id}']
for name, data in parts:
    out += ['--' + b, 'Content-Type: application/octet-stream', 'Content-Transfer-Encoding: base64', 'Content-Disposition: attachment; filename="' + name + '"', '', base64.encodebytes(data).decode()]
out += ['--' + b + '--', '']
open('m.eml', 'w').write('\\r\\n'.join(out))
PY
curl -sS -m 20 --url smtp://${ip('inet-mail')}:25/pref-enshu.example --mail-from chosa@pref-enshu.example --mail-rcpt ${clerk.email} -T /tmp/m.eml`;
      await ok('attacker', script);
      const mailOf = async (node: string) =>
        eventually(`the mail on ${node}`, async () => {
          const r = await run(
            node,
            `grep -l 'survey ${id}' /home/${clerk.user}/Maildir/new/* 2>/dev/null | head -n1 | xargs -r cat`,
          );
          return r.stdout.includes(`survey ${id}`) ? r.stdout : undefined;
        });
      const original = await mailOf('inet-mail');
      assert.match(
        original,
        /filename="chosa\.docm"/,
        'the original, with its attachments, stays on the Internet side',
      );
      const copy = await mailOf('mail');
      assert.match(copy, /X-Enshu-Sanitized: text-only/);
      assert.doesNotMatch(copy, /chosa\.docm"/, 'the macro document did not cross');
      assert.match(copy, /filename="irai\.docx\.txt"/, 'the Word document crossed as text');
      const text = await ok(
        'mail',
        `python3 - <<'PY'
import email, email.policy, glob
for f in glob.glob('/home/${clerk.user}/Maildir/new/*'):
    m = email.message_from_binary_file(open(f, 'rb'), policy=email.policy.default)
    if 'survey ${id}' in str(m['Subject']):
        print(m.get_body(('plain',)).get_content())
        for a in m.iter_attachments():
            print(a.get_filename(), a.get_content())
PY`,
      );
      assert.match(text, new RegExp(`body-${id}`));
      assert.match(text, /添付ファイル「chosa\.docm」は安全でない可能性があるため削除しました/);
      assert.match(text, /irai\.docx\.txt 回答期限は今月末です/);
      const q = await soc.find('the quarantine of the macro attachment', {
        grep: 'decision=quarantined file="chosa.docm"',
        node: 'sanitizer',
      });
      assert.match(
        q[0]!.msg,
        new RegExp(`mail=<m${id}@pref-enshu\\.example>.*reason="macro-enabled Office document type \\(\\.docm\\)"`),
      );
      await soc.find('the text-only copy', {
        grep: `mail=delivered-text-only mail=<m${id}@pref-enshu.example>`,
        node: 'sanitizer',
      });
    },
  );

  test(
    'files: the safe copy is offered on LGWAN; a disguised script is quarantined — unless the vendor’s exception lets it through',
    { timeout: 180_000 },
    async () => {
      // the clerk's own upload script (with the password in it: a finding) is what staff use
      const script = `/home/${clerk.user}/bin/lgwan-upload.sh`;
      assert.match(
        await ok('inet-pc', `cat ${script}`),
        new RegExp(`UPLOAD_PASS='${facts.secret('sanitizer-upload').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'`),
      );
      assert.match(
        await ok('inet-pc', `head -n 3 /home/${clerk.user}/Documents/住民問い合わせ一覧.csv`),
        /^受付番号,受付日,氏名,住所/,
      );
      const upload = (files: string[]) =>
        ok(
          'inet-pc',
          `cd /tmp && su ${clerk.user} -s /bin/sh -c "sh ${script} ${files.map((f) => `'/tmp/${f}'`).join(' ')}"`,
        );
      const fetch = async (name: string) =>
        (
          await run(
            'pc1',
            `curl -s -m 5 -o /dev/null -w '%{http_code}' "http://${ip('sanitizer', 'lgwan')}/$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' '${name}')"`,
          )
        ).stdout;
      const decided = (name: string) =>
        soc.find(`the sanitizer's decision on ${name}`, { grep: `file="${name}"`, node: 'sanitizer' });
      const n = Date.now() % 100_000;
      const [notice, disguised, manual] = [`notice-${n}.txt`, `shiryo-${n}.pdf`, `保守作業手順書_${n}.pdf`];
      await ok(
        'inet-pc',
        `printf '住民向けお知らせ案\\r\\n' > /tmp/${notice} && for f in ${disguised} ${manual}; do printf '#!/bin/sh\\necho run\\n' > "/tmp/$f"; done && chmod 644 /tmp/*-${n}* /tmp/*_${n}*`,
      );
      await upload([notice, disguised, manual]);
      assert.match((await decided(notice))[0]!.msg, /decision=delivered/);
      assert.match((await decided(disguised))[0]!.msg, /decision=quarantined .*reason="executable or script"/);
      assert.match(
        (await decided(manual))[0]!.msg,
        /decision=delivered .*reason="exception \*保守\* \(delivered unchanged\)"/,
      );
      assert.equal(await fetch(notice), '200');
      assert.equal(await fetch(disguised), '404', 'the disguised script did not cross');
      assert.equal(await fetch(manual), '200', 'the vendor’s exception let the same script through');
      for (const leg of ['lgwan', 'inetside'])
        assert.equal(
          (await run('inet-pc', `curl -s -m 5 -o /dev/null -w '%{http_code}' http://${ip('sanitizer', leg)}/`)).stdout,
          '000',
          `the safe copies are not offered to the Internet side (sanitizer's ${leg} address)`,
        );
      // the exception removed (the finding fixed): the next such file is quarantined
      await ok('sanitizer', "sed -i '/^pass /d' /etc/sanitizer/exceptions.conf");
      const again = `保守作業手順書_${n}b.pdf`;
      await ok('inet-pc', `printf '#!/bin/sh\\necho run\\n' > "/tmp/${again}" && chmod 644 "/tmp/${again}"`);
      await upload([again]);
      assert.match((await decided(again))[0]!.msg, /decision=quarantined .*reason="executable or script"/);
      assert.equal(await fetch(again), '404');
    },
  );

  test(
    'the forgotten migration rule: LGWAN reaches the 住民記録 app on tcp/80 (a finding), and removing it closes the path',
    { timeout: 120_000 },
    async () => {
      assert.ok(await connects('pc1', ip('juki'), 80), 'the rule is there, as the range ships');
      const rules = await ok('fw', 'nft -a list chain inet filter forward');
      const handle = /tcp dport 80 accept comment "住基システム更改[^"]*" # handle (\d+)/.exec(rules)?.[1];
      assert.ok(handle, rules);
      await ok('fw', `nft delete rule inet filter forward handle ${handle}`);
      try {
        assert.equal(await connects('pc1', ip('juki'), 80), false);
        await soc.find('the now-refused LGWAN → 住民記録 attempt', { grep: `DST=${ip('juki')} `, node: 'fw' });
      } finally {
        await ok('fw', 'nft -f /etc/nftables.conf');
      }
    },
  );
});

describe('course B-1: the scenario’s branch when the vendor’s exception was removed', () => {
  test(
    'the disguised payload is quarantined and logged; nothing runs on LGWAN, nothing reads the register',
    { timeout: 600_000 },
    async () => {
      const scenario = loadScenario('b1-lg-separation');
      const f = planFor(scenario, { exercise: EX, team: 't01', seed: SEED }).facts;
      await ok('sanitizer', "sed -i '/^pass /d' /etc/sanitizer/exceptions.conf");
      const sink = new MemorySink();
      const runner = new AttackRunner({ engine, exercise: EX, team: 't01', scenario, seed: SEED, sink, speed: 300 });
      try {
        await runner.start();
        await runner.done();
        const outcomes = Object.fromEntries(
          sink.events
            .filter((e): e is AttackStepEvent & { seq: number } => e.type === 'attack.step')
            .map((e) => [e.step, `${e.outcome}${e.reason ? ` (${e.reason})` : ''}`]),
        );
        assert.match(outcomes['payload-upload']!, /^succeeded/, JSON.stringify(outcomes));
        assert.match(outcomes['payload-opened']!, /^skipped \(condition not met on sanitizer/);
        assert.match(outcomes['mynumber-access']!, /^skipped/);
        assert.match(outcomes.exfiltrate!, /^succeeded/, 'the Internet side is still lost');
        const q = await soc.find('the quarantined payload', {
          grep: `decision=quarantined file="${f.payload}"`,
          node: 'sanitizer',
        });
        assert.match(q[0]!.msg, /reason="executable or script"/);
        assert.equal(
          (await run('sanitizer', `ls /srv/sanitizer/quarantine | grep -c '${f.payload}'`)).stdout.trim(),
          '1',
        );
        const lookups = await soc.search({ grep: 'action=export', node: 'juki' });
        assert.deepEqual(lookups, [], 'nobody exported the register');
      } finally {
        await runner.stop();
        await ok('sanitizer', '/etc/enshu/init.d/30-exceptions');
      }
    },
  );
});
