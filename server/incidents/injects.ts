/**
 * Injects: messages from outside reaching a team — from the scenario at its time (after a step
 * succeeded, or at a scenario second), or sent by an instructor to one team or all. Each is an
 * `inject.sent` event; what is due is worked out from the log, so a restarted server sends what
 * came due while it was down and nothing twice.
 */
import { randomUUID } from 'node:crypto';
import type { InjectEvent, InjectRequest, StoredEvent } from '../../protocol/index.js';
import { InjectRequestSchema } from '../../protocol/index.js';
import type { Store } from '../store/index.js';
import { ValidationError } from '../store/index.js';
import type { ScenarioIncidentsCache } from './scenario-incidents.js';
import { attackAnchor, wallAt } from './timing.js';
import { TeamTimers } from './team-timers.js';

export class InjectService {
  private readonly timers = new TeamTimers((ex, team) => this.consider(ex, team));

  constructor(
    private readonly store: Store,
    private readonly scenario: ScenarioIncidentsCache,
    private readonly now: () => Date,
  ) {}

  /** An instructor's inject to the teams it names (or all); one event per team. */
  send(exercise: string, body: InjectRequest, by: string): { team: string; id: string }[] {
    const r = InjectRequestSchema.parse(body);
    const all = this.store.exercises.teams(exercise).map((t) => t.id);
    const teams = r.teams === 'all' ? all : r.teams;
    for (const t of teams)
      if (!all.includes(t)) throw new ValidationError(`no team ${t} in exercise ${exercise}`, { team: t });
    const ja = r.message.ja?.trim() || r.message.en!.trim();
    const en = r.message.en?.trim() || ja;
    const id = `inj-${randomUUID().slice(0, 8)}`;
    return teams.map((team) => {
      this.store.events.append({
        type: 'inject.sent',
        exercise,
        team,
        at: this.now().toISOString(),
        id,
        kind: r.kind,
        from: r.from,
        message: { ja, en },
        source: 'instructor',
        by,
        ...(r.expect ? { expect: r.expect } : {}),
      } as InjectEvent);
      return { team, id };
    });
  }

  /** Attack events move the scenario's clock: look again at what is due. */
  onEvent(e: StoredEvent): void {
    if ('team' in e && e.type.startsWith('attack.')) this.consider(e.exercise, e.team);
  }

  /** Sends the scenario injects of `team` that are due and sets a timer for the next one. */
  consider(exercise: string, team: string): void {
    const x = this.store.exercises.find(exercise);
    if (!x || (x.state !== 'running' && x.state !== 'paused')) return;
    const { injects } = this.scenario.of(exercise, team);
    if (!injects.length) return;
    const events = this.store.events.list(exercise);
    const a = attackAnchor(events, team);
    if (!a || a.ended) return;
    const sent = new Set(
      events.filter((e) => e.type === 'inject.sent' && e.team === team).map((e) => (e as InjectEvent).id),
    );
    const now = this.now().getTime();
    let next: number | undefined;
    for (const i of injects) {
      const id = `sc-${i.id}`;
      if (sent.has(id)) continue;
      let clock: number | undefined;
      if ('at' in i.when) clock = i.when.at;
      else if (i.when.after.every((s) => a.succeeded.has(s)))
        clock = Math.max(...i.when.after.map((s) => a.succeeded.get(s)!)) + i.when.delay;
      if (clock === undefined) continue;
      const due = wallAt(a, clock, x.speed);
      if (due === undefined) continue;
      if (due > now) {
        next = Math.min(next ?? Infinity, due);
        continue;
      }
      this.store.events.append({
        type: 'inject.sent',
        exercise,
        team,
        at: this.now().toISOString(),
        id,
        kind: i.kind,
        from: i.from,
        message: i.message,
        source: 'scenario',
        ...(i.expect
          ? {
              expect: {
                kind: i.expect.kind,
                ...(i.expect.recipient ? { recipient: i.expect.recipient } : {}),
                withinMinutes: Math.max(i.expect.within / 60 / Math.max(x.speed, 0.001), 0.1),
                points: i.expect.points,
              },
            }
          : {}),
      } as InjectEvent);
    }
    this.timers.set(exercise, team, next === undefined ? undefined : next - now);
  }

  close(): void {
    this.timers.clear();
  }
}
