/**
 * The application roles through the network, from the node a person would use: the AD DC
 * (samba-tool, domain logons), the file server (shares + full_audit), the sanitizer
 * (SFTP inbox outside → safe copy inside, macro documents quarantined), the order system
 * (HTTP + audit log), the research server (SFTP) and the staff simulator on a staff PC.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTopology, RangeManager, type Engine, type ExerciseStatus } from '../../orchestrator/index.js';
import { engineWithImages, freshRange, sh } from '../helpers/range.js';

const EX = 'ra-apps';
const T = 't01';
const topology = loadTopology(join(fileURLToPath(new URL('.', import.meta.url)), 'apps-test.yaml'));

let engine: Engine;
let ranges: RangeManager;
let status: ExerciseStatus;

const c = (node: string) => `enshu-${EX}-${T}-${node}`;
const ip = (node: string, segment: string) =>
  status.teams.find((t) => t.team === T)!.nodes.find((n) => n.node === node)!.ips[`enshu-${EX}-${T}-${segment}`]!;

/** Runs a script and fails the test with its output when it exits non-zero. */
async function ok(node: string, script: string, timeoutMs = 60_000): Promise<string> {
  const r = await sh(engine, c(node), script, timeoutMs);
  assert.equal(r.exitCode, 0, `${node}: ${script}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Polls a node's syslog until a line matches (logs are written asynchronously). */
async function logLine(node: string, pattern: RegExp, file = '/var/log/syslog', timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = (await sh(engine, c(node), `cat ${file} 2>/dev/null`)).stdout;
    const line = text.split('\n').find((l) => pattern.test(l));
    if (line) return line;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.fail(`no line matching ${pattern} in ${node}:${file}; last lines:\n${text.split('\n').slice(-15).join('\n')}`);
}

/**
 * sftp with a password and no terminal: OpenSSH asks the askpass helper
 * (BatchMode=no must precede -b, which turns it on).
 */
const sftp = (user: string, pass: string, host: string, batch: string) =>
  `printf '#!/bin/sh\\necho %s\\n' '${pass}' > /tmp/askpass && chmod 700 /tmp/askpass && ` +
  `printf '${batch}\\n' > /tmp/batch && SSH_ASKPASS=/tmp/askpass SSH_ASKPASS_REQUIRE=force DISPLAY=:0 ` +
  `setsid -w sftp -o BatchMode=no -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o PreferredAuthentications=password ` +
  `-b /tmp/batch ${user}@${host} </dev/null`;

beforeAll(async () => {
  engine = await engineWithImages(['fw', 'terminal', 'ad', 'file', 'sanitizer', 'orders', 'research', 'mail']);
  ({ ranges, status } = await freshRange(engine, EX, topology, 1));
});

afterAll(async () => {
  // also when bringing the range up failed half-way
  if (engine) await (ranges ?? new RangeManager(engine)).down({ exercise: EX });
});

describe('AD domain controller', () => {
  test("staff log on with the team's password; a user disabled with samba-tool can no longer", async () => {
    const ad = ip('ad', 'core');
    await ok('pc1', `smbclient -L //${ad} -U 'CORP\\staff01%staff01-pass' -m SMB3`);
    // the image's default password was replaced by the team's fact
    const old = await sh(engine, c('pc1'), `smbclient -L //${ad} -U 'CORP\\staff01%Staff01-pass' -m SMB3`);
    assert.notEqual(old.exitCode, 0, 'image default password must no longer work');
    // the new hire from the team's facts exists, in the eigyo OU and group
    const show = await ok('ad', 'samba-tool user show shinjin01');
    assert.match(show, /OU=Eigyo/);
    assert.match(show, /displayName: 新人 一郎/);
    assert.match(await ok('ad', 'samba-tool group listmembers eigyo'), /shinjin01/);
    await ok('pc1', `smbclient -L //${ad} -U 'CORP\\shinjin01%Shinjin-pass-1' -m SMB3`);
    await ok('ad', 'samba-tool user disable shinjin01');
    const denied = await sh(engine, c('pc1'), `smbclient -L //${ad} -U 'CORP\\shinjin01%Shinjin-pass-1' -m SMB3`);
    assert.notEqual(denied.exitCode, 0);
    assert.match(denied.stdout + denied.stderr, /NT_STATUS_ACCOUNT_DISABLED/);
    await logLine('ad', /shinjin01.*NT_STATUS_ACCOUNT_DISABLED|NT_STATUS_ACCOUNT_DISABLED.*shinjin01/);
    // a trainee's password reset takes effect at once
    await ok('ad', "samba-tool user setpassword staff02 --newpassword='Reset-by-trainee-1'");
    await ok('pc1', `smbclient -L //${ad} -U 'CORP\\staff02%Reset-by-trainee-1' -m SMB3`);
  });

  test('LDAP and Kerberos answer on the network', async () => {
    const ad = ip('ad', 'core');
    // LDAP and the KDC are reachable from a staff PC through the FW
    await ok(
      'pc1',
      `python3 -c "import socket\nfor p in (389, 88): socket.create_connection(('${ad}', p), 3).close()"`,
    );
    assert.match(
      await ok('ad', `ldapsearch -x -LLL -H ldap://${ad} -s base -b '' defaultNamingContext`),
      /DC=corp,DC=enshu,DC=test/,
    );
    await ok('ad', "printf 'staff01-pass\\n' | KRB5CCNAME=MEMORY: kinit staff01@CORP.ENSHU.TEST");
  });
});

