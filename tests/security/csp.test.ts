/**
 * The built web app under the server's Content-Security-Policy, in Debian's Chromium: the staff
 * console (socket.io over a websocket) and a team workspace with a browser terminal (xterm.js)
 * load without a single CSP violation. No engine: the team's range view is answered inside the
 * browser (playwright's route), so the terminals panel has a node to open; the terminal's own
 * connection then fails (no engine), which does not matter here: xterm.js is what is checked.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { repoRoot } from '../../core/index.js';
import { attachTraineeAccess, WEB_DIST, type AttachedAccess } from '../../server/index.js';
import { ADMIN, exerciseWithTeams, secureServer, type Secured } from './helpers.js';
import { teardown } from '../helpers/teardown.js';

const CHROMIUM = '/usr/bin/chromium';
const EX = 'csp';
let run: Secured;
let access: AttachedAccess;
let browser: Browser;
let webDir: string;
let builtHere: string | undefined;
let codes: Record<string, string>;

beforeAll(async () => {
  // the current source, built apart from web/dist (others may be using it); the last build if that fails
  builtHere = mkdtempSync(join(tmpdir(), 'enshu-sec-web-'));
  try {
    const { build } = await import('vite');
    await build({
      configFile: join(repoRoot, 'web', 'vite.config.ts'),
      logLevel: 'silent',
      build: { outDir: builtHere, emptyOutDir: true },
    });
    webDir = builtHere;
  } catch {
    webDir = WEB_DIST;
  }
  assert.ok(existsSync(join(webDir, 'index.html')), 'a built web app');
  run = await secureServer('csp');
  access = await attachTraineeAccess(run.server, { dataDir: run.dataDir, sshPort: false, webDir });
  ({ codes } = await exerciseWithTeams(run, EX));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'],
  });
}, 180_000);

afterAll(() =>
  teardown([
    ['close the browser', () => browser?.close()],
    ['close trainee access', () => access?.close()],
    ['stop the server', () => run?.stop()],
    ['remove the web build', () => builtHere && rmSync(builtHere, { recursive: true, force: true })],
  ]),
);

interface Watch {
  violations: string[];
  sockets: string[];
}

async function watched(): Promise<{ page: Page; w: Watch }> {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const w: Watch = { violations: [], sockets: [] };
  // both the console's report and the DOM event, so neither a message format nor a missed event hides one
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) w.violations.push(m.text());
  });
  await page.exposeFunction('__cspViolation', (s: string) => w.violations.push(s));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as unknown as { __cspViolation(s: string): void }).__cspViolation(
        `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`,
      ),
    );
  });
  page.on('websocket', (ws) => w.sockets.push(ws.url()));
  return { page, w };
}

describe('the web app under the CSP (Chromium)', () => {
  test('the page is served with the CSP', async () => {
    const res = await fetch(run.url);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  });

  test('staff console: login and live socket, no violation', async () => {
    const { page, w } = await watched();
    await page.goto(run.url);
    await page.fill('#login-user', ADMIN.user);
    await page.fill('#login-password', ADMIN.password);
    await page.locator('#login-password').press('Enter');
    await page.locator(`text=${EX}`).first().waitFor({ timeout: 20_000 });
    // the exercise's view follows it live
    await page
      .locator('tr', { has: page.locator(`td:text-is("${EX}")`) })
      .locator('button')
      .click();
    for (let i = 0; i < 100 && !w.sockets.length; i++) await page.waitForTimeout(100);
    await page.waitForTimeout(500);
    assert.ok(
      w.sockets.some((u) => u.includes('/socket.io/') && u.includes('transport=websocket')),
      `a socket.io websocket: ${w.sockets.join(', ')}`,
    );
    assert.deepEqual(w.violations, []);
    await page.context().close();
  });

  test('team workspace with an xterm.js terminal, no violation', async () => {
    const { page, w } = await watched();
    await page.route('**/api/exercises/*/teams/*/range', (route) =>
      route.fulfill({
        json: {
          team: 't01',
          ready: true,
          segments: [{ name: 'lan', purpose: 'office', subnet: '10.1.1.0/24' }],
          nodes: [
            {
              node: 'pc1',
              role: 'pc',
              title: 'PC 1',
              state: 'running',
              health: 'healthy',
              ips: { lan: '10.1.1.10' },
              users: ['staff01'],
            },
          ],
        },
      }),
    );
    await page.goto(run.url);
    await page.fill('#join-code', codes.t01!);
    await page.fill('#join-name', 'csp-trainee');
    await page.locator('#join-name').press('Enter');
    const open = page.locator('#terminals button[type=submit]');
    await open.waitFor({ timeout: 20_000 });
    await page.locator('#term-node option[value=pc1]').waitFor({ state: 'attached', timeout: 20_000 });
    await open.click();
    await page.locator('#terminals .xterm').first().waitFor({ timeout: 20_000 });
    await page.waitForTimeout(1000);
    assert.ok(
      w.sockets.some((u) => u.includes('transport=websocket')),
      `a websocket: ${w.sockets.join(', ')}`,
    );
    assert.deepEqual(w.violations, []);
    await page.context().close();
  });
});
