/**
 * `enshu attack status` for attacks the exercise server runs: their runners live in the server's
 * memory, so the command reads where each team's attack stands from the server's event log
 * (`--data-dir`, the store `enshu serve` writes), read-only.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AttackStepEvent, RunnerStatus, StoredEvent } from '../protocol/index.js';
import { DB_FILE, openStore } from '../server/index.js';

export interface LoggedAttack {
  exercise: string;
  team: string;
  scenario: string;
  status: RunnerStatus;
  /** scenario seconds when the last step ended */
  clock: number;
  speed: number;
  steps: { id: string; status: string; reason?: string; evidence?: string }[];
  /** where the state comes from */
  source: 'server-log';
}

const CONTROL_STATUS: Record<string, RunnerStatus> = {
  'attack.started': 'running',
  'attack.resumed': 'running',
  'attack.restored': 'running',
  'attack.paused': 'paused',
  'attack.suspended': 'suspended',
  'attack.stopped': 'stopped',
  'attack.finished': 'finished',
};

/** The attack of each team as the server's log tells it; undefined when there is no store there. */
export function attacksFromServerLog(dataDir: string, exercise: string, teams: string[]): LoggedAttack[] | undefined {
  if (!existsSync(join(dataDir, DB_FILE))) return undefined;
  const store = openStore(dataDir);
  try {
    const row = store.exercises.list().find((x) => x.id === exercise);
    if (!row) return [];
    const events = store.events.list(exercise);
    return teams.flatMap((team) => fold(events, team, row.scenario, row.speed, row.state));
  } finally {
    store.close();
  }
}

function fold(events: StoredEvent[], team: string, scenario: string, speed: number, state: string): LoggedAttack[] {
  const mine = events.filter((e) => 'team' in e && e.team === team && e.type.startsWith('attack.'));
  if (!mine.length) return [];
  let status: RunnerStatus = 'idle';
  let clock = 0;
  const steps = new Map<string, LoggedAttack['steps'][number]>();
  for (const e of mine) {
    if (CONTROL_STATUS[e.type]) status = CONTROL_STATUS[e.type]!;
    if (e.type === 'attack.speed' && 'speed' in e && typeof e.speed === 'number') speed = e.speed;
    if (e.type === 'attack.step') {
      const s = e as AttackStepEvent;
      steps.set(s.step, {
        id: s.step,
        status: s.outcome,
        ...(s.reason ? { reason: s.reason } : {}),
        ...(s.evidence ? { evidence: s.evidence.slice(0, 120) } : {}),
      });
      if (s.endClock !== undefined) clock = Math.max(clock, s.endClock);
    }
  }
  // an exercise the instructor paused holds every attack
  if (state === 'paused' && status === 'running') status = 'paused';
  return [
    {
      exercise: mine[0]!.exercise,
      team,
      scenario,
      status,
      clock,
      speed,
      steps: [...steps.values()],
      source: 'server-log',
    },
  ];
}