describe('file server', () => {
  test('a staff member writes and reads their department share; others are refused; access is logged', async () => {
    const file = ip('file', 'business');
    await ok(
      'pc1',
      `echo '議事メモ テスト' > /tmp/memo.txt && smbclient //${file}/soumu -U 'staff01%staff01-pass' -m SMB3 -c 'put /tmp/memo.txt 議事録/テスト議事メモ.txt'`,
    );
    const listing = await ok('pc1', `smbclient //${file}/soumu -U 'staff01%staff01-pass' -m SMB3 -c 'ls 議事録/*'`);
    assert.match(listing, /テスト議事メモ\.txt/);
    assert.match(listing, /2024-11-定例会議議事録\.txt/);
    const back = await ok(
      'pc1',
      `smbclient //${file}/soumu -U 'staff01%staff01-pass' -m SMB3 -c 'get 議事録/テスト議事メモ.txt /tmp/back.txt' && cat /tmp/back.txt`,
    );
    assert.match(back, /議事メモ テスト/);
    const refused = await sh(engine, c('pc1'), `smbclient //${file}/soumu -U 'staff02%staff02-pass' -m SMB3 -c ls`);
    assert.notEqual(refused.exitCode, 0, 'eigyo staff must not open the soumu share');
    const line = await logLine('file', /smbd_audit.*staff01\|[0-9.]+\|soumu\|(openat|pwrite)\|ok\|.*テスト議事メモ/);
    assert.match(line, new RegExp(`staff01\\|${ip('pc1', 'business').replaceAll('.', '\\.')}\\|soumu`));
  });
});

describe('sanitizer (無害化サーバ)', () => {
  test('a document dropped outside appears as safe text inside; a macro document is quarantined with a log line', async () => {
    const outsideAddr = ip('sanitizer', 'internet');
    // Built on the outside host: a plain .docx and a .docm carrying a VBA project.
    await ok(
      'outside',
      `cd /tmp && python3 - <<'PY'
import zipfile
ct = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
doc = '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>お見積りのご依頼</w:t></w:r></w:p><w:p><w:r><w:t>納期は12月20日です。</w:t></w:r></w:p></w:body></w:document>'
with zipfile.ZipFile('irai.docx', 'w') as z:
    z.writestr('[Content_Types].xml', ct); z.writestr('word/document.xml', doc)
with zipfile.ZipFile('seikyu.docm', 'w') as z:
    z.writestr('[Content_Types].xml', ct.replace('document.main+xml', 'document.macroEnabled.main+xml'))
    z.writestr('word/document.xml', doc); z.writestr('word/vbaProject.bin', b'\\xd0\\xcf\\x11\\xe0 Attribute VB_Name AutoOpen Shell')
PY
printf 'こんにちは\\r\\n' | iconv -f utf-8 -t cp932 > memo.txt 2>/dev/null || printf 'hello\\r\\n' > memo.txt`,
    );
    await ok(
      'outside',
      sftp('partner', 'partner-pass', outsideAddr, 'put /tmp/irai.docx\\nput /tmp/seikyu.docm\\nput /tmp/memo.txt'),
    );
    await logLine('sanitizer', /sanitizer.*decision=delivered file="irai\.docx".*out="irai\.docx\.txt"/);
    const q = await logLine('sanitizer', /sanitizer.*decision=quarantined file="seikyu\.docm"/);
    assert.match(q, /VBA macro project \(word\/vbaProject\.bin\)/);
    await logLine('sanitizer', /decision=delivered file="memo\.txt"/);
    const inside = ip('sanitizer', 'business');
    const text = await ok('pc1', `curl -fsS http://${inside}/irai.docx.txt`);
    assert.match(text, /お見積りのご依頼\n納期は12月20日です。/);
    const memo = await ok('pc1', `curl -fsS http://${inside}/memo.txt | od -c | head -2`);
    assert.doesNotMatch(memo, /\\r/, 'CR/LF normalised');
    const missing = await sh(engine, c('pc1'), `curl -fsS -o /dev/null -w '%{http_code}' http://${inside}/seikyu.docm`);
    assert.equal(missing.stdout, '404');
    assert.match(await ok('sanitizer', 'ls /srv/sanitizer/quarantine'), /seikyu\.docm/);
    // the uploader is confined to the inbox: no shell on the sanitizer
    const shell = await sh(
      engine,
      c('outside'),
      sftp('partner', 'partner-pass', outsideAddr, 'ls /srv/sanitizer/safe'),
    );
    assert.notEqual(shell.exitCode, 0);
  });
});

