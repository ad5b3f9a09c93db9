/**
 * The vendor (A Solutions, 運用支援) as a partner: a team asks about one of the scenario's topics
 * (`vendor.asked`), and the scripted answer comes after the topic's delay in scenario time at the
 * exercise's speed (`vendor.answered`) — late, or wrong, where the scenario says so. What is due
 * is worked out from the log, so a restart answers what came due meanwhile, never twice.
 */
import { randomUUID } from 'node:crypto';
import type {
  StoredEvent,
  VendorAnsweredEvent,
  VendorAskedEvent,
  VendorQuestion,
  VendorTopic,
} from '../../protocol/index.js';
import { VendorQuestionSchema } from '../../protocol/index.js';
import type { Store } from '../store/index.js';
import { ConflictError, ValidationError } from '../store/index.js';
import type { ScenarioIncidentsCache } from './scenario-incidents.js';
import { TeamTimers } from './team-timers.js';

export class VendorDesk {
  private readonly timers = new TeamTimers((ex, team) => this.consider(ex, team));

  constructor(
    private readonly store: Store,
    private readonly scenario: ScenarioIncidentsCache,
    private readonly now: () => Date,
  ) {}

  /** What a team may ask about (titles only). */
  topics(exercise: string, team: string): VendorTopic[] {
    return (this.scenario.of(exercise, team).vendor?.topics ?? []).map((t) => ({ id: t.id, title: t.title }));
  }

  ask(exercise: string, team: string, by: string, body: VendorQuestion): { id: string } {
    const q = VendorQuestionSchema.parse(body);
    const x = this.store.exercises.get(exercise);
    if (x.state !== 'running' && x.state !== 'paused')
      throw new ConflictError(`the vendor answers only while the exercise runs (it is ${x.state})`);
    const vendor = this.scenario.of(exercise, team).vendor;
    if (!vendor?.topics.some((t) => t.id === q.topic))
      throw new ValidationError(`the vendor has no topic "${q.topic}"`, { topic: q.topic });
    const id = `vq-${randomUUID().slice(0, 8)}`;
    this.store.events.append({
      type: 'vendor.asked',
      exercise,
      team,
      at: this.now().toISOString(),
      id,
      by,
      topic: q.topic,
      question: q.question,
    });
    this.consider(exercise, team);
    return { id };
  }

  onEvent(e: StoredEvent): void {
    if (e.type === 'exercise.resumed' || e.type === 'exercise.started')
      for (const t of this.store.exercises.teams(e.exercise)) this.consider(e.exercise, t.id);
  }

  /** Answers the team's questions that are due and sets a timer for the next. */
  consider(exercise: string, team: string): void {
    const x = this.store.exercises.find(exercise);
    if (!x || x.state !== 'running') return;
    const vendor = this.scenario.of(exercise, team).vendor;
    if (!vendor) return;
    const events = this.store.events.list(exercise).filter((e) => 'team' in e && e.team === team);
    const answered = new Set(
      events.filter((e) => e.type === 'vendor.answered').map((e) => (e as VendorAnsweredEvent).id),
    );
    const now = this.now().getTime();
    let next: number | undefined;
    for (const e of events) {
      if (e.type !== 'vendor.asked' || answered.has((e as VendorAskedEvent).id)) continue;
      const q = e as VendorAskedEvent;
      const topic = vendor.topics.find((t) => t.id === q.topic);
      if (!topic) continue;
      const due = Date.parse(q.at) + ((topic.delay ?? vendor.delay) * 1000) / Math.max(x.speed, 0.001);
      if (due > now) {
        next = Math.min(next ?? Infinity, due);
        continue;
      }
      this.store.events.append({
        type: 'vendor.answered',
        exercise,
        team,
        at: this.now().toISOString(),
        id: q.id,
        topic: q.topic,
        answer: topic.answer,
        accurate: topic.accurate,
      });
    }
    this.timers.set(exercise, team, next === undefined ? undefined : next - now);
  }

  close(): void {
    this.timers.clear();
  }
}
