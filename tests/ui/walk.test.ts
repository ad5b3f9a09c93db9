/// <reference lib="dom" />
/**
 * The web UI end to end, in Chromium, on a real server, the real course A range (cyder-standard,
 * two teams) and the real pseudo-attacker (scenario a-phishing-c2-exfil):
 * - the instructor creates, builds and starts the exercise, pauses the attack, sets its speed,
 *   skips a step of team 2, releases a hint to team 1 and resumes — the first half in Japanese,
 *   the second in English — and watches each team's timeline (planned vs done) to the end;
 * - trainees of team 1 (one in Japanese, one in English) read the released hint, open a terminal
 *   on pc1 and run a command, search the SOC log for the C2 the attacker really used, submit it
 *   as a finding and file a report, and watch their detection score rise live;
 * - a team-2 trainee cannot reach team 1; the organizer review; no console errors.
 * Screenshots of every view go to test-artifacts/ui/ (docs-*.png are the README's, viewport-sized).
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { io as ioClient } from 'socket.io-client';
import { RangeManager, loadTopologyById, type Engine } from '../../orchestrator/index.js';
import { repoRoot } from '../../core/index.js';
import {
  createExerciseServer,
  type ExerciseServer,
  attackPort,
  reportingPort,
  scoringPort,
  accessRouteFactory,
  attachTraineeAccess,
  type AttachedAccess,
} from '../../server/index.js';
import { TERMINAL_NAMESPACE } from '../../protocol/index.js';
import { engineWithImages } from '../helpers/range.js';
import { teardown } from '../helpers/teardown.js';

const EX = 'ui-walk';
const SCENARIO = 'a-phishing-c2-exfil';
const STAFF = { user: 'teacher', password: 'teacher-password-1' };
const SHOTS = join(repoRoot, 'test-artifacts', 'ui');
/** two teams of the 17-node range: ~110 s on an idle machine, much longer when the engine is shared */
const BUILD_MS = 15 * 60_000;
/** the whole scenario at speed 100, from resume to both attacks finished */
const ATTACK_MS = 6 * 60_000;
const SPEED = 100;

let engine: Engine;
let server: ExerciseServer;
let access: AttachedAccess;
let browser: Browser;
let url = '';
let dataDir = '';
const codes: Record<string, string> = {};
const consoleErrors: string[] = [];
const timings: Record<string, number> = {};

beforeAll(async () => {
  const roles = [...new Set(loadTopologyById('cyder-standard').nodes.map((n) => n.role))];
  engine = await engineWithImages(roles);
  await new RangeManager(engine).down({ exercise: EX });
  // always from the current source: a stale bundle would test yesterday's UI
  const { build } = await import('vite');
  await build({ configFile: join(repoRoot, 'web', 'vite.config.ts'), logLevel: 'warn' });
  mkdirSync(SHOTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'enshu-ui-walk-'));
  server = createExerciseServer({
    dataDir,
    engine,
    attack: attackPort(),
    scoring: scoringPort(),
    reporting: reportingPort(),
    extraRoutes: accessRouteFactory(engine),
    checkIntervalMs: 5000,
  });
  server.store.auth.putUser(STAFF.user, 'instructor', STAFF.password);
  access = await attachTraineeAccess(server, { engine, dataDir, sshPort: false });
  assert.ok(access.webServed, 'the built web app is served');
  ({ url } = await server.listen(0));
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'],
  });
});

afterAll(async () => {
  if (Object.keys(timings).length) console.error(`# ui walk timings (s): ${JSON.stringify(timings)}`);
  await teardown([
    ['close the browser', () => browser?.close()],
    // the attackers and the checker stop before the store closes under them
    ['end the exercise', () => server?.service.end(EX, 'ui-walk')],
    ['close trainee access', () => access?.close()],
    ['close the server', () => server?.close()],
    ['remove the ranges', () => engine && new RangeManager(engine).down({ exercise: EX })],
    ['remove the data dir', () => dataDir && rmSync(dataDir, { recursive: true, force: true })],
  ]);
});

