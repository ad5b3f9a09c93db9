/**
 * The diagnostics of enshu's node code: one pino logger, a child per component
 * (`createLogger('server/ssh')` binds `component: "server/ssh"`), written to **stderr** — stdout
 * belongs to the CLI's own output (tables, `--json` documents).
 *
 *   ENSHU_LOG_LEVEL   fatal | error | warn | info | debug | trace | silent
 *                     default info; debug with ENSHU_DEBUG set; warn under a test runner
 *                     (NODE_ENV=test, VITEST or node's test runner) so test output stays quiet
 *   ENSHU_LOG_FORMAT  json | pretty
 *                     default: readable lines when stderr is a terminal, JSON lines otherwise
 *                     (the server in a container or under a supervisor)
 *
 * Writes are synchronous (no worker thread, no buffer), so the last line before a crash or a
 * `process.exit` is never lost. Log errors as `log.error({ err }, 'what failed')`: the `err`
 * serializer keeps type, message, stack and our errors' `context`.
 *
 * This is for diagnostics only: what a command deliberately shows its user (progress lines, tables,
 * `enshu: <error>`) is written by the CLI itself.
 */
import { createRequire } from 'node:module';
import { pino, type DestinationStream, type LevelWithSilent, type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';

export type { Logger } from 'pino';

export type LogFormat = 'json' | 'pretty';

export interface LogSettings {
  level: LevelWithSilent;
  format: LogFormat;
  /** ANSI colours in pretty lines (a terminal, and NO_COLOR unset) */
  colorize: boolean;
  /** settings that were ignored, to be logged as warnings once the logger exists */
  notes: string[];
}

const LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const FORMATS: readonly LogFormat[] = ['json', 'pretty'];

/** Whether a test runner started this process (or its parent): tests are quiet unless asked. */
function underTest(env: NodeJS.ProcessEnv): boolean {
  return env.NODE_ENV === 'test' || !!env.VITEST || !!env.NODE_TEST_CONTEXT;
}

/** Level and format from the environment; pure, so the choice can be tested. */
export function logSettings(env: NodeJS.ProcessEnv = process.env, stderrIsTTY = !!process.stderr.isTTY): LogSettings {
  const notes: string[] = [];
  const fallbackLevel: LevelWithSilent = env.ENSHU_DEBUG ? 'debug' : underTest(env) ? 'warn' : 'info';
  let level: LevelWithSilent = fallbackLevel;
  const askedLevel = env.ENSHU_LOG_LEVEL?.trim().toLowerCase();
  if (askedLevel) {
    if ((LEVELS as readonly string[]).includes(askedLevel)) level = askedLevel as LevelWithSilent;
    else
      notes.push(
        `ENSHU_LOG_LEVEL=${env.ENSHU_LOG_LEVEL} is not one of ${LEVELS.join(', ')}; logging at ${fallbackLevel}`,
      );
  }
  const fallbackFormat: LogFormat = stderrIsTTY ? 'pretty' : 'json';
  let format: LogFormat = fallbackFormat;
  const askedFormat = env.ENSHU_LOG_FORMAT?.trim().toLowerCase();
  if (askedFormat) {
    if ((FORMATS as readonly string[]).includes(askedFormat)) format = askedFormat as LogFormat;
    else
      notes.push(
        `ENSHU_LOG_FORMAT=${env.ENSHU_LOG_FORMAT} is not one of ${FORMATS.join(', ')}; writing ${fallbackFormat}`,
      );
  }
  return { level, format, colorize: format === 'pretty' && stderrIsTTY && env.NO_COLOR === undefined, notes };
}

const requireCjs = createRequire(import.meta.url);

/**
 * A root logger with these settings, writing to `destination` (default: stderr, synchronously).
 * Tests pass a stream to read what was logged.
 */
export function buildLogger(
  s: Pick<LogSettings, 'level' | 'format'> & { colorize?: boolean },
  destination?: DestinationStream | NodeJS.WritableStream,
): Logger {
  const options = { level: s.level, timestamp: pino.stdTimeFunctions.isoTime };
  if (s.format === 'pretty') {
    // loaded only when used: the server's JSON lines do without it
    const pretty = requireCjs('pino-pretty') as typeof PinoPretty;
    const stream = pretty({
      destination: destination ?? 2,
      sync: true,
      colorize: s.colorize ?? false,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,component',
      messageFormat: '{if component}{component}: {end}{msg}',
      // fields on the message's line; an error's stack still gets its own lines
      singleLine: true,
    });
    return pino(options, stream);
  }
  return pino(options, (destination as DestinationStream | undefined) ?? pino.destination({ dest: 2, sync: true }));
}

let root: Logger | undefined;

/** The process's root logger, made from the environment on first use. */
export function rootLogger(): Logger {
  if (!root) {
    const s = logSettings();
    root = buildLogger(s);
    for (const note of s.notes) root.warn(note);
  }
  return root;
}

/** A logger for one component (`server`, `server/ssh`, `cli`…): every line carries `component`. */
export function createLogger(component: string, bindings: Record<string, unknown> = {}): Logger {
  return rootLogger().child({ ...bindings, component });
}
