/// <reference lib="dom" />
/**
 * What a trainee sees of the reporting clock and the report form, in Chromium, on a real server
 * with no range (fast): the exercise runs without an engine and the incident arrives as an
 * injected attack step, as in an instructor's drill. Asserts the countdown the scoring computes
 * (stands still while paused and goes on from there, shorter when the attack runs faster), the
 * form cleared after sending with the kind moved on to 続報, and no update asked for after 最終報.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from '../../core/index.js';
import {
  accessRouteFactory,
  attachTraineeAccess,
  reportingPort,
  scoringPort,
  type AttachedAccess,
} from '../../server/index.js';
import { ADMIN, startServer, type Running } from '../server/helpers.js';

const EX = 'h14-ui-report';
let run: Running;
let access: AttachedAccess;
let browser: Browser;
let dataDir = '';
let admin = '';
let code = '';

beforeAll(async () => {
  const { build } = await import('vite');
  await build({ configFile: join(repoRoot, 'web', 'vite.config.ts'), logLevel: 'warn' });
  dataDir = mkdtempSync(join(tmpdir(), 'enshu-ui-report-'));
  // the access routes without an engine: the glossary and the web app, no terminals
  run = await startServer({
    dataDir,
    scoring: scoringPort(),
    reporting: reportingPort(),
    extraRoutes: accessRouteFactory(undefined),
  });
  access = await attachTraineeAccess(run.server, { dataDir, sshPort: false });
  assert.ok(access.webServed, 'the built web app is served');
  admin = (await run.api<{ token: string }>('POST', '/api/auth/login', ADMIN)).body.token;
  const created = await run.api(
    'POST',
    '/api/exercises',
    { id: EX, course: 'A', scenario: 'a-phishing-c2-exfil', teams: [{ name: 'Blue', members: ['sato'] }] },
    admin,
  );
  assert.equal(created.status, 201, created.text);
  // no range to build: the exercise is marked ready as a provisioned one would be
  run.server.store.exercises.transition(EX, 'provisioning');
  run.server.store.exercises.transition(EX, 'ready');
  assert.equal((await run.api('POST', `/api/exercises/${EX}/start`, {}, admin)).status, 200);
  const x = await run.api<{ teams: { id: string; joinCode: string }[] }>(
    'GET',
    `/api/exercises/${EX}`,
    undefined,
    admin,
  );
  code = x.body.teams[0]!.joinCode;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'],
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await access?.close();
  await run?.server.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** an instructor's injected event with its own time (the drill API) */
const inject = async (e: Record<string, unknown>) => {
  const r = await run.api('POST', `/api/exercises/${EX}/events`, { events: [e] }, admin);
  assert.equal(r.status, 200, r.text);
};
const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
/** "あと 24:51" / "残り 1:02:03" → seconds */
const seconds = (text: string): number => {
  const m = /(?:あと|残り)\s*(?:(\d+):)?(\d+):(\d{2})/.exec(text);
  assert.ok(m, `a countdown in: ${text}`);
  return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]);
};
const clockText = async (page: Page) => (await page.getByTestId('report-clock').textContent()) ?? '';

