/**
 * Self-paced mode in a real browser (Chromium) against the real server and engine: the instructor
 * (Japanese) sees that the new-exercise form offers only the chosen course's scenarios, opens a
 * window for online-intro and reads its code; a trainee (English) registers with it on the sign-in
 * page, watches their range being built, starts, pauses and finishes their own clock; the
 * instructor's panel shows the seat. Pictures go to test-artifacts/ui/selfpaced-*.png.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { RangeManager, topologyForCourse, type Engine } from '../../orchestrator/index.js';
import { repoRoot } from '../../core/index.js';
import {
  createExerciseServer,
  type ExerciseServer,
  attackPort,
  scoringPort,
  accessRouteFactory,
  attachTraineeAccess,
  type AttachedAccess,
} from '../../server/index.js';
import { engineWithImages } from '../helpers/range.js';

const STAFF = { user: 'teacher', password: 'teacher-password-1' };
const WIN = 'o13ui';
const SEAT = `sp-${WIN}-001`;
const SHOTS = join(repoRoot, 'test-artifacts', 'ui');
const BUILD_MS = 8 * 60_000;

let engine: Engine;
let server: ExerciseServer;
let access: AttachedAccess;
let browser: Browser;
let url = '';
let dataDir = '';
let code = '';
let instructor: Page;
let trainee: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
  engine = await engineWithImages([...new Set(topologyForCourse('online-intro').nodes.map((n) => n.role))]);
  await new RangeManager(engine).down({ exercise: SEAT });
  const { build } = await import('vite');
  await build({ configFile: join(repoRoot, 'web', 'vite.config.ts'), logLevel: 'warn' });
  mkdirSync(SHOTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'enshu-ui-sp-'));
  server = createExerciseServer({
    dataDir,
    engine,
    attack: attackPort(),
    scoring: scoringPort(),
    extraRoutes: accessRouteFactory(engine),
    selfPaced: { maxRanges: 1, sweepMs: 0 },
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
  await browser?.close();
  await access?.close();
  await server?.close();
  if (engine) await new RangeManager(engine).down({ exercise: SEAT });
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function page(locale: 'ja-JP' | 'en-US'): Promise<Page> {
  const ctx = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  const p = await ctx.newPage();
  p.on('console', (m) => {
    if (m.type() === 'error' && !m.text().includes('net::ERR_NETWORK_CHANGED'))
      consoleErrors.push(`${locale} ${m.text()}`);
  });
  p.on('pageerror', (e) => consoleErrors.push(`${locale} ${e.message}`));
  await p.goto(url);
  return p;
}

describe('self-paced mode in the browser', () => {
  test('the instructor’s form offers only the course’s scenarios, and opens a window', async () => {
    instructor = await page('ja-JP');
    await instructor.fill('#login-user', STAFF.user);
    await instructor.fill('#login-password', STAFF.password);
    await instructor.locator('#login-password').press('Enter');
    // the course ↔ scenario binding, as the instructor sees it
    await instructor.selectOption('#ex-course', 'online-standard');
    await instructor.locator('#ex-scenario option[value="online-standard-mailbox"]').waitFor({ state: 'attached' });
    assert.deepEqual(
      await instructor.locator('#ex-scenario option').evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value)),
      ['online-standard-mailbox'],
    );
    await instructor.selectOption('#ex-course', 'A');
    await instructor.locator('#ex-scenario option[value="a-phishing-c2-exfil"]').waitFor({ state: 'attached' });
    assert.equal(await instructor.locator('#ex-scenario option').count(), 1);

    // a window for the online intro course; only online courses are offered there
    const offered = await instructor
      .locator('#spw-course option')
      .evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value));
    assert.deepEqual(offered.sort(), ['online-intro', 'online-standard']);
    await instructor.fill('#spw-id', WIN);
    await instructor.selectOption('#spw-course', 'online-intro');
    await instructor.locator('#spw-scenario option[value="online-intro-phishing"]').waitFor({ state: 'attached' });
    await instructor.fill('#spw-capacity', '1');
    await instructor.locator('[data-testid=open-window] button[type=submit]').click();
    await instructor.getByText(`受講期間 ${WIN} を設定しました`).waitFor();
    code = (await instructor.locator(`[data-testid=spw-${WIN}] [data-testid=spw-code]`).textContent())!.trim();
    assert.match(code, /^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    await instructor.screenshot({ path: join(SHOTS, 'selfpaced-instructor-window.png'), fullPage: true });
  });

  test(
    'a trainee registers with the code, the range is built, and they start, pause and finish their clock',
    { timeout: BUILD_MS + 120_000 },
    async () => {
      trainee = await page('en-US');
      await trainee.fill('#sp-code', code);
      await trainee.fill('#sp-name', 'Kato');
      await trainee.locator('[data-testid=selfpaced-register] button[type=submit]').click();
      const status = (text: string, timeout = 60_000) =>
        trainee.locator('[data-testid=sp-status]', { hasText: new RegExp(`^${text}$`) }).waitFor({ timeout });
      await trainee.locator('[data-testid=sp-status]').waitFor();
      // building (or already ready on a fast host), then ready: the bar reads the seat every 20 s
      await status('Ready to start', BUILD_MS);
      await trainee.getByText('Time used: 0 of 120 minutes').waitFor();
      await trainee.screenshot({ path: join(SHOTS, 'selfpaced-trainee-ready.png'), fullPage: true });
      await trainee.getByRole('button', { name: 'Start' }).click();
      await status('Running');
      assert.equal(server.store.exercises.get(SEAT).state, 'running');
      await trainee.getByRole('button', { name: 'Pause' }).click();
      await status('Paused');
      assert.equal(server.store.exercises.get(SEAT).state, 'paused');

      // the instructor's panel shows the seat (it refreshes every 15 s; a reload is quicker)
      await instructor.reload();
      const row = instructor.locator(`[data-testid=spw-${WIN}] tr`, { hasText: 'Kato' });
      await row.waitFor();
      assert.match((await row.textContent())!, /一時停止中/);
      await instructor.screenshot({ path: join(SHOTS, 'selfpaced-instructor-seat.png'), fullPage: true });

      trainee.once('dialog', (d) => void d.accept());
      await trainee.getByRole('button', { name: 'Finish' }).click();
      await status('Finished', 120_000);
      assert.equal((await new RangeManager(engine).status(SEAT)).length, 0, 'the range is gone');
      assert.deepEqual(
        consoleErrors.filter((e) => !/Failed to load resource/.test(e)),
        [],
      );
    },
  );
});
