/**
 * The injects and vendor topics of an exercise's scenario, per team (messages rendered with the
 * team's facts), through the attack port; cached per exercise and team.
 */
import type { AttackPort, ScenarioIncidents } from '../ports.js';
import type { Store } from '../store/index.js';

export class ScenarioIncidentsCache {
  private readonly cache = new Map<string, ScenarioIncidents>();
  constructor(
    private readonly store: Store,
    private readonly attack: AttackPort | undefined,
  ) {}

  of(exercise: string, team: string): ScenarioIncidents {
    const key = `${exercise}\n${team}`;
    let v = this.cache.get(key);
    if (!v) {
      const x = this.store.exercises.get(exercise);
      v = this.attack?.incidents?.(x.scenario, { exercise, team, seed: x.seed }) ?? { injects: [], vendor: undefined };
      this.cache.set(key, v);
    }
    return v;
  }
}