describe('order system (受発注管理サーバ)', () => {
  test('staff place and list orders over HTTP; the change is in the audit log', async () => {
    const orders = ip('orders', 'core');
    const placed = await ok(
      'pc1',
      `curl -fsS -u staff01:staff01-pass --data-urlencode 'customer=北陸精機株式会社' --data-urlencode 'item=テスト部品 TP-1' -d quantity=7 -d unit_price=1200 http://${orders}/orders`,
    );
    const id = (JSON.parse(placed) as { id: number }).id;
    assert.ok(id > 4, 'after the seeded orders');
    const list = JSON.parse(
      await ok('pc1', `curl -fsS -u staff01:staff01-pass 'http://${orders}/orders?format=json'`),
    ) as { id: number; item: string; created_by: string; quantity: number }[];
    const mine = list.find((o) => o.id === id);
    assert.deepEqual([mine?.item, mine?.quantity, mine?.created_by], ['テスト部品 TP-1', 7, 'staff01']);
    await logLine(
      'orders',
      new RegExp(
        `orders-audit.*user=staff01 from=${ip('pc1', 'business').replaceAll('.', '\\.')} action=order-create order=${id} `,
      ),
    );
    await logLine('orders', /orders-access.*user=staff01 "POST \/orders HTTP\/1\.1" 201/);
    const denied = await sh(
      engine,
      c('pc1'),
      `curl -s -o /dev/null -w '%{http_code}' -u staff01:wrong http://${orders}/orders`,
    );
    assert.equal(denied.stdout, '401');
    await logLine('orders', /orders-audit.*user=staff01 .*action=login-failed/);
    // the data is in a real database on the server
    assert.match(
      await ok('orders', `sqlite3 /var/lib/orders/orders.db "SELECT item FROM orders WHERE id=${id}"`),
      /テスト部品 TP-1/,
    );
  });
});

describe('research data server (研究データサーバ)', () => {
  test('R&D staff read and write research data over SFTP from the R&D terminal', async () => {
    const research = ip('research', 'rnd');
    await ok('rdpc', `echo 'run,value\\n1,0.42' > /tmp/run-42.csv`);
    const out = await ok(
      'rdpc',
      `cd /tmp && ${sftp('rd01', 'rd01-pass', research, 'put /tmp/run-42.csv /srv/research/EU-300/raw/run-42.csv\\nget /srv/research/EU-300/解析/中間報告.txt /tmp/report.txt\\nls /srv/research/EU-300/raw')} && cat /tmp/report.txt`,
    );
    assert.match(out, /run-42\.csv/);
    assert.match(out, /EU-300 耐環境試験 中間報告/);
    assert.match(await ok('research', 'stat -c %U:%G /srv/research/EU-300/raw/run-42.csv'), /rd01:rd/);
    await logLine(
      'research',
      /(internal-sftp|sshd).*open "\/srv\/research\/EU-300\/raw\/run-42\.csv" flags WRITE/,
      '/var/log/auth.log',
    );
  });
});

