import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { COURSE_IDS } from '../protocol/index.js';
import {
  connectEngine,
  ensureImages,
  listRoles,
  RangeManager,
  type ExerciseStatus,
  loadTopology,
  loadTopologyById,
  topologyForCourse,
} from '../orchestrator/index.js';
import { ConfigError, createLogger, describeError } from '../core/index.js';
import { imageProgress, rangeProgress } from './progress.js';
import { renderStatus } from './render.js';
import { registerAttackCommand } from './attack.js';
import { registerSelfPacedCommand } from './selfpaced.js';

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}

function print(json: boolean, value: unknown, human: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
}

export function buildCli(): Command {
  const program = new Command('enshu')
    .description('CYDER-style cyber defense exercises on Docker')
    .option(
      '--engine <endpoint>',
      'container engine (unix://…, tcp://…, ssh://…); default DOCKER_HOST or the local socket',
    )
    .showHelpAfterError()
    .exitOverride();

  const engine = async () => connectEngine(program.opts().engine);

  program
    .command('images')
    .description('build the base and role images that are missing (never pulls)')
    .option('--force', 'rebuild even when an image with the same content hash exists')
    .option('--role <role...>', 'only these roles')
    .option('--json', 'machine-readable output')
    .action(async (o: { force?: boolean; role?: string[]; json?: boolean }) => {
      const e = await engine();
      const roles = o.role ?? listRoles();
      const bar = o.json ? undefined : imageProgress(roles.length + 2);
      const started = Date.now();
      try {
        const tags = await ensureImages(e, { roles, force: !!o.force, ...(bar ? { onEvent: bar.onEvent } : {}) });
        bar?.stop();
        print(!!o.json, { images: tags, seconds: (Date.now() - started) / 1000 }, () =>
          Object.entries(tags)
            .map(([r, t]) => `${r.padEnd(12)} ${t}`)
            .join('\n'),
        );
      } finally {
        bar?.stop();
      }
    });

  program
    .command('up')
    .description('bring up (or converge) one isolated range per team')
    .requiredOption('--course <id>', `course id (${COURSE_IDS.join(', ')})`)
    .requiredOption('--teams <n>', 'number of teams', positiveInt)
    .option('--exercise <id>', 'exercise id', 'demo')
    .option('--topology <id|file>', 'use this topology instead of the course’s')
    .option('--seed <seed>', 'seed of the per-team facts (staff, passwords, documents); default: the exercise id')
    .option('--concurrency <n>', 'containers created at once', positiveInt, 4)
    .option('--json', 'machine-readable output')
    .action(
      async (o: {
        course: string;
        teams: number;
        exercise: string;
        topology?: string;
        seed?: string;
        concurrency: number;
        json?: boolean;
      }) => {
        const topology = o.topology
          ? o.topology.endsWith('.yaml')
            ? loadTopology(o.topology)
            : loadTopologyById(o.topology)
          : topologyForCourse(o.course);
        const e = await engine();
        const bar = o.json ? undefined : rangeProgress();
        const started = Date.now();
        try {
          const status = await new RangeManager(e).up({
            exercise: o.exercise,
            topology,
            teams: o.teams,
            concurrency: o.concurrency,
            ...(o.seed ? { seed: o.seed } : {}),
            ...(bar ? { onProgress: bar.onProgress } : {}),
          });
          bar?.stop();
          print(
            !!o.json,
            { ...status, seconds: (Date.now() - started) / 1000 },
            () =>
              `${renderStatus([status])}\nall ${o.teams} team(s) healthy in ${((Date.now() - started) / 1000).toFixed(1)}s`,
          );
        } finally {
          bar?.stop();
        }
      },
    );

  program
    .command('status')
    .description('show exercises, teams and node health')
    .option('--exercise <id>', 'only this exercise')
    .option('--json', 'machine-readable output')
    .action(async (o: { exercise?: string; json?: boolean }) => {
      const list: ExerciseStatus[] = await new RangeManager(await engine()).status(o.exercise);
      print(!!o.json, list, () => (list.length ? renderStatus(list) : 'no exercises running'));
    });

  program
    .command('reset')
    .description('put a node, or a whole team, back to its image’s clean state')
    .requiredOption('--exercise <id>', 'exercise id')
    .requiredOption('--team <t>', 'team id, e.g. t01')
    .option('--node <name>', 'only this node')
    .option('--json', 'machine-readable output')
    .action(async (o: { exercise: string; team: string; node?: string; json?: boolean }) => {
      const bar = o.json ? undefined : rangeProgress();
      try {
        await new RangeManager(await engine()).reset({
          exercise: o.exercise,
          team: o.team,
          ...(o.node ? { node: o.node } : {}),
          ...(bar ? { onProgress: bar.onProgress } : {}),
        });
      } finally {
        bar?.stop();
      }
      print(
        !!o.json,
        { reset: { exercise: o.exercise, team: o.team, node: o.node ?? null } },
        () => `reset ${o.team}${o.node ? `/${o.node}` : ''} of ${o.exercise}: healthy`,
      );
    });

  program
    .command('down')
    .description('remove an exercise’s containers, networks and host rules')
    .option('--exercise <id>', 'exercise id')
    .option('--all', 'every enshu exercise on the engine')
    .option('--json', 'machine-readable output')
    .action(async (o: { exercise?: string; all?: boolean; json?: boolean }) => {
      if (!o.exercise && !o.all) throw new ConfigError('say which: --exercise <id> or --all');
      const r = await new RangeManager(await engine()).down(o.all ? {} : { exercise: o.exercise! });
      print(!!o.json, r, () => `removed ${r.containers} containers, ${r.networks} networks, ${r.hostRules} host rules`);
    });

  program
    .command('topology')
    .description('check a topology file and print its plan for a team')
    .argument('<file>', 'topology YAML')
    .option('--json', 'machine-readable output')
    .action(async (file: string, o: { json?: boolean }) => {
      const t = loadTopology(file);
      print(!!o.json, t, () => `${file}: ok — ${t.segments.length} segments, ${t.nodes.length} nodes`);
    });

  registerAttackCommand(program);
  registerSelfPacedCommand(program);

  program
    .command('serve')
    .description('run the exercise server: REST API and live sockets on one port')
    .option('--port <n>', 'port', positiveInt, 8080)
    .option('--host <addr>', 'address to listen on (0.0.0.0 inside a container)', '127.0.0.1')
    .option('--data-dir <dir>', 'directory of the event store', './.enshu')
    .option('--ssh-port <n>', "port of the SSH gateway into the teams' nodes", positiveInt, 2222)
    .option('--ssh-host <addr>', 'address the SSH gateway listens on (default: --host)')
    .option('--no-ssh', 'run without the SSH gateway')
    .option(
      '--self-paced-ranges <n>',
      'self-paced ranges this host builds at once (default ENSHU_SELFPACED_RANGES, else 4)',
      positiveInt,
    )
    .option('--tls-cert <file>', 'PEM certificate: serve HTTPS and WSS on --port (with --tls-key)')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option(
      '--trust-proxy <addr>',
      'reverse proxy address(es)/subnets whose X-Forwarded-For is believed, comma-separated (default ENSHU_TRUST_PROXY; none)',
    )
    .action(
      async (o: {
        port: number;
        host: string;
        dataDir: string;
        sshPort: number;
        ssh: boolean;
        sshHost?: string;
        tlsCert?: string;
        tlsKey?: string;
        trustProxy?: string;
        selfPacedRanges?: number;
      }) => {
        const { serve } = await import('../server/index.js');
        const { ssh, sshPort, ...rest } = o;
        await serve({
          ...rest,
          sshPort: ssh ? sshPort : false,
          ...(program.opts().engine ? { engine: program.opts().engine as string } : {}),
        });
      },
    );

  return program;
}

const log = createLogger('cli');

/**
 * Runs the CLI; returns the exit code. Errors are one clear line, never a stack trace; the stack
 * is in the log at debug level (ENSHU_LOG_LEVEL=debug or ENSHU_DEBUG=1).
 */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildCli().parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    process.stderr.write(`enshu: ${describeError(err)}\n`);
    log.debug({ err }, `command failed: ${describeError(err)}`);
    return 1;
  }
}