describe("the trainee's report clock and form", () => {
  test(
    'counts down what the scoring counts, holds it while paused, resets the form, asks nothing after 最終報',
    {
      timeout: 240_000,
    },
    async () => {
      const ctx = await browser.newContext({ locale: 'ja-JP', viewport: { width: 1280, height: 900 } });
      const page = await ctx.newPage();
      await page.goto(run.url);
      await page.fill('#join-code', code);
      await page.fill('#join-name', 'sato');
      await page.locator('#join-name').press('Enter');
      await page.getByRole('tab', { name: '提出', exact: true }).click();
      const clock = page.getByTestId('report-clock');
      await clock.getByText('まだ始まっていません').waitFor({ timeout: 30_000 });

      // the incident occurs now (a step the team could notice): 30 minutes are left
      const now = ago(0);
      await inject({
        type: 'attack.step',
        team: 't01',
        at: now,
        scenario: 'a-phishing-c2-exfil',
        step: 'phishing-mail',
        technique: 'T1566.001',
        tactic: 'initial-access',
        startedAt: now,
        endedAt: now,
        outcome: 'succeeded',
        impact: true,
      });
      const first = page.getByTestId('report-first');
      await first.getByText('第一報の期限まで あと').waitFor({ timeout: 30_000 });
      const before = seconds((await first.textContent())!);
      assert.ok(before > 29 * 60 && before <= 30 * 60 + 2, `30 minutes left, shown ${before} s`);

      // paused: the countdown stands still and says so
      assert.equal((await run.api('POST', `/api/exercises/${EX}/pause`, {}, admin)).status, 200);
      await page.getByTestId('report-clock-paused').waitFor({ timeout: 30_000 });
      await first.getByText('再開後に進みます').waitFor();
      const held = seconds((await first.textContent())!);
      await page.waitForTimeout(3000);
      assert.equal(seconds((await first.textContent())!), held, 'the time left does not run while paused');
      await page.waitForTimeout(3000);
      // resumed: it goes on from what was left, not from the wall clock
      assert.equal((await run.api('POST', `/api/exercises/${EX}/resume`, {}, admin)).status, 200);
      await page.getByTestId('report-clock-paused').waitFor({ state: 'detached', timeout: 30_000 });
      await first.getByText('第一報の期限まで あと').waitFor();
      const resumed = seconds((await first.textContent())!);
      assert.ok(Math.abs(resumed - held) <= 4, `after the pause ${resumed} s are left, as before it (${held} s)`);
      // the score agrees: no first report is overdue yet
      const score = await run.api<{ score: { detail?: { code: string }[] } | null }>(
        'GET',
        `/api/exercises/${EX}/teams/t01/score`,
        undefined,
        admin,
      );
      assert.ok(!score.body.score?.detail?.some((i) => i.code === 'reporting.first.overdue'));

      // faster attack: at ×2 the exercise minutes left pass in half the time
      await inject({
        type: 'attack.speed',
        team: 't01',
        at: new Date().toISOString(),
        scenario: 'a-phishing-c2-exfil',
        speed: 2,
      });
      await clock.getByText('2 倍の速さ').waitFor({ timeout: 30_000 });
      const fast = seconds((await first.textContent())!);
      assert.ok(Math.abs(fast - resumed / 2) <= 6, `at ×2 ${fast} s are left of ${resumed} s`);
      await inject({
        type: 'attack.speed',
        team: 't01',
        at: new Date().toISOString(),
        scenario: 'a-phishing-c2-exfil',
        speed: 1,
      });
      await clock.getByText('倍の速さ').waitFor({ state: 'detached', timeout: 30_000 });

      // the first report, for the public: jargon gets a plain-words hint
      const form = page.getByTestId('report-form');
      // a Japanese page: no English words beside the few abbreviations Japanese notices use
      const ascii = ((await form.textContent()) ?? '').match(/[A-Za-z]{2,}/g) ?? [];
      assert.deepEqual(
        ascii.filter((w) => !['CISO', 'Web'].includes(w)),
        [],
        'English on the Japanese report form',
      );
      assert.equal(await form.locator('[name=kind]').inputValue(), 'first');
      const fill = async (jargon: boolean) => {
        await form.locator('[name=occurredAt]').fill('10時05分ごろ');
        await form.locator('[name=affected]').fill(jargon ? 'マルウェアに感染した端末1台' : '端末1台');
        await form.locator('[name=cause]').fill('メールの添付ファイル');
        await form.locator('[name=outlook]').fill('本日15時ごろの見込み');
        await form.locator('[name=alternatives]').fill('電話窓口をご利用ください');
        await form.locator('[name=actions]').fill('通信を遮断しました');
      };
      await fill(true);
      await form.getByTestId('plain-hint').getByText('不正なプログラム').waitFor();
      await form.getByRole('button', { name: '報告を提出' }).click();
      await form.getByText('送信しました。').waitFor();
      // cleared: no old text, no hint of it; the next report is a 続報 and the 第一報 is marked sent
      for (const f of ['occurredAt', 'affected', 'cause', 'outlook', 'alternatives', 'actions'])
        assert.equal(await form.locator(`[name=${f}]`).inputValue(), '', `${f} is empty`);
      assert.equal(await form.getByTestId('plain-hint').count(), 0, 'no hint of the old text');
      assert.equal(await form.locator('[name=kind]').inputValue(), 'update');
      await form.locator('option[value=first]', { hasText: '第一報（提出済み）' }).waitFor({ state: 'attached' });
      // the clock: the first report is done, the next update is due in an hour
      await clock.getByText('第一報は提出済みです。').waitFor({ timeout: 30_000 });
      const next = page.getByTestId('report-next');
      await next.getByText('次の続報（1時間ごと）まで あと').waitFor({ timeout: 30_000 });
      const nextLeft = seconds((await next.textContent())!);
      assert.ok(nextLeft > 58 * 60 && nextLeft <= 60 * 60 + 2, `an hour to the next update, shown ${nextLeft} s`);

      // 最終報: nothing more is asked for, in the clock or the form
      await form.locator('[name=kind]').selectOption('final');
      await fill(false);
      await form.getByRole('button', { name: '報告を提出' }).click();
      await page.getByTestId('report-closed-clock').waitFor({ timeout: 30_000 });
      await form.getByTestId('report-closed').waitFor();
      const text = await clockText(page);
      assert.ok(!text.includes('次の続報'), `no update asked for after the final report: ${text}`);
      assert.ok(!text.includes('遅れています'), text);
      assert.equal(await page.getByTestId('report-next').count(), 0);
      mkdirSync(join(repoRoot, 'test-artifacts', 'ui'), { recursive: true });
      await page.screenshot({ path: join(repoRoot, 'test-artifacts', 'ui', 'reporting-final-ja.png'), fullPage: true });
      await ctx.close();
    },
  );

  test(
    "the instructor grades with the recipients and a rubric; the organizer page rebuilds the seed's yearly table from the shipped CSV",
    {
      timeout: 120_000,
    },
    async () => {
      const ctx = await browser.newContext({ locale: 'ja-JP', viewport: { width: 1280, height: 900 } });
      const page = await ctx.newPage();
      await page.goto(run.url);
      await page.fill('#login-user', ADMIN.user);
      await page.fill('#login-password', ADMIN.password);
      await page.locator('#login-password').press('Enter');
      await page.getByRole('heading', { name: '演習の一覧' }).waitFor({ timeout: 30_000 });
      await page.evaluate((ex) => (location.hash = `#/instructor/${ex}`), EX);
      const rubric = page.getByTestId('grade-rubric').first();
      await rubric.waitFor({ timeout: 30_000 }).catch(async (err: unknown) => {
        await page.screenshot({ path: join(repoRoot, 'test-artifacts', 'ui', 'failed-rubric.png'), fullPage: true });
        throw err;
      });
      await rubric.locator('summary').click();
      await rubric.getByText('経営層・CISO').first().waitFor();
      await rubric.getByText('代替手段が実際に使えるもので').waitFor();

      // the organizer page: import the seed's figures, see the table with its totals and the charts
      await page.evaluate(() => (location.hash = '#/review'));
      const stats = page.locator('#stats');
      await stats.getByRole('heading', { name: '年度ごとの集計' }).waitFor({ timeout: 30_000 });
      await page
        .getByTestId('stats-import')
        .setInputFiles(join(repoRoot, 'scoreboard', 'fixtures', 'cyder-2017-2022.csv'));
      await stats.getByText('12 行を取り込みました。').waitFor({ timeout: 30_000 });
      const totals = page.getByTestId('stats-year-total');
      await totals.nth(5).waitFor();
      const rows = await totals.allTextContents();
      const now = new Date(Date.now() + 9 * 3_600_000);
      const fy = now.getUTCMonth() >= 3 ? now.getUTCFullYear() : now.getUTCFullYear() - 1;
      assert.deepEqual(
        rows.map((r) => r.replace(/\s+/g, '')),
        [
          '2017年度合計1003,009',
          '2018年度合計1072,666',
          '2019年度合計1053,090',
          '2020年度合計1062,648',
          '2021年度合計1052,454',
          '2022年度合計1083,327',
          // the exercise run here (this file's: one session, one participant) counts in its own year
          `${fy}年度合計11`,
        ],
      );
      const table = (await page.getByTestId('stats').textContent()) ?? '';
      for (const w of [
        '開催回数',
        '受講者数',
        '開催地',
        '実施時期',
        'A（初級・集合演習）',
        '47都道府県',
        '10月～翌年1月',
      ])
        assert.ok(table.includes(w), `the table shows ${w}`);
      assert.ok(!/fiscal_?year|participants|average_/i.test(table), 'no raw keys as headers');
      for (const chart of ['chart-sessions', 'chart-participants']) {
        const bars = page.getByTestId(chart).locator('svg rect');
        assert.ok((await bars.count()) >= 6, `${chart} has a bar per year`);
      }
      // the 2022 participants bar is the tallest (3,327)
      const heights = await page
        .getByTestId('chart-participants')
        .locator('svg rect')
        .evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('height'))));
      assert.equal(Math.max(...heights), heights[5]);
      await page.screenshot({ path: join(repoRoot, 'test-artifacts', 'ui', 'review-yearly-ja.png'), fullPage: true });
      await ctx.close();
    },
  );
});
