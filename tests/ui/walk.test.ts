/**
 * The web UI end to end, in Chromium, on a real server and a real course A range (two teams):
 * the instructor creates, builds and starts the exercise; trainees of team 1 (one in Japanese,
 * one in English) open a terminal and run a command, search the SOC log, submit a finding and a
 * report and watch their score change live; a team-2 trainee cannot reach team 1; the organizer
 * review. Screenshots of every view go to test-artifacts/ui/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { io as ioClient } from 'socket.io-client';
import { RangeManager, loadTopology, repoRoot, type Engine } from '../../orchestrator/index.js';
import { createExerciseServer, type ExerciseServer } from '../../orchestrator/server/index.js';
import { reportingPort, scoringPort } from '../../orchestrator/server/wiring.js';
import { accessRouteFactory, attachTraineeAccess, TERMINAL_NAMESPACE, WEB_DIST, type AttachedAccess } from '../../orchestrator/gateway/index.js';
import { engineWithImages } from '../helpers/range.js';

const EX = 'ui-walk';
const STAFF = { user: 'teacher', password: 'teacher-password-1' };
const SHOTS = join(repoRoot, 'test-artifacts', 'ui');
const BUILD_MS = 8 * 60_000;
/** the course's own range is the full CYDER LAN; the walk runs course A on a small range of the same roles */
const TOPOLOGY = 'tests/ui/ui-range.yaml';

let engine: Engine;
let server: ExerciseServer;
let access: AttachedAccess;
let browser: Browser;
let url = '';
let dataDir = '';
const codes: Record<string, string> = {};
const consoleErrors: string[] = [];

before(async () => {
  const roles = [...new Set(loadTopology(join(repoRoot, TOPOLOGY)).nodes.map((n) => n.role))];
  engine = await engineWithImages(roles);
  await new RangeManager(engine).down({ exercise: EX });
  if (!existsSync(join(WEB_DIST, 'index.html'))) {
    const { build } = await import('vite');
    await build({ configFile: join(repoRoot, 'scoreboard', 'web', 'vite.config.ts'), logLevel: 'warn' });
  }
  mkdirSync(SHOTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'enshu-ui-walk-'));
  server = createExerciseServer({ dataDir, engine, scoring: scoringPort(), reporting: reportingPort(), extraRoutes: accessRouteFactory(engine), checkIntervalMs: 2000 });
  server.store.auth.putUser(STAFF.user, 'instructor', STAFF.password);
  access = await attachTraineeAccess(server, { engine, dataDir, sshPort: false });
  assert.ok(access.webServed, 'the built web app is served');
  ({ url } = await server.listen(0));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'] });
});

after(async () => {
  await browser?.close();
  await access?.close();
  await server?.close();
  if (engine) await new RangeManager(engine).down({ exercise: EX });
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function newPage(locale: 'ja-JP' | 'en-US'): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ locale, viewport: { width: 1280, height: 800 } });
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
  const page = await ctx.newPage();
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`${locale} ${m.text()}`); });
  page.on('pageerror', (e) => consoleErrors.push(`${locale} ${e.message}`));
  await page.goto(url);
  return { ctx, page };
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

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

