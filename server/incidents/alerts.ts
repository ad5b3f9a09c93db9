/**
 * SOC alert ingestion: every few seconds, for each running exercise, each team's SOC node runs its
 * rules over what it collected since the last scan (`enshu-alerts scan`, topologies/roles/soc) and
 * hands back the alerts newer than the last one ingested; each becomes a `soc.alert` event. The
 * last ingested number per team comes from the log, so a restart neither repeats nor skips one.
 */
import { containerName, createLogger, describeError } from '../../core/index.js';
import type { Engine, Topology } from '../../orchestrator/index.js';
import { ALERT_SEVERITIES, type SocAlertEvent } from '../../protocol/index.js';
import type { Store } from '../store/index.js';

const log = createLogger('alerts');

interface RawAlert {
  id: number;
  at?: string;
  rule: string;
  title: { ja: string; en: string };
  severity: string;
  node: string;
  count: number;
  evidence: string[];
}

/** The time of the first evidence line ("<ISO time> <node> <service>: …"), if it has one. */
function since(evidence: unknown): string | undefined {
  const first = Array.isArray(evidence) ? String(evidence[0] ?? '') : '';
  const t = first.split(' ')[0] ?? '';
  return /^\d{4}-\d\d-\d\dT/.test(t) && !Number.isNaN(Date.parse(t))
    ? new Date(Date.parse(t)).toISOString()
    : undefined;
}

export class AlertIngest {
  private readonly last = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly engine: Engine,
    private readonly topology: (exercise: string) => Topology | undefined,
    private readonly now: () => Date,
    private readonly intervalMs = 5_000,
  ) {}

  start(): void {
    if (this.timer || this.intervalMs <= 0) return;
    this.timer = setInterval(() => {
      this.running ??= this.scanAll()
        .then(() => undefined)
        .finally(() => (this.running = undefined));
    }, this.intervalMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One round over every running exercise (exposed for tests and for an instructor's "scan now"). */
  async scanAll(): Promise<number> {
    let n = 0;
    for (const x of this.store.exercises.list()) {
      if (x.state !== 'running' && x.state !== 'paused') continue;
      const soc = this.topology(x.id)?.nodes.find((node) => node.role === 'soc');
      if (!soc) continue;
      for (const t of this.store.exercises.teams(x.id)) n += await this.scan(x.id, t.id, soc.name);
    }
    return n;
  }

  private lastOf(exercise: string, team: string): number {
    const key = `${exercise}\n${team}`;
    let v = this.last.get(key);
    if (v === undefined) {
      v = 0;
      for (const e of this.store.events.list(exercise))
        if (e.type === 'soc.alert' && e.team === team) v = Math.max(v, Number(e.id.replace(/^soc-/, '')) || 0);
      this.last.set(key, v);
    }
    return v;
  }

  async scan(exercise: string, team: string, socNode: string): Promise<number> {
    const after = this.lastOf(exercise, team);
    let out: string;
    try {
      const r = await this.engine.exec.run(
        containerName(exercise, team, socNode),
        ['enshu-alerts', 'scan', '--json', '--after', String(after)],
        { timeoutMs: 30_000 },
      );
      if (r.exitCode !== 0) {
        log.debug({ exercise, team, stderr: r.stderr.slice(-300) }, 'alert scan failed');
        return 0;
      }
      out = r.stdout;
    } catch (err) {
      log.debug({ exercise, team }, `alert scan failed: ${describeError(err)}`);
      return 0;
    }
    let n = 0;
    for (const line of out.split('\n')) {
      let a: RawAlert;
      try {
        a = JSON.parse(line) as RawAlert;
      } catch {
        continue;
      }
      if (!(a.id > this.lastOf(exercise, team))) continue;
      const severity = (ALERT_SEVERITIES as readonly string[]).includes(a.severity)
        ? (a.severity as SocAlertEvent['severity'])
        : 'medium';
      this.store.events.append({
        type: 'soc.alert',
        exercise,
        team,
        // the time the SOC raised it (the log line's), never in the future of the server's clock
        at: this.now().toISOString(),
        id: `soc-${a.id}`,
        rule: String(a.rule).slice(0, 80),
        title: { ja: String(a.title?.ja ?? a.rule), en: String(a.title?.en ?? a.rule) },
        severity,
        node: String(a.node),
        count: Math.max(1, Math.floor(Number(a.count) || 1)),
        evidence: (Array.isArray(a.evidence) ? a.evidence : []).slice(-5).map((l) => String(l).slice(0, 500)),
        ...(since(a.evidence) ? { since: since(a.evidence)! } : {}),
      });
      this.last.set(`${exercise}\n${team}`, a.id);
      n++;
    }
    return n;
  }
}
