/**
 * The public notice on the team's own web site (MIC guideline ④: on the top page, kept there,
 * updated): once a team has published a report to the public on the web, its web server's top
 * page is fetched through the range — from the FW's side of the DMZ, in a one-shot container of
 * the web server's image (it has curl) that shares only the FW's network namespace — and a
 * `notice.observed` event is recorded when what the page says changes. The scoring compares it
 * with the team's public reports (scoreboard/reporting.ts). The fetch is one plain GET of `/`,
 * like any visitor's (the web server's health check does the same every 10 s).
 */
import { LABEL, createLogger, describeError } from '../../core/index.js';
import type { EventSink, StoredEvent } from '../../protocol/index.js';
import type { Engine } from '../../orchestrator/index.js';

const log = createLogger('server/checker/notice');

export interface NoticeWatcherOptions {
  engine: Engine;
  exercise: string;
  sink: EventSink;
  /** the exercise's log so far (the teams' reports and what was seen before) */
  events: () => readonly StoredEvent[];
  /** between rounds (default 60 s: the guideline's unit is the hour; a take-down is seen within a minute) */
  intervalMs?: number;
  now?: () => Date;
}

/** The page's text as a visitor reads it: scripts and styles dropped, tags removed, entities and spaces folded. */
export function pageText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 20_000);
}

/** Teams that published a report to the public on the web (only their sites are looked at). */
export function publishingTeams(events: readonly StoredEvent[]): Set<string> {
  const out = new Set<string>();
  for (const e of events)
    if (e.type === 'report.submitted' && e.recipients?.includes('public') && e.channels?.includes('web'))
      out.add(e.team);
  return out;
}

export class NoticeWatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly o: NoticeWatcherOptions) {}

  start(): void {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.running = this.round()
        .catch((err: unknown) =>
          log.warn({ err: describeError(err), exercise: this.o.exercise }, 'notice round failed'),
        )
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.o.intervalMs ?? 60_000);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One look at every publishing team's site; records what changed. */
  async round(): Promise<void> {
    const events = this.o.events();
    const last = new Map<string, { status: number; text: string }>();
    for (const e of events) if (e.type === 'notice.observed') last.set(e.team, { status: e.status, text: e.text });
    for (const team of publishingTeams(events)) {
      const seen = await this.fetch(team);
      if (!seen) continue;
      const before = last.get(team);
      if (before && before.status === seen.status && before.text === seen.text) continue;
      await this.o.sink.append({
        type: 'notice.observed',
        exercise: this.o.exercise,
        team,
        at: (this.o.now?.() ?? new Date()).toISOString(),
        url: seen.url,
        status: seen.status,
        text: seen.text,
      });
    }
  }

  /** The web server's top page as seen from the FW; undefined when the range cannot be asked. */
  private async fetch(team: string): Promise<{ url: string; status: number; text: string } | undefined> {
    const { engine, exercise } = this.o;
    // nodes only: the checker's watchers carry their node image's labels (role) too
    const nodes = await engine.containers.list({
      [LABEL.exercise]: exercise,
      [LABEL.team]: team,
      [LABEL.kind]: 'node',
    });
    const web = nodes.find((c) => c.labels[LABEL.role] === 'web');
    const fw = nodes.find((c) => c.labels[LABEL.role] === 'fw');
    if (!web || !fw) return undefined;
    // the web server's address on the segment it shares with the FW
    const shared = Object.keys(web.ips).find((n) => fw.ips[n]);
    const ip = shared ? web.ips[shared] : Object.values(web.ips)[0];
    if (!ip || !/^[0-9.]+$/.test(ip)) return undefined;
    const url = `http://${ip}/`;
    const r = await engine.observe.inNetns(
      fw.name,
      `curl -s -m 8 -o /tmp/page -w '%{http_code}' ${url}; echo; echo @@enshu-page; head -c 200000 /tmp/page 2>/dev/null`,
      {
        image: web.image,
        labels: { [LABEL.exercise]: exercise, [LABEL.team]: team, [LABEL.kind]: 'check-probe' },
        timeoutMs: 30_000,
      },
    );
    const [head = '', ...body] = r.stdout.split('@@enshu-page\n');
    const status = Number(head.trim()) || 0;
    return { url: `http://${web.labels[LABEL.node] ?? 'web'}/`, status, text: status ? pageText(body.join('')) : '' };
  }
}
