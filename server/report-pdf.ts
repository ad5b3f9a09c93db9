/**
 * The after-action report as a PDF: the server opens its own web app's report page
 * (#/review/<exercise>/report) in headless Chromium as the caller (their token, their language)
 * and prints it with page.pdf(), so the PDF is exactly what "Print" gives in the browser.
 *
 * Chromium: ENSHU_CHROMIUM, else /usr/bin/chromium; Japanese text needs a CJK font on the machine
 * (scripts/engine.sh installs fonts-ipafont-gothic with Chromium). One rendering at a time; every
 * wait is bounded and the browser is closed whatever happens.
 */
import type { Request } from 'express';
import type { TLSSocket } from 'node:tls';
import type * as PlaywrightModule from 'playwright-core';
import { z } from 'zod';

type Playwright = typeof PlaywrightModule;
import { EnshuError, NotFoundError, createLogger } from '../core/index.js';
import { routeExercise } from './access.js';
import type { Store } from './store/index.js';
import { route, type RouteSpec } from './routes.js';

/** Rendering the PDF failed (no Chromium, the page did not load in time). */
export class PdfRenderError extends EnshuError {}

const log = createLogger('server/report-pdf');
export const PDF_TIMEOUT_MS = 60_000;
const chromiumPath = () => process.env.ENSHU_CHROMIUM || '/usr/bin/chromium';

let queue: Promise<unknown> = Promise.resolve();
/** runs renderings one after another: each is a whole browser */
function serial<T>(f: () => Promise<T>): Promise<T> {
  const run = queue.then(f, f);
  queue = run.catch(() => undefined);
  return run;
}

export interface PdfRequest {
  /** the server's own address, as seen from this machine */
  origin: string;
  exercise: string;
  lang: 'ja' | 'en';
  /** the caller's session, as the web app keeps it in sessionStorage */
  session: Record<string, unknown> & { token: string };
}

export async function renderReportPdf(r: PdfRequest): Promise<Buffer> {
  let pw: Playwright;
  try {
    pw = await import('playwright-core');
  } catch (err) {
    throw new PdfRenderError('PDF export needs the playwright-core package', {}, { cause: err });
  }
  return serial(async () => {
    const t0 = Date.now();
    const browser = await pw.chromium
      .launch({
        executablePath: chromiumPath(),
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
        timeout: PDF_TIMEOUT_MS,
      })
      .catch((err: unknown) => {
        throw new PdfRenderError(`cannot start Chromium (${chromiumPath()}) to render the PDF`, {}, { cause: err });
      });
    try {
      const ctx = await browser.newContext({
        locale: r.lang === 'ja' ? 'ja-JP' : 'en-US',
        ignoreHTTPSErrors: r.origin.startsWith('https:'),
      });
      await ctx.addInitScript(
        ([session, lang]) => {
          sessionStorage.setItem('enshu.session', session);
          localStorage.setItem('enshu.lang', lang);
        },
        [JSON.stringify(r.session), r.lang] as const,
      );
      const page = await ctx.newPage();
      await page.goto(`${r.origin}/#/review/${encodeURIComponent(r.exercise)}/report`, { timeout: PDF_TIMEOUT_MS });
      await page
        .locator('[data-testid=aar-report][data-ready=yes]')
        .waitFor({ timeout: PDF_TIMEOUT_MS })
        .catch((err: unknown) => {
          throw new PdfRenderError('the report page did not load in time', { exercise: r.exercise }, { cause: err });
        });
      await page.emulateMedia({ media: 'print' });
      const pdf = await page.pdf({
        format: 'A4',
        printBackground: true,
        margin: { top: '12mm', bottom: '12mm', left: '10mm', right: '10mm' },
      });
      log.info({ exercise: r.exercise, ms: Date.now() - t0, bytes: pdf.length }, 'after-action report rendered');
      return pdf;
    } finally {
      await browser.close().catch(() => undefined);
    }
  });
}

const origin = (req: Request) => {
  const tls = (req.socket as TLSSocket).encrypted === true;
  return `${tls ? 'https' : 'http'}://127.0.0.1:${req.socket.localPort}`;
};

export function reportPdfRoutes(store: Store): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/api/exercises/:exercise/report.pdf',
      summary: 'the printable after-action report of the exercise (all teams) as a PDF (?lang=ja|en)',
      roles: ['instructor', 'organizer'],
      query: z.object({ lang: z.enum(['ja', 'en']).default('ja') }),
      produces: 'application/pdf',
      handler: async ({ req, res, principal, query }) => {
        const exercise = routeExercise(store, req);
        // the report is the web app's page: without the built app here there is nothing to print
        const home = await fetch(`${origin(req)}/`, { signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
        if (!home?.ok || !(home.headers.get('content-type') ?? '').startsWith('text/html'))
          throw new NotFoundError(
            'the web app is not served by this server (npm run build:web), so there is no report page to print',
            {
              exercise,
            },
          );
        const token = String(req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
        const pdf = await renderReportPdf({
          origin: origin(req),
          exercise,
          lang: query.lang,
          session: { ...principal!, token },
        });
        res
          .type('application/pdf')
          .setHeader('content-disposition', `attachment; filename="${exercise}-after-action.pdf"`)
          .send(pdf);
        return undefined;
      },
    }),
  ];
}