describe('staff simulator', () => {
  test('the same seed plans the same day; another seed another one', async () => {
    const a = await ok('pc1', 'staff-sim plan --count 40');
    const b = await ok('pc1', 'staff-sim plan --count 40');
    const other = await ok('pc1', 'staff-sim plan --count 40 --seed other-exercise');
    assert.equal(a, b);
    assert.notEqual(a, other);
    const steps = a
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { user: string; action: string; at: number });
    assert.equal(steps.length, 40);
    assert.deepEqual([...new Set(steps.map((s) => s.user))].sort(), ['staff01', 'staff02'], 'non-sudo accounts only');
    assert.ok(new Set(steps.map((s) => s.action)).size >= 4, 'a varied day');
    assert.ok(
      steps.every((s, i) => i === 0 || s.at >= steps[i - 1]!.at),
      'in time order',
    );
  });

  test('runs at the configured pace against the real services and logs each action', async () => {
    await ok('pc1', 'ENSHU_SIM_PACE=0.5 timeout 45 staff-sim run; true', 70_000);
    const log = await ok('pc1', 'grep staff-sim /var/log/syslog');
    const done = log.split('\n').filter((l) => / ok /.test(l));
    assert.ok(done.length >= 3, `actions done:\n${log}`);
    // each of these reached its real server
    await logLine('pc1', /staff-sim.*action=order ok placed order \d+/);
    await logLine('orders', /orders-audit.*user=staff0[12] .*action=order-create/);
    // one action on demand: a document from the user's department share, seen by the file server's audit
    assert.match(await ok('pc1', 'staff-sim do open-document --user staff01 --pick 0.1'), /open-document: ok/);
    await logLine('pc1', /staff-sim.*user=staff01 action=open-document ok opened \/\/[0-9.]+\/soumu\//);
    await logLine('file', /smbd_audit: staff01\|[0-9.]+\|soumu\|openat\|ok\|r\|\/srv\/shares\/soumu\/.+\.(txt|csv)/);
    // a domain logon: the DC authenticates the user (its audit log says so) and serves netlogon
    assert.match(await ok('pc1', 'staff-sim do logon --user staff01'), /logon: ok/);
    await logLine('ad', /Auth.*staff01.*NT_STATUS_OK/);
  });

  test("open-attachment opens the newest matching mail's attachment as the user (phishing end to end)", async () => {
    const mail = ip('mail', 'core');
    await ok(
      'outside',
      `python3 - <<'PY'
import smtplib
from email.message import EmailMessage
for subject, mark in (("【至急】請求書の送付", "phished"), ("週報", "wrong")):
    m = EmailMessage()
    m["From"] = "keiri@example-supplier.test"; m["To"] = "staff01@corp.enshu.test"; m["Subject"] = subject
    m.set_content("添付の請求書をご確認ください。")
    m.add_attachment(f"#!/bin/sh\\nid -un > /tmp/{mark}-proof\\n".encode(), maintype="application", subtype="octet-stream", filename="請求書.sh")
    with smtplib.SMTP("${mail}", 25, timeout=60) as s:
        s.send_message(m)
PY`,
      150_000,
    );
    const deadline = Date.now() + 60_000;
    let out = '';
    while (Date.now() < deadline) {
      const r = await sh(engine, c('pc1'), "staff-sim open-attachment --user staff01 --subject '請求書の送付'");
      if (r.exitCode === 0) {
        out = r.stdout;
        break;
      }
      await new Promise((res) => setTimeout(res, 1000));
    }
    const opened = JSON.parse(out) as { file: string; executed: boolean; subject: string };
    assert.equal(opened.subject, '【至急】請求書の送付');
    assert.equal(opened.executed, true);
    assert.equal(opened.file, '/home/staff01/Downloads/請求書.sh');
    await logLine('pc1', /staff-sim.*user=staff01 action=open-attachment/);
    const deadline2 = Date.now() + 10_000;
    let proof = '';
    while (Date.now() < deadline2 && !proof.includes('staff01')) {
      proof = (await sh(engine, c('pc1'), 'cat /tmp/phished-proof 2>/dev/null')).stdout;
      await new Promise((res) => setTimeout(res, 300));
    }
    assert.equal(proof.trim(), 'staff01', 'the attachment ran as the staff member');
    assert.equal(
      (await sh(engine, c('pc1'), 'test -e /tmp/wrong-proof')).exitCode,
      1,
      'only the matching mail was opened',
    );
    // with no matching mail the command says so and fails
    const none = await sh(engine, c('pc1'), "staff-sim open-attachment --user staff01 --subject 'no such subject'");
    assert.notEqual(none.exitCode, 0);
    assert.match(none.stderr, /no mail with subject/);
  });
});
