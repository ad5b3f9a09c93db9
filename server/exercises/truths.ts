/**
 * Each team's ground truth (what the attack will do and leave behind), cached per exercise.
 * Scoring, hints and the checker read it; it is rebuilt when the ranges' addresses become known,
 * because indicators that name an address can only be stated once the range runs.
 */
import { createLogger, rangePrefix, type GroundTruth } from '../../core/index.js';
import type { ExerciseContext } from './context.js';

const log = createLogger('server/exercises');

export class TruthCache {
  private readonly cache = new Map<string, Map<string, GroundTruth>>();

  constructor(private readonly c: ExerciseContext) {}

  /** Each team's ground truth (cached); without a live range, indicators that name addresses are left out. */
  truths(exercise: string, ips?: Map<string, Record<string, string>>): Map<string, GroundTruth> {
    let m = this.cache.get(exercise);
    if (m && !ips) return m;
    m = new Map();
    const x = this.c.store.exercises.find(exercise);
    if (x && this.c.attack) {
      for (const t of this.c.store.exercises.teams(exercise)) {
        try {
          const teamIps = ips?.get(t.id);
          m.set(
            t.id,
            this.c.attack.groundTruth(x.scenario, {
              exercise,
              team: t.id,
              seed: x.seed,
              ...(teamIps ? { ips: teamIps } : {}),
            }),
          );
        } catch (err) {
          // a scenario that no longer loads leaves the team without truth; scoring shows zero, not a crash
          log.error(
            { err, exercise, team: t.id, scenario: x.scenario },
            `no ground truth for ${t.id} of ${exercise}: scenario ${x.scenario} does not load`,
          );
        }
      }
    }
    this.cache.set(exercise, m);
    this.c.hooks.truthChanged?.(exercise);
    return m;
  }

  /** Recomputes ground truth with the addresses of the team ranges as they run now. */
  async refresh(exercise: string): Promise<void> {
    if (!this.c.engine || !this.c.attack) return;
    const [status] = await this.c
      .ranges()
      .status(exercise)
      .catch((err: unknown) => {
        // ground truth keeps the addresses it had; indicators that name addresses may lag until the next refresh
        log.warn({ err, exercise }, `cannot read the ranges of ${exercise}: ground truth keeps its last addresses`);
        return [];
      });
    if (!status) return;
    const ips = new Map<string, Record<string, string>>();
    for (const t of status.teams) {
      const prefix = rangePrefix(exercise, t.team);
      const m: Record<string, string> = {};
      for (const n of t.nodes) {
        // node → its first address, node.segment → its address on that segment (network names lose the range prefix)
        const entries = Object.entries(n.ips)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([net, ip]) => [net.startsWith(prefix) ? net.slice(prefix.length) : net, ip] as const);
        if (entries[0]) m[n.node] = entries[0][1];
        for (const [seg, ip] of entries) m[`${n.node}.${seg}`] = ip;
      }
      ips.set(t.team, m);
    }
    this.truths(exercise, ips);
  }
}
