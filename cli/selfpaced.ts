/**
 * `enshu selfpaced …`: self-paced windows of the online courses, through a running `enshu serve`
 * (REST, docs/api.md "Self-paced"). Instructors open, list and close windows; a trainee (or a
 * script standing in for one) registers with a window code and drives their own clock.
 *
 * Staff sign in with --user and the password in ENSHU_PASSWORD; a trainee's commands take the
 * token `register` printed (--token or ENSHU_TOKEN).
 */
import { InvalidArgumentError, type Command } from 'commander';
import { COURSE_IDS, type SelfPacedSeat, type SelfPacedWindow } from '../protocol/index.js';
import { ConfigError, EnshuError } from '../core/index.js';

interface Conn {
  url: string;
  json: boolean;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}

function isoTime(v: string): string {
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new InvalidArgumentError('must be a date and time, e.g. 2026-12-01T09:00+09:00');
  return new Date(t).toISOString();
}

async function call<T>(c: Conn, method: 'GET' | 'POST', path: string, body?: unknown, token?: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(new URL(path, c.url), {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (err) {
    throw new EnshuError(`cannot reach the exercise server at ${c.url}: ${(err as Error).message}`);
  }
  const text = await res.text();
  const parsed = (text ? JSON.parse(text) : {}) as T & { error?: string };
  if (!res.ok) throw new EnshuError(`${method} ${path}: ${res.status} ${parsed.error ?? text}`);
  return parsed;
}

async function staffToken(c: Conn, user: string): Promise<string> {
  const password = process.env.ENSHU_PASSWORD;
  if (!password) throw new ConfigError('set ENSHU_PASSWORD to the password of --user');
  return (await call<{ token: string }>(c, 'POST', '/api/auth/login', { user, password })).token;
}

function traineeToken(o: { token?: string }): string {
  const t = o.token ?? process.env.ENSHU_TOKEN;
  if (!t) throw new ConfigError('give --token (or ENSHU_TOKEN): the token `enshu selfpaced register` printed');
  return t;
}

const out = (c: Conn, value: unknown, human: () => string) =>
  process.stdout.write(c.json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);

const seatLine = (s: SelfPacedSeat) =>
  `${s.exercise} ${s.name}: ${s.status}${s.queuePosition ? ` (queue ${s.queuePosition})` : ''}, ${Math.floor(s.elapsedMinutes)}/${s.durationMinutes} min`;

function windowText(w: SelfPacedWindow): string {
  return [
    `${w.id} ${w.course} (${w.scenario}) ${w.open ? 'open' : 'closed'} ${w.opensAt} – ${w.closesAt}`,
    `  code ${w.code}, ${w.counts.active} running of ${w.capacity}, ${w.counts.queued} queued, ${w.counts.done} done, idle limit ${w.idleMinutes} min`,
    ...w.seats.map((s) => `  ${seatLine(s)}`),
  ].join('\n');
}

export function registerSelfPacedCommand(program: Command): void {
  const sp = program
    .command('selfpaced')
    .description('self-paced windows of the online courses, through a running enshu serve');
  const conn = (cmd: Command) =>
    cmd
      .option('--url <url>', 'the exercise server', process.env.ENSHU_URL ?? 'http://127.0.0.1:8080')
      .option('--json', 'print JSON');
  const staff = (cmd: Command) => conn(cmd).option('--user <name>', 'instructor (password in ENSHU_PASSWORD)', 'admin');

  staff(sp.command('open'))
    .description('open a window for an online course; prints its code for the trainees')
    .requiredOption('--window <id>', 'window id (lower-case letters, digits, "-")')
    .requiredOption('--course <id>', `online course (${COURSE_IDS.filter((c) => c.startsWith('online')).join(', ')})`)
    .option('--scenario <id>', 'scenario (default: the first the course file names)')
    .option('--opens <time>', 'when registration opens (default now)', isoTime)
    .requiredOption('--closes <time>', 'when registration closes', isoTime)
    .requiredOption('--capacity <n>', 'ranges of this window at once', positiveInt)
    .option('--idle <minutes>', 'tear a range down after this many idle minutes', positiveInt, 30)
    .option('--speed <x>', 'attack speed', Number, 1)
    .action(
      async (
        o: Conn & {
          user: string;
          window: string;
          course: string;
          scenario?: string;
          opens?: string;
          closes: string;
          capacity: number;
          idle: number;
          speed: number;
        },
      ) => {
        const token = await staffToken(o, o.user);
        const { window } = await call<{ window: SelfPacedWindow }>(
          o,
          'POST',
          '/api/selfpaced/windows',
          {
            id: o.window,
            course: o.course,
            ...(o.scenario ? { scenario: o.scenario } : {}),
            opensAt: o.opens ?? new Date().toISOString(),
            closesAt: o.closes,
            capacity: o.capacity,
            idleMinutes: o.idle,
            speed: o.speed,
          },
          token,
        );
        out(o, { window }, () => windowText(window));
      },
    );

  staff(sp.command('list'))
    .description('windows, their seats and the host’s range limit')
    .action(async (o: Conn & { user: string }) => {
      const token = await staffToken(o, o.user);
      const r = await call<{ windows: SelfPacedWindow[]; host: { maxRanges: number; active: number; queued: number } }>(
        o,
        'GET',
        '/api/selfpaced/windows',
        undefined,
        token,
      );
      out(o, r, () =>
        [
          `host: ${r.host.active} of ${r.host.maxRanges} ranges in use, ${r.host.queued} queued`,
          ...r.windows.map(windowText),
        ].join('\n'),
      );
    });

  staff(sp.command('close'))
    .description('close a window now (queued seats expire, running ones go on)')
    .argument('<window>')
    .action(async (window: string, o: Conn & { user: string }) => {
      const token = await staffToken(o, o.user);
      const r = await call<{ window: SelfPacedWindow }>(
        o,
        'POST',
        `/api/selfpaced/windows/${encodeURIComponent(window)}/close`,
        {},
        token,
      );
      out(o, r, () => windowText(r.window));
    });

  conn(sp.command('register'))
    .description('register in a window with its code; prints the trainee token and the seat')
    .requiredOption('--code <code>', 'the window code')
    .requiredOption('--name <name>', 'the trainee’s name')
    .action(async (o: Conn & { code: string; name: string }) => {
      const r = await call<{ token: string; joinCode: string; seat: SelfPacedSeat }>(
        o,
        'POST',
        '/api/selfpaced/register',
        {
          code: o.code,
          name: o.name,
        },
      );
      out(o, r, () => `${seatLine(r.seat)}\ntoken ${r.token}\njoin code ${r.joinCode}`);
    });

  for (const [verb, what] of [
    ['seat', 'the trainee’s seat: state, queue position, clock'],
    ['start', 'start (or resume) the trainee’s clock'],
    ['pause', 'pause the trainee’s clock'],
    ['finish', 'finish: the exercise ends and the range is torn down'],
  ] as const) {
    conn(sp.command(verb))
      .description(what)
      .option('--token <token>', 'the token `register` printed (or ENSHU_TOKEN)')
      .action(async (o: Conn & { token?: string }) => {
        const r =
          verb === 'seat'
            ? await call<{ seat: SelfPacedSeat }>(o, 'GET', '/api/selfpaced/me', undefined, traineeToken(o))
            : await call<{ seat: SelfPacedSeat }>(o, 'POST', `/api/selfpaced/me/${verb}`, {}, traineeToken(o));
        out(o, r, () => seatLine(r.seat));
      });
  }
}
