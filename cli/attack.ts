/**
 * `enshu attack …`: dry-run plans, foreground runs, and control of a run from another
 * process through small files beside the event log (pause/resume/stop/speed).
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import {
  ConfigError,
  NotFoundError,
  createLogger,
  describeError,
  retryUntil,
  sleep,
  teamNumber,
} from '../core/index.js';
import { connectEngine } from '../orchestrator/index.js';
import { attacksFromServerLog } from './attack-status.js';
import { type AttackStepEvent, type StoredEvent, type RunnerState } from '../protocol/index.js';
import {
  planFor,
  type Plan,
  formatOffset,
  AttackRunner,
  attackDir,
  JsonlSink,
  listScenarios,
  loadScenario,
} from '../attacker/index.js';

export const DEFAULT_SCENARIO = 'a-phishing-c2-exfil';

const log = createLogger('cli/attack');

function speedArg(v: string): number {
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError('must be a positive number, e.g. 60');
  return n;
}

function teamArg(v: string, prev: string[] = []): string[] {
  for (const t of v.split(',')) {
    teamNumber(t);
    prev.push(t);
  }
  return prev;
}

function out(json: boolean | undefined, value: unknown, human: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
}

export function renderPlan(plan: Plan): string {
  const rows = plan.steps.map((s) => [
    `T+${formatOffset(s.plannedOffset)}`,
    s.id,
    s.technique,
    s.tactic,
    s.node,
    s.kind,
    [
      s.after.length ? `after ${s.after.join(',')}` : '',
      s.branchOf ? `else-branch of ${s.branchOf}` : '',
      s.else.length ? `else → ${s.else.join(',')}` : '',
    ]
      .filter(Boolean)
      .join('; '),
  ]);
  const head = ['when', 'step', 'technique', 'tactic', 'node', 'action', 'depends'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const facts = Object.entries(plan.facts)
    .map(([k, v]) => `  ${k} = ${v}`)
    .join('\n');
  return `scenario ${plan.scenario} for ${plan.team} of ${plan.exercise} (seed ${plan.seed})\nfacts:\n${facts}\n\n${line(head)}\n${rows.map(line).join('\n')}`;
}

function renderState(s: RunnerState): string {
  const lines = s.steps.map((x) =>
    `  ${x.id.padEnd(24)} ${x.status.padEnd(9)} ${x.waitingFor ?? x.reason ?? x.evidence ?? ''}`.trimEnd(),
  );
  return `${s.team} ${s.scenario} ${s.status} T+${formatOffset(s.clock)} ×${s.speed}\n${lines.join('\n')}`;
}

const stateFile = (exercise: string, team: string) => join(attackDir(exercise), `${team}.state.json`);
const controlFile = (exercise: string, team: string) => join(attackDir(exercise), `${team}.control.json`);
const eventsFile = (exercise: string) => join(attackDir(exercise), 'events.jsonl');

interface StateFile {
  pid: number;
  state: RunnerState;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readState(exercise: string, team: string): StateFile | undefined {
  const f = stateFile(exercise, team);
  if (!existsSync(f)) return undefined;
  return JSON.parse(readFileSync(f, 'utf8')) as StateFile;
}

function writeJson(file: string, value: unknown): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(value));
  renameSync(`${file}.tmp`, file);
}

type Control = {
  command: 'pause' | 'resume' | 'stop' | 'speed' | 'skip' | 'replay';
  speed?: number;
  step?: string;
  id: number;
};

/** Adds `attack` to the enshu CLI. */
export function registerAttackCommand(program: Command): void {
  const attack = program.command('attack').description('the pseudo-attacker: plan, run and control scenarios per team');
  const engineOf = async () => connectEngine(program.opts().engine as string | undefined);

  attack
    .command('list')
    .description('scenarios shipped with enshu')
    .option('--json', 'machine-readable output')
    .action((o: { json?: boolean }) => {
      const list = listScenarios();
      out(o.json, list, () =>
        list
          .map(
            (s) =>
              `${s.id.padEnd(28)} ${s.courses.join(',').padEnd(8)} ${formatOffset(s.expectedDuration).padStart(7)}  ${s.title.en}`,
          )
          .join('\n'),
      );
    });

  attack
    .command('plan')
    .description('dry run: print the plan (facts and schedule) of a scenario for a team, touching nothing')
    .requiredOption('--exercise <id>', 'exercise id')
    .requiredOption('--team <t>', 'team id, e.g. t01')
    .option('--scenario <id|file>', 'scenario id or file', DEFAULT_SCENARIO)
    .option('--seed <seed>', 'exercise seed (default: the exercise id)')
    .option('--json', 'machine-readable output')
    .action((o: { exercise: string; team: string; scenario: string; seed?: string; json?: boolean }) => {
      teamNumber(o.team);
      const plan = planFor(loadScenario(o.scenario), {
        exercise: o.exercise,
        team: o.team,
        seed: o.seed ?? o.exercise,
      });
      out(o.json, plan, () => renderPlan(plan));
    });

  attack
    .command('run')
    .description('run a scenario against one or more teams in the foreground (Ctrl-C stops and cleans up)')
    .requiredOption('--exercise <id>', 'exercise id')
    .requiredOption('--team <t>', 'team id(s), e.g. t01 or t01,t02', teamArg)
    .option('--scenario <id|file>', 'scenario id or file', DEFAULT_SCENARIO)
    .option('--seed <seed>', 'exercise seed (default: the exercise id)')
    .option('--speed <x>', 'scenario time runs x times faster', speedArg, 1)
    .option('--keep', 'leave the attack’s traces when the scenario finishes (default: clean up)')
    .option('--json', 'print events as JSON lines')
    .action(
      async (o: {
        exercise: string;
        team: string[];
        scenario: string;
        seed?: string;
        speed: number;
        keep?: boolean;
        json?: boolean;
      }) => {
        const scenario = loadScenario(o.scenario);
        const engine = await engineOf();
        const sink = new JsonlSink(eventsFile(o.exercise));
        for (const team of o.team) {
          const prev = readState(o.exercise, team);
          if (
            prev &&
            alive(prev.pid) &&
            prev.pid !== process.pid &&
            !['stopped', 'finished'].includes(prev.state.status)
          ) {
            throw new ConfigError(
              `an attack on ${team} of ${o.exercise} already runs (pid ${prev.pid}); stop it first: enshu attack stop --exercise ${o.exercise} --team ${team}`,
            );
          }
        }
        const runners = o.team.map(
          (team) =>
            new AttackRunner({
              engine,
              exercise: o.exercise,
              team,
              scenario,
              seed: o.seed ?? o.exercise,
              sink,
              speed: o.speed,
            }),
        );
        for (const r of runners) {
          rmSync(controlFile(o.exercise, r.team), { force: true });
          r.on('event', (e: StoredEvent) => {
            if (o.json) process.stdout.write(`${JSON.stringify(e)}\n`);
            else if (e.type === 'attack.step') {
              const s = e as AttackStepEvent;
              process.stdout.write(`${s.team} ${s.step.padEnd(24)} ${s.outcome.padEnd(9)} ${s.reason ?? s.evidence}\n`);
            } else process.stdout.write(`${r.team} ${e.type}\n`);
          });
          r.on('state', (s: RunnerState) => writeJson(stateFile(o.exercise, r.team), { pid: process.pid, state: s }));
        }
        let stopping = false;
        const stopAll = async () => {
          if (stopping) return;
          stopping = true;
          for (const r of runners) {
            if (r.state().status === 'stopped') continue;
            const res = await r.stop();
            if (!o.json)
              process.stdout.write(
                `${r.team} cleaned up: ${res.cleaned.length} item(s)${res.errors.length ? `, errors: ${res.errors.join('; ')}` : ''}\n`,
              );
          }
        };
        const onSignal = () => void stopAll();
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        const poll = setInterval(() => {
          for (const r of runners) {
            const f = controlFile(o.exercise, r.team);
            if (!existsSync(f)) continue;
            const c = JSON.parse(readFileSync(f, 'utf8')) as Control;
            rmSync(f, { force: true });
            try {
              if (c.command === 'pause') r.pause();
              else if (c.command === 'resume') r.resume();
              else if (c.command === 'speed') r.setSpeed(c.speed!);
              else if (c.command === 'skip') r.skip(c.step!);
              else if (c.command === 'replay') void r.replay(c.step!);
              else if (c.command === 'stop') {
                void r.stop().then((res) => {
                  if (!o.json)
                    process.stdout.write(
                      `${r.team} cleaned up: ${res.cleaned.length} item(s)${res.errors.length ? `, errors: ${res.errors.join('; ')}` : ''}\n`,
                    );
                });
              }
            } catch (err) {
              log.warn({ err, team: r.team, command: c.command }, `${r.team}: ${describeError(err)}`);
            }
            writeJson(stateFile(o.exercise, r.team), { pid: process.pid, state: r.state(), ack: c.id });
          }
        }, 250);
        try {
          for (const r of runners) await r.start();
          await Promise.all(runners.map((r) => r.done()));
          if (!o.keep) await stopAll();
        } finally {
          clearInterval(poll);
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          for (const r of runners) writeJson(stateFile(o.exercise, r.team), { pid: process.pid, state: r.state() });
        }
      },
    );

  const control = (name: Control['command'], description: string, extra?: (c: Command) => Command) => {
    let cmd = attack
      .command(name)
      .description(description)
      .requiredOption('--exercise <id>', 'exercise id')
      .requiredOption('--team <t>', 'team id(s)', teamArg)
      .option('--json', 'machine-readable output');
    if (extra) cmd = extra(cmd);
    cmd.action(async (o: { exercise: string; team: string[]; json?: boolean; speed?: number; step?: string }) => {
      const results: RunnerState[] = [];
      for (const team of o.team) {
        const st = readState(o.exercise, team);
        if (!st || !alive(st.pid) || st.state.status === 'stopped') {
          throw new NotFoundError(
            `no attack runs on ${team} of ${o.exercise} (start one with: enshu attack run --exercise ${o.exercise} --team ${team})`,
          );
        }
        const id = Date.now();
        const command: Control['command'] = name === 'resume' && o.speed ? 'speed' : name;
        writeJson(controlFile(o.exercise, team), {
          command,
          id,
          ...(o.speed ? { speed: o.speed } : {}),
          ...(o.step ? { step: o.step } : {}),
        });
        if (name === 'resume' && o.speed) {
          await sleep(400);
          writeJson(controlFile(o.exercise, team), { command: 'resume', id: id + 1 });
        }
        const state = await retryUntil(
          () => {
            const now = readState(o.exercise, team) as (StateFile & { ack?: number }) | undefined;
            const acked = now && (now.ack ?? 0) >= id;
            return (name === 'stop' ? now?.state.status === 'stopped' : acked) ? now!.state : undefined;
          },
          {
            what: `the attack process for ${team} (pid ${st.pid}) to answer ${name}`,
            timeoutMs: name === 'stop' ? 120_000 : 10_000,
            intervalMs: 200,
            context: { exercise: o.exercise, team },
          },
        );
        results.push(state);
      }
      out(o.json, results, () => results.map(renderState).join('\n'));
    });
  };
  control('pause', 'pause a running attack (its clock stops; a running action finishes)');
  control('resume', 'resume a paused attack', (c) => c.option('--speed <x>', 'new speed factor', speedArg));
  control('stop', 'stop an attack and undo its traces');
  control('skip', 'instructor: skip a step that has not run', (c) => c.requiredOption('--step <id>', 'step id'));
  control('replay', 'instructor: run a step again now', (c) => c.requiredOption('--step <id>', 'step id'));

  attack
    .command('status')
    .description('where each team’s attack stands (from the running process, or the server’s log)')
    .requiredOption('--exercise <id>', 'exercise id')
    .requiredOption('--team <t>', 'team id(s)', teamArg)
    .option('--data-dir <dir>', 'the exercise server’s data directory (attacks the server runs)', './.enshu')
    .option('--json', 'machine-readable output')
    .action((o: { exercise: string; team: string[]; dataDir: string; json?: boolean }) => {
      const list = o.team.map((t) => readState(o.exercise, t)?.state).filter((s): s is RunnerState => !!s);
      if (list.length) return out(o.json, list, () => list.map(renderState).join('\n'));
      // not run by this CLI: the exercise server runs it, and its log says where it stands
      const logged = attacksFromServerLog(o.dataDir, o.exercise, o.team) ?? [];
      out(o.json, logged, () =>
        logged.length
          ? `from the server's log in ${o.dataDir}:\n` +
            logged
              .map((s) => renderState({ ...s, seed: '', cleanups: 0, steps: s.steps as RunnerState['steps'] }))
              .join('\n')
          : `no attack state recorded for ${o.team.join(', ')} of ${o.exercise} (neither by \`enshu attack run\` nor in ${o.dataDir})`,
      );
    });

  attack
    .command('log')
    .description('the attack events of an exercise')
    .requiredOption('--exercise <id>', 'exercise id')
    .option('--team <t>', 'only this team')
    .option('--json', 'JSON output')
    .action((o: { exercise: string; team?: string; json?: boolean }) => {
      const events = JsonlSink.read(eventsFile(o.exercise)).filter(
        (e) => e.type.startsWith('attack.') && (!o.team || ('team' in e && e.team === o.team)),
      );
      out(
        o.json,
        events,
        () =>
          events
            .map((e) => {
              if (e.type !== 'attack.step') return `${e.at}  ${'team' in e ? e.team : ''}  ${e.type}`;
              const s = e as AttackStepEvent;
              return `${s.at}  ${s.team}  ${s.step.padEnd(24)} ${s.technique.padEnd(10)} ${s.outcome.padEnd(9)} ${s.reason ?? s.evidence}`;
            })
            .join('\n') || 'no attack events',
      );
    });
}