describe('the walk through the three faces', () => {
  test('the instructor creates a course A exercise with two teams, builds and starts it (Japanese)', { timeout: BUILD_MS + 120_000 }, async () => {
    const { ctx, page } = await newPage('ja-JP');
    assert.equal(await page.getAttribute('html', 'lang'), 'ja');
    await shot(page, 'login-ja');
    await staffLogin(page);
    await page.getByRole('heading', { name: '演習の一覧' }).waitFor();
    await page.getByText('演習はまだありません').first().waitFor();
    await page.fill('#ex-id', EX);
    await page.fill('#ex-title', 'UI 演習');
    await page.selectOption('#ex-course', 'A');
    await page.fill('#ex-scenario', 'walk');
    await page.fill('#ex-topology', TOPOLOGY);
    await page.fill('#ex-teams', '2');
    await page.getByRole('button', { name: '演習を作成' }).click();
    await page.waitForURL(`**/#/instructor/${EX}`);
    const rows = page.locator('[data-testid=join-codes] tbody tr');
    await rows.nth(1).waitFor();
    for (const team of ['t01', 't02']) codes[team] = (await page.locator(`[data-testid=join-codes] tr[data-team=${team}] code`).textContent())!.trim();
    assert.match(codes.t01!, /^[A-Z0-9]{4}-[A-Z0-9]{4}$/);

    await page.getByRole('button', { name: '演習環境をつくる' }).click();
    await page.locator('[data-testid=ex-state]', { hasText: '環境を準備中' }).waitFor({ timeout: 30_000 });
    await shot(page, 'instructor-provisioning-ja');
    await page.locator('[data-testid=ex-state]', { hasText: '準備完了' }).waitFor({ timeout: BUILD_MS });
    await page.getByRole('button', { name: '開始', exact: true }).click();
    await page.locator('[data-testid=ex-state]', { hasText: '実施中' }).waitFor({ timeout: 30_000 });
    // the map of every team's range, with node health from the engine
    await page.locator('[data-testid=map-t02] [data-node=pc1]').waitFor({ timeout: 60_000 });
    await shot(page, 'instructor-ja');

    await page.selectOption('[data-testid=lang]', 'en');
    await page.getByRole('heading', { name: 'Teams and join codes' }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await shot(page, 'instructor-en');
    await ctx.close();
  });

  for (const [locale, who, words] of [
    ['ja-JP', 'sato', { title: 'チーム t01', terminals: '端末の操作', open: '端末を開く', logs: '記録（ログ）の検索', search: '検索', forms: '提出', finding: '気づいたことを提出', report: '報告を提出', sent: '送信しました。', plain: '不正なプログラム', jargon: 'マルウェアに感染しました' }],
    ['en-US', 'smith', { title: 'Team t01', terminals: 'Terminals', open: 'Open terminal', logs: 'Log search', search: 'Search', forms: 'Submit', finding: 'Submit finding', report: 'Submit report', sent: 'Sent.', plain: 'a harmful program', jargon: 'The malware was found' }],
  ] as const) {
    test(`a team-1 trainee works in the range and sees the score change live (${locale})`, { timeout: 240_000 }, async () => {
      const { ctx, page } = await newPage(locale);
      await joinTeam(page, codes.t01!, who);
      await page.getByRole('heading', { name: new RegExp(words.title) }).waitFor();
      await page.locator('[data-testid=map-t01] [data-node=pc1]').waitFor({ timeout: 30_000 });

      // a terminal on the team's own staff PC; the command runs there
      await page.getByRole('tab', { name: words.terminals }).click();
      await page.selectOption('#term-node', 'pc1');
      await page.getByRole('button', { name: words.open }).click();
      const term = page.locator('[data-testid=terminal-pc1] .xterm');
      await term.waitFor();
      await page.locator('[data-testid=terminal-pc1] .xterm-rows', { hasText: '@pc1' }).waitFor({ timeout: 30_000 });
      const marker = `ui-walk-${who}`;
      await term.click();
      await page.keyboard.type(`echo "$(hostname):$((40+2))"; logger -t uiwalk ${marker}\n`);
      await page.locator('[data-testid=terminal-pc1] .xterm-rows', { hasText: 'pc1:42' }).waitFor({ timeout: 20_000 });
      await shot(page, `workspace-terminal-${locale}`);

      // the SOC log has the line the terminal just wrote (shipped by syslog from pc1)
      await page.getByRole('tab', { name: words.logs }).click();
      await page.fill('#log-q', marker);
      const found = page.locator('[data-testid=log-lines]', { hasText: marker });
      for (let i = 0; i < 20 && !(await found.isVisible()); i++) {
        await page.getByRole('button', { name: words.search, exact: true }).click();
        await page.waitForTimeout(1500);
      }
      await found.waitFor({ timeout: 5_000 });
      assert.match((await found.textContent())!, /pc1/);
      await shot(page, `workspace-logs-${locale}`);

      // a finding and a report; the own score follows live
      const before = await page.locator('#own-score').textContent();
      await page.getByRole('tab', { name: words.forms }).click();
      const finding = page.locator('[data-testid=finding-form]');
      await finding.locator('select[name=indicatorType]').selectOption('ip');
      await finding.locator('input[name=value]').fill('198.51.100.23');
      await finding.locator('textarea[name=text]').fill(`${who}: odd traffic`);
      await finding.getByRole('button', { name: words.finding }).click();
      await finding.getByText(words.sent).waitFor();
      const report = page.locator('[data-testid=report-form]');
      await report.locator('[name=occurredAt]').fill('2026-11-25 10:00');
      await report.locator('[name=affected]').fill(words.jargon);
      await report.getByText(words.plain).waitFor();
      for (const f of ['cause', 'outlook', 'alternatives', 'actions']) await report.locator(`[name=${f}]`).fill(`${f} — ${who}`);
      await shot(page, `workspace-report-${locale}`);
      await report.getByRole('button', { name: words.report }).click();
      await report.getByText(words.sent).waitFor();
      await page.waitForFunction((b) => document.querySelector('#own-score')?.textContent !== b, before, { timeout: 30_000 });
      await shot(page, `workspace-${locale}`);
      await ctx.close();
    });
  }

  test('a team-2 trainee sees only team 2 and cannot open team 1’s terminal or data', { timeout: 120_000 }, async () => {
    const { ctx, page } = await newPage('en-US');
    await joinTeam(page, codes.t02!, 'nakamura');
    await page.getByRole('heading', { name: /Team t02/ }).waitFor();
    await page.locator('[data-testid=map-t02]').waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('[data-testid=map-t01]').count(), 0);
    const token = await page.evaluate(() => (JSON.parse(sessionStorage.getItem('enshu.session')!) as { token: string }).token);
    // asked from here, not from the page: a refused request is the point, not a console error of the app
    const get = async (p: string) => (await fetch(url + p, { headers: { authorization: `Bearer ${token}` } })).status;
    for (const p of ['range', 'logs?q=x', 'score', 'timeline', '']) assert.equal(await get(`/api/exercises/${EX}/teams/t01${p ? `/${p}` : ''}`), 403, p);
    assert.equal(await get(`/api/exercises/${EX}/teams/t02/range`), 200);
    const refused = await new Promise<string>((resolve) => {
      const s = ioClient(`${url}${TERMINAL_NAMESPACE}`, { auth: { token, exercise: EX, team: 't01', node: 'pc1' }, transports: ['websocket'], reconnection: false });
      s.on('connect', () => { s.close(); resolve('connected'); });
      s.on('connect_error', (e) => { s.close(); resolve(e.message); });
    });
    assert.equal(refused, 'forbidden');
    await ctx.close();
  });

  test('the organizer review shows results, the after-action timeline and the yearly statistics', { timeout: 120_000 }, async () => {
    for (const [locale, lang, results] of [['ja-JP', 'ja', 'チームごとの結果'], ['en-US', 'en', 'Results']] as const) {
      const { ctx, page } = await newPage(locale);
      await staffLogin(page);
      await page.getByRole('heading', { name: lang === 'ja' ? '演習の一覧' : 'Exercises' }).waitFor();
      await page.goto(`${url}/#/review/${EX}`);
      await page.getByRole('heading', { name: new RegExp(results) }).waitFor();
      await page.locator('[data-testid=score-table] tr[data-team=t01]').waitFor({ timeout: 20_000 });
      await page.locator('[data-testid=aar] li').first().waitFor({ timeout: 20_000 });
      await shot(page, `review-${lang}`);
      await ctx.close();
    }
  });

  test('no view logged a console error', () => {
    assert.deepEqual(consoleErrors, []);
  });
});