async function newPage(
  locale: 'ja-JP' | 'en-US',
  viewport = { width: 1280, height: 800 },
): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ locale, viewport });
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
  const page = await ctx.newPage();
  // ERR_NETWORK_CHANGED: Chromium drops requests in flight when the host's interfaces change, which
  // they do whenever any range on this engine creates or removes its bridges; not the app's error
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().includes('net::ERR_NETWORK_CHANGED'))
      consoleErrors.push(`${locale} ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`${locale} ${e.message}`));
  // names the request behind a "Failed to load resource" console line
  page.on('response', (r) => {
    if (r.status() >= 500)
      consoleErrors.push(`${locale} ${r.status()} ${r.request().method()} ${r.url().replace(url, '')}`);
  });
  await page.goto(url);
  return { ctx, page };
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
/** runs a part of the walk; when it fails, the page as it was goes to test-artifacts/ui/failed-<name>.png */
async function step(page: Page, name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    await shot(page, `failed-${name}`).catch(() => undefined);
    throw err;
  }
}
/** the README's pictures: one screen of the view, as a trainee or instructor sees it */
async function docShot(page: Page, name: string, focus: Locator): Promise<void> {
  await focus.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, `docs-${name}.png`) });
}

async function staffLogin(page: Page): Promise<void> {
  await page.fill('#login-user', STAFF.user);
  await page.fill('#login-password', STAFF.password);
  await page.locator('#login-password').press('Enter');
}

async function joinTeam(page: Page, code: string, name: string): Promise<void> {
  await page.fill('#join-code', code);
  await page.fill('#join-name', name);
  await page.locator('#join-name').press('Enter');
}

/** the staff token of a page that logged in (for downloads the page would make with it) */
const tokenOf = (page: Page) =>
  page.evaluate(() => (JSON.parse(sessionStorage.getItem('enshu.session')!) as { token: string }).token);

/**
 * Words of a Japanese page written only in ASCII letters that are not addresses, ids, commands or
 * product names: an untranslated word ("passed"), a raw key (exercise.created) or an English title.
 * Technical text the page marks as such (code, terminals, the log lines, inputs) is not read.
 */
async function asciiWords(page: Page, allow: readonly string[] = []): Promise<string[]> {
  const words = await page.evaluate(() => {
    // what people wrote (a team's finding or report, in the language they wrote it) is theirs, not the page's
    const skip =
      'code, pre, input, textarea, .xterm, [data-testid=log-lines], [translate=no], [data-content], script, style, title';
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || el.closest(skip)) continue;
      const box = el.closest('svg') ?? el;
      if (!(box as HTMLElement).checkVisibility?.()) continue;
      out.push(...(n.textContent ?? '').split(/[\s、。，．・：:;（）()「」『』【】[\]{}<>|,!?！？…—–·×“”"']+/));
    }
    return out;
  });
  const ok = [
    /^[^A-Za-z]*$/, // numbers, times, addresses
    /[^\x21-\x7e]/, // mixed with Japanese
    /^t\d{2}$/, // team ids
    /^[A-Z0-9]{4}-[A-Z0-9]{4}$/, // join codes
    /^T\d{4}(\.\d{3})?$/, // ATT&CK techniques
    /^T\+[\d:]+$/, // scenario clock
    /^(\d{1,3}\.){3}\d{1,3}(\/\d+)?$/,
    /@|\.(example|test)$/, // addresses
    /^(SOC|DMZ|AD|DNS|DHCP|PC|IP|URL|FW|LGWAN|ID|CSV|JSON|PDF|SSH|R&D|C2|OS|HTTP|POST|SMB|enshu|English|A|B-1|B-2|C)$/,
  ];
  return [...new Set(words.filter((w) => w && !allow.includes(w) && !ok.some((re) => re.test(w))))];
}

/** the nodes' names of the course A range (they are names, like addresses, in both languages) */
const NODE_NAMES = loadTopologyById('cyder-standard').nodes.map((n) => n.name);
/** the teams' names are the instructor's data; this walk leaves them at the server's default, "Team N" */
const TEAM_NAMES = ['Team'];

/** Whether a straight wire passes through the inside of a box (its border excluded). */
function crosses(
  w: { x1: number; y1: number; x2: number; y2: number },
  b: { x: number; y: number; w: number; h: number },
) {
  const [l, r, t, btm] = [b.x + 0.5, b.x + b.w - 0.5, b.y + 0.5, b.y + b.h - 0.5];
  let t0 = 0;
  let t1 = 1;
  const dx = w.x2 - w.x1;
  const dy = w.y2 - w.y1;
  for (const [p, q] of [
    [-dx, w.x1 - l],
    [dx, r - w.x1],
    [-dy, w.y1 - t],
    [dy, btm - w.y1],
  ] as const) {
    if (p === 0) {
      if (q < 0) return false;
    } else if (p < 0) t0 = Math.max(t0, q / p);
    else t1 = Math.min(t1, q / p);
  }
  return t0 < t1;
}

/** The drawing of a team's map as the browser has it: its node boxes, its wires, and its scale on screen. */
async function mapGeometry(page: Page, team: string) {
  return page.locator(`[data-testid=map-${team}]`).evaluate((svg: SVGSVGElement) => {
    const num = (e: Element, a: string) => Number(e.getAttribute(a));
    return {
      boxes: Array.from(svg.querySelectorAll('[data-node] > rect')).map((r) => ({
        node: (r.parentElement as unknown as SVGGElement).dataset.node!,
        x: num(r, 'x'),
        y: num(r, 'y'),
        w: num(r, 'width'),
        h: num(r, 'height'),
      })),
      wires: Array.from(svg.querySelectorAll('line.wire')).map((l) => ({
        x1: num(l, 'x1'),
        y1: num(l, 'y1'),
        x2: num(l, 'x2'),
        y2: num(l, 'y2'),
      })),
      scale: svg.getBoundingClientRect().width / svg.viewBox.baseVal.width,
      labelPx: (svg.querySelector('[data-node] .label') as SVGTextElement).getBoundingClientRect().height,
    };
  });
}

/** The scoreboard's ranks as a person reads them: every row's rank agrees with the totals shown. */
async function ranksDisagree(page: Page): Promise<string[]> {
  const rows = await page.locator('#scoreboard [data-testid=score-table] tbody tr').evaluateAll((trs) =>
    trs.map((tr) => ({
      team: tr.getAttribute('data-team')!,
      rank: Number(tr.querySelector('td')!.textContent),
      total: Number(tr.querySelector('[data-testid^=total-]')!.textContent),
    })),
  );
  return rows
    .filter((r) => r.rank !== 1 + rows.filter((o) => o.total > r.total).length)
    .map((r) => `${r.team}: rank ${r.rank} with ${r.total} (${rows.map((o) => `${o.team}=${o.total}`).join(', ')})`);
}

/** The mail server's own health check, as its image runs it (topologies/roles/mail/Dockerfile). */
const MAIL_HEALTH = /HEALTHCHECK .* CMD (.*)$/m.exec(
  readFileSync(join(repoRoot, 'topologies', 'roles', 'mail', 'Dockerfile'), 'utf8'),
)![1]!;

/** a team's scenario timeline, optionally in a runner status */
const timeline = (page: Page, team: string, status?: string) =>
  page.locator(`[data-testid=timeline-${team}]${status ? `[data-status=${status}]` : ''}`);
/** one step's row of a team's timeline, optionally with a step status */
const stepRow = (page: Page, team: string, step: string, status?: string) =>
  page.locator(`[data-testid=timeline-${team}] tr[data-step=${step}]${status ? `[data-status=${status}]` : ''}`);
const since = (t0: number) => Math.round((Date.now() - t0) / 100) / 10;

/** the C2 beacon the attacker's implant sent through the proxy, as the SOC log shows it */
const BEACON = /POST (http:\/\/(\d{1,3}(?:\.\d{1,3}){3}):8080\/beacon\/t01-pc1-[^\s"]+)/;
let beacon: { url: string; ip: string } | undefined;

describe('the walk through the three faces on the course A range', () => {
  test(
    'the instructor creates a course A exercise with two teams, builds and starts it, and steers the attack',
    { timeout: BUILD_MS + ATTACK_MS + 180_000 },
    async () => {
      const { ctx, page } = await newPage('ja-JP');
      await step(page, 'instructor', async () => {
        assert.equal(await page.getAttribute('html', 'lang'), 'ja');
        await shot(page, 'login-ja');
        await staffLogin(page);
        await page.getByRole('heading', { name: '演習の一覧' }).waitFor();
        await page.getByText('演習はまだありません').first().waitFor();
        await page.fill('#ex-id', EX);
        await page.fill('#ex-title', 'UI 演習（コースA）');
        await page.selectOption('#ex-course', 'A');
        // the scenario is chosen among the course's, by its title
        const offered = page.locator(`#ex-scenario option[value=${SCENARIO}]`);
        await offered.waitFor({ state: 'attached' });
        assert.match((await offered.textContent())!, /標的型メール/);
        await page.selectOption('#ex-scenario', SCENARIO);
        await page.fill('#ex-teams', '2');
        // no topology: the course's own range
        await page.getByRole('button', { name: '演習を作成' }).click();
        await page.waitForURL(`**/#/instructor/${EX}`);
        const rows = page.locator('[data-testid=join-codes] tbody tr');
        await rows.nth(1).waitFor();
        for (const team of ['t01', 't02'])
          codes[team] = (await page
            .locator(`[data-testid=join-codes] tr[data-team=${team}] code`)
            .textContent())!.trim();
        assert.match(codes.t01!, /^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
        // before the attack exists, each team's timeline lists the scenario's planned steps
        await stepRow(page, 't01', 'exfiltrate').waitFor();
        assert.equal(await stepRow(page, 't01', 'phishing-mail').getAttribute('data-status'), 'pending');
        assert.match((await page.getByTestId('runner-t01').textContent())!, /未開始/);

        let t0 = Date.now();
        await page.getByRole('button', { name: '演習環境をつくる' }).click();
        await page.locator('[data-testid=ex-state]', { hasText: '環境を準備中' }).waitFor({ timeout: 30_000 });
        await page.locator('[data-testid=join-codes] progress').first().waitFor({ timeout: 60_000 });
        await shot(page, 'instructor-provisioning-ja');
        const ready = page.locator('[data-testid=ex-state]', { hasText: '準備完了' });
        const failed = page.locator('[data-testid=join-codes] [data-progress-status=failed]');
        // A health check can miss its deadline when the shared engine is saturated: the console shows
        // the failure, and the instructor builds again (the range converges; healthy nodes are kept). Twice at most.
        for (let attempt = 1; ; attempt++) {
          await ready.or(failed).first().waitFor({ timeout: BUILD_MS });
          if (!(await failed.count())) break;
          await shot(page, `instructor-provisioning-failed-${attempt}-ja`);
          const why = await failed.first().textContent();
          if (attempt === 3) assert.fail(`provisioning failed ${attempt} times: ${why}`);
          console.error(`# ui walk: provisioning attempt ${attempt} failed (${why}); building again from the console`);
          timings[`provisionAttempt${attempt}FailedAfter`] = since(t0);
          await page.locator('[data-testid=ex-state]', { hasText: '作成済み' }).waitFor();
          await page.getByRole('button', { name: '演習環境をつくる' }).click();
          await failed.first().waitFor({ state: 'detached', timeout: 60_000 });
        }
        timings.provisionTwoTeams = since(t0);
        // the map of every team's range, with node health from the engine: all 17 nodes of each
        await page.locator('[data-testid=map-t02] [data-node=research]').waitFor({ timeout: 60_000 });

        // start at normal speed and pause at once: nothing is due in the first minute of the scenario
        t0 = Date.now();
        await page.getByRole('button', { name: '開始', exact: true }).click();
        await page.locator('[data-testid=ex-state]', { hasText: '実施中' }).waitFor({ timeout: 30_000 });
        await timeline(page, 't01', 'running').waitFor({ timeout: 60_000 });
        await page.getByRole('button', { name: '一時停止', exact: true }).click();
        await page.locator('[data-testid=ex-state]', { hasText: '一時停止中' }).waitFor({ timeout: 30_000 });
        for (const team of ['t01', 't02']) await timeline(page, team, 'paused').waitFor({ timeout: 30_000 });
        await page.getByTestId('runner-t01').filter({ hasText: '一時停止中' }).waitFor();
        assert.match(
          (await stepRow(page, 't01', 'phishing-mail').getAttribute('data-status'))!,
          /^(pending|waiting)$/,
          'paused before the first step',
        );
        // restarting a team's attack asks first, naming the team and what it undoes; cancelled here
        const restart = page.getByTestId('restart-attack-t01');
        assert.equal((await restart.textContent())?.trim(), '攻撃を最初からやり直す');
        const asked = new Promise<string>((res) =>
          page.once('dialog', (d) => {
            res(d.message());
            void d.dismiss();
          }),
        );
        await restart.click();
        assert.match(await asked, /^t01 の攻撃を最初からやり直しますか。.*獲得済みの得点はそのまま残ります。$/);
        await page.getByTestId('runner-t01').filter({ hasText: '一時停止中' }).waitFor();
        await shot(page, 'instructor-paused-ja');

        // the map as a network diagram: no wire through a node's box, every node drawn, zoom in
        for (const team of ['t01', 't02']) {
          const g = await mapGeometry(page, team);
          assert.equal(g.boxes.length, 18, `${team}: 17 hosts and the FW`);
          assert.equal(g.wires.length, 9, `${team}: a wire per segment`);
          const through = g.wires.flatMap((w) =>
            g.boxes.filter((b) => crosses(w, b)).map((b) => `${JSON.stringify(w)} through ${b.node}`),
          );
          assert.deepEqual(through, [], `${team}: wires drawn through node boxes`);
        }
        const before = (await mapGeometry(page, 't01')).scale;
        await page.locator('#ranges figure').first().getByRole('button', { name: '拡大', exact: true }).click();
        await page.locator('#ranges figure').first().getByRole('button', { name: '拡大', exact: true }).click();
        assert.ok((await mapGeometry(page, 't01')).scale > before, 'zoomed in');
        await page.locator('#ranges figure').first().getByRole('button', { name: '全体を表示' }).click();

        // a Japanese page in Japanese: no English word, raw key or English title on the console
        assert.deepEqual(
          await asciiWords(page, [...NODE_NAMES, ...TEAM_NAMES, EX, STAFF.user, 'UI']),
          [],
          'English on the Japanese console',
        );

        // the second half in English
        await page.selectOption('[data-testid=lang]', 'en');
        await page.getByRole('heading', { name: 'Teams and join codes' }).waitFor();
        assert.equal(await page.getAttribute('html', 'lang'), 'en');
        await page.getByRole('heading', { name: 'Scenario timeline' }).waitFor();

        // speed, while paused: the runners take it (their timeline shows it once they run again)
        await page.fill('#speed', String(SPEED));
        await page.getByRole('button', { name: 'Set speed' }).click();
        await page.locator('[role=status]', { hasText: 'Sent.' }).waitFor();

        // skip team 2's exfiltration: it shows as skipped, with the reason
        await page.getByRole('button', { name: 'Skip: Exfiltration to the attacker (t02)' }).click();
        const skipped = stepRow(page, 't02', 'exfiltrate', 'skipped');
        await skipped.waitFor({ timeout: 20_000 });
        assert.match((await skipped.textContent())!, /skipped.*by the instructor/s);
        assert.match(
          (await stepRow(page, 't01', 'exfiltrate').getAttribute('data-status'))!,
          /^(pending|waiting)$/,
          'team 1 keeps its exfiltration',
        );

        // release the proxy-log hint of the C2 step to team 1 (its workspace shows it below)
        await page
          .getByRole('button', { name: 'Release hint: Implant beacons to the C2 through the proxy (t01)' })
          .click();
        await page
          .locator('#hint-t01-c2-beacon option', { hasText: 'released' })
          .waitFor({ state: 'attached', timeout: 20_000 });
        assert.equal(
          await page.locator('#hint-t02-c2-beacon option', { hasText: 'released' }).count(),
          0,
          'team 2 did not get it',
        );

        await page.getByRole('button', { name: 'Resume', exact: true }).click();
        await page.locator('[data-testid=ex-state]', { hasText: 'running' }).waitFor({ timeout: 30_000 });
        await page
          .getByTestId('runner-t01')
          .filter({ hasText: `×${SPEED}` })
          .waitFor({ timeout: 30_000 });
        // planned vs done, live: the phishing mail goes out, then the C2 answers, then the attack ends
        await stepRow(page, 't01', 'phishing-mail', 'succeeded').waitFor({ timeout: ATTACK_MS });
        await shot(page, 'instructor-attack-running-en');
        await stepRow(page, 't01', 'c2-beacon', 'succeeded').waitFor({ timeout: ATTACK_MS });
        timings.attackToC2 = since(t0);
        for (const team of ['t01', 't02']) await timeline(page, team, 'finished').waitFor({ timeout: ATTACK_MS });
        timings.attackToEnd = since(t0);
        assert.equal(
          await stepRow(page, 't01', 'exfiltrate').getAttribute('data-status'),
          'succeeded',
          'team 1 lost its files',
        );
        assert.equal(await stepRow(page, 't02', 'exfiltrate').getAttribute('data-status'), 'skipped');
        await shot(page, 'instructor-en');
        await docShot(page, 'instructor', timeline(page, 't01'));
      });
      await ctx.close();
    },
  );

  for (const [locale, who, words] of [
    [
      'ja-JP',
      'sato',
      {
        title: 'チーム t01',
        terminals: '端末の操作',
        open: '端末を開く',
        logs: '記録（ログ）の検索',
        search: '検索',
        forms: '提出',
        hints: 'ヒント',
        sent_tab: '提出済み',
        note: 'pc1 がプロキシ経由で数秒ごとにこのアドレスへ通信しています',
        filled: '記入者',
        hint: 'プロキシのアクセスログで',
        finding: '気づいたことを提出',
        report: '報告を提出',
        sent: '送信しました。',
        plain: '不正なプログラム',
        jargon: 'マルウェアに感染しました',
        kind: 'first',
        type: 'ip',
      },
    ],
    [
      'en-US',
      'smith',
      {
        title: 'Team t01',
        terminals: 'Terminals',
        open: 'Open terminal',
        logs: 'Log search',
        search: 'Search',
        forms: 'Submit',
        hints: 'Hints',
        sent_tab: 'Sent',
        note: 'pc1 calls this address through the proxy every few seconds',
        filled: 'written by',
        hint: "In the proxy's access log",
        finding: 'Submit finding',
        report: 'Submit report',
        sent: 'Sent.',
        plain: 'a harmful program',
        jargon: 'The malware was found',
        kind: 'update',
        type: 'url',
      },
    ],
  ] as const) {
    test(
      `a team-1 trainee finds the attacker's C2 in the range and sees the score change live (${locale})`,
      { timeout: 300_000 },
      async () => {
        // the Japanese trainee works on a 1366×768 screen, the common office laptop
        const { ctx, page } = await newPage(locale, locale === 'ja-JP' ? { width: 1366, height: 768 } : undefined);
        await step(page, `workspace-${locale}`, async () => {
          await joinTeam(page, codes.t01!, who);
          await page.getByRole('heading', { name: new RegExp(words.title) }).waitFor();
          await page.locator('[data-testid=map-t01] [data-node=pc1]').waitFor({ timeout: 30_000 });
          // the map reads without zooming: node names at least 10 px high on the screen
          const drawn = await mapGeometry(page, 't01');
          assert.ok(drawn.labelPx >= 10, `node labels are ${drawn.labelPx.toFixed(1)} px high (scale ${drawn.scale})`);

          // the hint the instructor released, with its text
          await page.getByRole('tab', { name: words.hints }).click();
          await page
            .locator('[data-testid=hints-held] li[data-hint=proxy-log]', { hasText: words.hint })
            .waitFor({ timeout: 20_000 });
          await shot(page, `workspace-hints-${locale}`);

          // a terminal on the team's own staff PC; the command runs there
          await page.getByRole('tab', { name: words.terminals }).click();
          await page.selectOption('#term-node', 'pc1');
          await page.getByRole('button', { name: words.open }).click();
          const term = page.locator('[data-testid=terminal-pc1] .xterm');
          await term.waitFor();
          await page
            .locator('[data-testid=terminal-pc1] .xterm-rows', { hasText: '@pc1' })
            .waitFor({ timeout: 30_000 });
          const marker = `ui-walk-${who}`;
          await term.click();
          await page.keyboard.type(`echo "$(hostname):$((40+2))"; logger -t uiwalk ${marker}\n`);
          await page
            .locator('[data-testid=terminal-pc1] .xterm-rows', { hasText: 'pc1:42' })
            .waitFor({ timeout: 20_000 });
          await shot(page, `workspace-terminal-${locale}`);

          // the SOC log has the line the terminal just wrote (shipped by syslog from pc1)
          await page.getByRole('tab', { name: words.logs }).click();
          const searchFor = async (q: string, hasText: string | RegExp) => {
            await page.fill('#log-q', q);
            const found = page.locator('[data-testid=log-lines]', { hasText });
            for (let i = 0; i < 20 && !(await found.isVisible()); i++) {
              await page.getByRole('button', { name: words.search, exact: true }).click();
              await page.waitForTimeout(1500);
            }
            await found.waitFor({ timeout: 5_000 });
            return (await found.textContent())!;
          };
          assert.match(await searchFor(marker, marker), /pc1/);
          // the proxy's log of the implant calling home: the C2 address, as the attacker really used it
          const proxyLines = await searchFor('/beacon/t01-pc1-', BEACON);
          const m = BEACON.exec(proxyLines)!;
          beacon = { url: m[1]!, ip: m[2]! };
          if (locale === 'ja-JP') {
            // the big-post hint can be followed: the proxy logs what each request sent (up=), and the
            // exfiltration's upload stands out against the implant's beacons
            // (read row by row: the table's text runs one row's end into the next row's time)
            const sent = async (re: RegExp) =>
              (await page.locator('[data-testid=log-lines] td.msg').allTextContents())
                .filter((l) => re.test(l))
                .map((l) => Number(/ up=(\d+)$/.exec(l.trim())?.[1]));
            const beaconUp = Math.max(...(await sent(/POST http:\/\/[\d.]+:8080\/beacon\/t01-pc1-/)));
            await searchFor('/beacon/x-t01-', /POST http:\/\/[\d.]+:8080\/beacon\/x-t01-/);
            const exfilUp = Math.max(...(await sent(/POST http:\/\/[\d.]+:8080\/beacon\/x-t01-/)));
            assert.ok(
              beaconUp > 0 && exfilUp > 2 * beaconUp,
              `exfiltration sent ${exfilUp} bytes, a beacon at most ${beaconUp}`,
            );
            // and it is the largest upload to the outside in the proxy's log: what the hint asks to look for
            await searchFor(' POST http://', /POST http:\/\/[\d.]+:8080\/beacon\/x-t01-/);
            assert.equal(Math.max(...(await sent(/ POST http:\/\//))), exfilUp, 'the largest POST');

            // an hour of the mail server's health checks (one every 30 s) leaves the mail log as it was:
            // the phishing mail is still in the view, and no health-check line is
            const mail = await engine.exec.run(
              `enshu-${EX}-t01-mail`,
              ['sh', '-c', `for i in $(seq 120); do ${MAIL_HEALTH} || exit 1; done`],
              { timeoutMs: 300_000 },
            );
            assert.equal(mail.exitCode, 0, mail.stderr);
            const probes = async () =>
              Number(
                (
                  await engine.exec.run(
                    `enshu-${EX}-t01-soc`,
                    ['sh', '-c', `grep -c 'connect from localhost' /var/log/enshu/health.log || true`],
                    { timeoutMs: 30_000 },
                  )
                ).stdout.trim(),
              );
            for (let i = 0; i < 60 && (await probes()) < 120; i++) await page.waitForTimeout(1000);
            assert.ok((await probes()) >= 120, 'the health checks reached the SOC (its health log)');
            const sender = server.service
              .truths(EX)
              .get('t01')!
              .steps.find((x) => x.id === 'phishing-mail')!
              .indicators.find((i) => i.type === 'email')!.value;
            await page.selectOption('#log-node', 'mail');
            const mailView = await searchFor('', `from=<${sender}>`);
            assert.doesNotMatch(
              mailView,
              /localhost\[127\.0\.0\.1\]|rip=127\.0\.0\.1/,
              'health checks in the mail log',
            );
            await page.selectOption('#log-node', '');
          }
          await shot(page, `workspace-logs-${locale}`);
          // the README's workspace: the Japanese trainee's 1366×768 screen, map and log search side by side
          if (locale === 'ja-JP') await docShot(page, 'workspace', page.locator('[data-testid=log-search]'));

          // a real indicator as a finding: the detection score rises live; then a report
          const detection = page.locator('#own-score tr[data-team=t01] [data-phase=detection]');
          const before = Number(await detection.textContent()) || 0;
          // an instructor watches the scoreboard live while the team scores
          const watch = locale === 'ja-JP' ? await newPage('ja-JP') : undefined;
          let watchedBefore = 0;
          if (watch) {
            await staffLogin(watch.page);
            await watch.page.getByRole('heading', { name: '演習の一覧' }).waitFor();
            await watch.page.goto(`${url}/#/instructor/${EX}`);
            await watch.page.getByTestId('total-t02').waitFor({ timeout: 30_000 });
            watchedBefore = Number(await watch.page.getByTestId('total-t01').textContent());
          }
          await page.getByRole('tab', { name: words.forms, exact: true }).click();
          const finding = page.locator('[data-testid=finding-form]');
          await finding.locator('select[name=indicatorType]').selectOption(words.type);
          await finding.locator('input[name=value]').fill(words.type === 'ip' ? beacon.ip : beacon.url);
          await finding.locator('textarea[name=text]').fill(`${who}: ${words.note}`);
          await finding.getByRole('button', { name: words.finding }).click();
          await finding.getByText(words.sent).waitFor();
          await page.waitForFunction(
            ([sel, b]) => (Number(document.querySelector(sel as string)?.textContent) || 0) > (b as number),
            ['#own-score tr[data-team=t01] [data-phase=detection]', before] as const,
            { timeout: 30_000 },
          );
          if (watch) {
            // the instructor's ranks follow without a reload: never two teams first after one scored
            await watch.page.waitForFunction(
              (b) => Number(document.querySelector('[data-testid=total-t01]')?.textContent) !== b,
              watchedBefore,
              { timeout: 30_000 },
            );
            assert.deepEqual(await ranksDisagree(watch.page), [], 'ranks on the instructor scoreboard');
            await shot(watch.page, 'instructor-ranks-ja');
            await watch.ctx.close();
          }
          const report = page.locator('[data-testid=report-form]');
          await report.locator('[name=kind]').selectOption(words.kind);
          await report.locator('[name=occurredAt]').fill('2026-11-25 10:00');
          await report.locator('[name=affected]').fill(words.jargon);
          await report.getByText(words.plain).waitFor();
          for (const f of ['cause', 'outlook', 'alternatives', 'actions'])
            await report.locator(`[name=${f}]`).fill(`${words.filled} ${who} (${f.length})`);
          await shot(page, `workspace-report-${locale}`);
          await report.getByRole('button', { name: words.report }).click();
          await report.getByText(words.sent).waitFor();
          await shot(page, `workspace-${locale}`);

          // what the team sent, as the team reads it back
          await page.getByRole('tab', { name: words.sent_tab }).click();
          await page
            .locator('[data-testid=sub-findings] li', { hasText: words.note })
            .first()
            .waitFor({ timeout: 20_000 });
          await page
            .locator('[data-testid=sub-reports] article', { hasText: `${words.filled} ${who}` })
            .first()
            .waitFor({ timeout: 20_000 });
          await shot(page, `workspace-sent-${locale}`);
          if (locale === 'ja-JP')
            assert.deepEqual(
              await asciiWords(page, [...NODE_NAMES, ...TEAM_NAMES, who]),
              [],
              'English on the Japanese workspace',
            );
          else {
            // buying a hint asks first, saying what it costs; cancelling buys nothing
            await page.getByRole('tab', { name: words.hints }).click();
            const held = page.locator('[data-testid=hints-held] li');
            await held.first().waitFor();
            const had = await held.count();
            const form = page.getByTestId('hint-form');
            const confirm = page.getByTestId('hint-confirm');
            await form.getByRole('button', { name: 'Buy hint (costs points)' }).click();
            await confirm.waitFor();
            const cost = /Buy hint \d+ for “.+”\? (\d+) points will be taken from your score\./.exec(
              (await confirm.textContent())!,
            );
            assert.ok(cost, `the question names the cost: ${await confirm.textContent()}`);
            await shot(page, 'workspace-hint-confirm-en');
            await confirm.getByRole('button', { name: 'Cancel' }).click();
            await confirm.waitFor({ state: 'detached' });
            await page.waitForTimeout(2000);
            assert.equal(await held.count(), had, 'cancel bought nothing');
            await form.getByRole('button', { name: 'Buy hint (costs points)' }).click();
            await confirm.getByRole('button', { name: `Yes, buy for ${cost[1]} points` }).click();
            await held.nth(had).waitFor({ timeout: 30_000 });
            await page.locator('[data-testid=hints-held] li', { hasText: `bought (-${cost[1]} points)` }).waitFor();
          }
        });
        await ctx.close();
      },
    );
  }

  test(
    'the instructor grades a report; after a reload the grade and comment are kept, marked graded; the team reads them',
    { timeout: 180_000 },
    async () => {
      const comment = '原因の説明が具体的です。利用者の代わりの手段も書きましょう。';
      const { ctx, page } = await newPage('ja-JP');
      let id = '';
      await step(page, 'grading', async () => {
        await staffLogin(page);
        await page.getByRole('heading', { name: '演習の一覧' }).waitFor();
        await page.goto(`${url}/#/instructor/${EX}`);
        const open = page.locator('#grading article[data-graded=no]').first();
        await open.waitFor({ timeout: 30_000 });
        id = (await open.getAttribute('data-testid'))!.replace(/^report-/, '');
        const art = page.getByTestId(`report-${id}`);
        await art.locator('input[name=grade]').fill('0.8');
        await art.locator('input[name=comment]').fill(comment);
        await art.getByRole('button', { name: '評価を保存' }).click();
        await art.getByTestId('graded').filter({ hasText: '評価済み 0.8' }).waitFor({ timeout: 30_000 });
        await page.reload();
        await art.getByTestId('graded').filter({ hasText: '評価済み 0.8' }).waitFor({ timeout: 30_000 });
        assert.equal(await art.locator('input[name=grade]').inputValue(), '0.8', 'the saved grade, not the default');
        assert.equal(await art.locator('input[name=comment]').inputValue(), comment);
        await art.getByRole('button', { name: '評価を変更' }).waitFor();
        await shot(page, 'instructor-graded-ja');
      });
      await ctx.close();
      // the team reads its grade and the instructor's comment with its report
      const tr = await newPage('en-US');
      await step(tr.page, 'graded-team', async () => {
        await joinTeam(tr.page, codes.t01!, 'smith');
        await tr.page.getByRole('tab', { name: 'Sent' }).click();
        await tr.page
          .locator(`[data-testid=sub-reports] article[data-report="${id}"] [data-testid=sub-grade]`, {
            hasText: `Instructor’s grade: 0.8 Comment: ${comment}`,
          })
          .waitFor({ timeout: 30_000 });
        await shot(tr.page, 'workspace-graded-en');
      });
      await tr.ctx.close();
    },
  );

  test(
    'a team-2 trainee sees only team 2 and cannot open team 1’s terminal or data',
    { timeout: 120_000 },
    async () => {
      const { ctx, page } = await newPage('en-US');
      await joinTeam(page, codes.t02!, 'nakamura');
      await page.getByRole('heading', { name: /Team t02/ }).waitFor();
      await page.locator('[data-testid=map-t02]').waitFor({ timeout: 30_000 });
      assert.equal(await page.locator('[data-testid=map-t01]').count(), 0);
      // team 2's own hints list: the hint released to team 1 is not there
      await page.getByRole('tab', { name: 'Hints' }).click();
      await page.getByText('No hints released yet.').waitFor({ timeout: 20_000 });
      const token = await page.evaluate(
        () => (JSON.parse(sessionStorage.getItem('enshu.session')!) as { token: string }).token,
      );
      // asked from here, not from the page: a refused request is the point, not a console error of the app
      const get = async (p: string) => (await fetch(url + p, { headers: { authorization: `Bearer ${token}` } })).status;
      for (const p of ['range', 'logs?q=x', 'score', 'timeline', 'hints', ''])
        assert.equal(await get(`/api/exercises/${EX}/teams/t01${p ? `/${p}` : ''}`), 403, p);
      assert.equal(await get(`/api/exercises/${EX}/teams/t02/range`), 200);
      const refused = await new Promise<string>((resolve) => {
        const s = ioClient(`${url}${TERMINAL_NAMESPACE}`, {
          auth: { token, exercise: EX, team: 't01', node: 'pc1' },
          transports: ['websocket'],
          reconnection: false,
        });
        s.on('connect', () => {
          s.close();
          resolve('connected');
        });
        s.on('connect_error', (e) => {
          s.close();
          resolve(e.message);
        });
      });
      assert.equal(refused, 'forbidden');
      await ctx.close();
    },
  );

  test(
    'the organizer review shows results, the after-action timeline and the yearly statistics',
    { timeout: 120_000 },
    async () => {
      for (const [locale, lang, results] of [
        ['ja-JP', 'ja', 'チームごとの結果'],
        ['en-US', 'en', 'Results'],
      ] as const) {
        const { ctx, page } = await newPage(locale);
        await staffLogin(page);
        await page.getByRole('heading', { name: lang === 'ja' ? '演習の一覧' : 'Exercises' }).waitFor();
        await page.goto(`${url}/#/review/${EX}`);
        await page.getByRole('heading', { name: new RegExp(results) }).waitFor();
        await page.locator('[data-testid=score-table] tr[data-team=t01]').waitFor({ timeout: 20_000 });
        await page.locator('[data-testid=aar] li').first().waitFor({ timeout: 20_000 });
        await shot(page, `review-${lang}`);

        // the printable after-action report: the exercise's header, then every team
        await page
          .getByRole('button', { name: lang === 'ja' ? '振り返り報告書を印刷' : 'Print after-action report' })
          .click();
        const aar = page.locator('[data-testid=aar-report][data-ready=yes]');
        await aar.waitFor({ timeout: 30_000 });
        assert.match(
          (await aar.locator('h2').textContent())!,
          lang === 'ja' ? /振り返り報告書：UI 演習（コースA）/ : /After-action report: UI 演習（コースA）/,
        );
        for (const team of ['t01', 't02']) {
          const sec = aar.locator(`[data-testid=aar-team][data-team=${team}]`);
          await sec.locator('ol.aar li').first().waitFor();
        }
        assert.equal(await aar.locator('[data-testid=aar-team]').count(), 2, 'every team, once');
        assert.ok((await aar.locator('[data-team=t01] [data-testid=aar-report-item]').count()) >= 2, 'its reports');
        // the README's review: the after-action report's header and scores
        if (lang === 'en') await docShot(page, 'review', aar.locator('h2'));
        await page.emulateMedia({ media: 'print' });
        await shot(page, `report-print-${lang}`);
        await page.emulateMedia({ media: 'screen' });
        if (lang === 'ja') {
          assert.deepEqual(
            await asciiWords(page, [...NODE_NAMES, ...TEAM_NAMES, EX, 'UI', 'sato', 'smith', 'nakamura', STAFF.user]),
            [],
            'English on the Japanese report',
          );
          // the same report as a PDF file from the server: one page for the header and one per team at least
          const token = await tokenOf(page);
          const t0 = Date.now();
          const res = await fetch(`${url}/api/exercises/${EX}/report.pdf?lang=ja`, {
            headers: { authorization: `Bearer ${token}` },
          });
          timings.reportPdf = since(t0);
          assert.equal(res.status, 200, await res.clone().text());
          assert.equal(res.headers.get('content-type'), 'application/pdf');
          const pdf = Buffer.from(await res.arrayBuffer());
          assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
          const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
          assert.ok(pages >= 3, `${pages} pages`);
          writeFileSync(join(SHOTS, 'after-action-ja.pdf'), pdf);
          // the results CSV names the members
          const csv = await (
            await fetch(`${url}/api/exercises/${EX}/results?format=csv`, {
              headers: { authorization: `Bearer ${token}` },
            })
          ).text();
          const t01 = csv.split('\r\n').find((l) => l.includes(',t01,'))!;
          assert.match(t01, /sato; smith|smith; sato/, t01);
        }
        await ctx.close();
      }
    },
  );

  test('no view logged a console error', () => {
    assert.deepEqual(consoleErrors, []);
  });
});
