/** The SOC's central log, searched the way an analyst would: `enshu-logs` on the team's soc node. */
import assert from 'node:assert/strict';
import type { Engine } from '../../orchestrator/index.js';

export interface LogLine {
  at: string;
  team: string;
  node: string;
  service: string;
  msg: string;
}

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
/** a literal string as a Python regular expression for `--grep` */
const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class Soc {
  constructor(
    private readonly engine: Engine,
    private readonly container: string,
  ) {}

  async search(o: { grep: string; node?: string; service?: string }): Promise<LogLine[]> {
    const args = [
      '--json',
      '--grep',
      quote(literal(o.grep)),
      ...(o.node ? ['--node', o.node] : []),
      ...(o.service ? ['--service', o.service] : []),
    ];
    const r = await this.engine.exec.run(this.container, ['sh', '-c', `enshu-logs ${args.join(' ')}`], {
      timeoutMs: 60_000,
    });
    assert.equal(r.exitCode, 0, r.stderr);
    return r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as LogLine);
  }

  /** Lines with `grep` (a literal string) on `node`, waiting up to `ms` for log shipping. */
  async find(what: string, o: { grep: string; node?: string; service?: string }, ms = 60_000): Promise<LogLine[]> {
    const end = Date.now() + ms;
    for (;;) {
      const hits = await this.search(o);
      if (hits.length) return hits;
      if (Date.now() > end)
        assert.fail(
          `${what}: no line with "${o.grep}"${o.node ? ` from ${o.node}` : ''} in the SOC within ${ms / 1000}s`,
        );
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
