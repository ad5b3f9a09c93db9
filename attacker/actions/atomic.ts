/**
 * Atomic Red Team import: runs one Linux test of an atomics YAML file (its executor command
 * with `#{input}` arguments filled), and its cleanup_command on stop. Tests for other platforms
 * or executors cannot run in a Debian range and are skipped with the reason.
 */
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { loadYamlFile, repoRoot } from '../../core/index.js';
import { defineAction, type Cleanup, type CleanupContext } from './types.js';
import { digest } from './util.js';

const AtomicTestSchema = z
  .object({
    name: z.string(),
    auto_generated_guid: z.string().optional(),
    description: z.string().optional(),
    supported_platforms: z.array(z.string()),
    input_arguments: z
      .record(
        z
          .object({
            description: z.string().optional(),
            type: z.string().optional(),
            default: z.union([z.string(), z.number(), z.boolean()]).nullable().optional(),
          })
          .passthrough(),
      )
      .nullable()
      .optional(),
    executor: z
      .object({
        name: z.string(),
        command: z.string().optional(),
        cleanup_command: z.string().nullable().optional(),
        elevation_required: z.boolean().optional(),
      })
      .passthrough(),
  })
  .passthrough();

export const AtomicFileSchema = z
  .object({
    attack_technique: z.string(),
    display_name: z.string(),
    atomic_tests: z.array(AtomicTestSchema).min(1),
  })
  .passthrough();

export type AtomicTest = z.output<typeof AtomicTestSchema>;

export function loadAtomic(file: string) {
  return loadYamlFile(file, AtomicFileSchema);
}

export function findAtomicTest(tests: AtomicTest[], selector: string | number): AtomicTest | undefined {
  if (typeof selector === 'number') return tests[selector - 1];
  return tests.find((t) => t.name === selector || t.auto_generated_guid === selector);
}

/** Why a test cannot run in a Linux range, or undefined if it can. */
export function unsupportedReason(t: AtomicTest): string | undefined {
  if (!t.supported_platforms.map((x) => x.toLowerCase()).includes('linux')) {
    return `atomic test "${t.name}" supports ${t.supported_platforms.join(', ')}, not linux`;
  }
  const ex = t.executor.name.toLowerCase();
  if (ex !== 'sh' && ex !== 'bash')
    return `atomic test "${t.name}" uses the ${t.executor.name} executor; only sh and bash run in the range`;
  if (!t.executor.command) return `atomic test "${t.name}" has no executor command (manual test)`;
  return undefined;
}

/** Fills `#{name}` with the given arguments or the test's defaults; unknown names are an error. */
export function fillAtomic(command: string, t: AtomicTest, args: Record<string, string>): string {
  return command.replace(/#\{([A-Za-z0-9_-]+)\}/g, (whole, name: string) => {
    if (name in args) return args[name]!;
    const d = t.input_arguments?.[name]?.default;
    if (d !== undefined && d !== null) return String(d);
    throw new Error(`atomic test "${t.name}" needs input argument ${name} and it has no default`);
  });
}

export const atomicAction = defineAction({
  kind: 'atomic',
  summary: 'run a Linux test of an Atomic Red Team YAML file on this node (cleanup_command on stop)',
  params: z
    .object({
      /** atomics YAML, relative to the scenario file or the repository */
      file: z.string().min(1),
      /** test name, guid, or 1-based number in the file */
      test: z.union([z.string().min(1), z.number().int().min(1)]),
      args: z.record(z.union([z.string(), z.number()]).transform(String)).default({}),
      /** user for tests that do not need elevation */
      user: z.string().optional(),
      timeout: z.number().min(1).max(600).default(60),
    })
    .strict(),
  cleanupOf(ctx, p) {
    const found = resolveAtomic(ctx.baseDir, p);
    if ('error' in found || unsupportedReason(found.t)) return undefined;
    try {
      return atomicCleanup(ctx, p, found.file.attack_technique, found.t);
    } catch {
      return undefined;
    }
  },
  async run(ctx, p) {
    const found = resolveAtomic(ctx.baseDir, p);
    if ('error' in found) return { outcome: 'failed', reason: found.error, evidence: '' };
    const { file, t } = found;
    const why = unsupportedReason(t);
    if (why)
      return { outcome: 'skipped', reason: why, evidence: `${file.attack_technique} ${t.auto_generated_guid ?? ''}` };
    let command: string;
    let cleanup: Cleanup | undefined;
    try {
      command = fillAtomic(t.executor.command!, t, p.args);
      cleanup = atomicCleanup(ctx, p, file.attack_technique, t);
    } catch (err) {
      return { outcome: 'failed', reason: (err as Error).message, evidence: '' };
    }
    const shell = t.executor.name.toLowerCase() === 'bash' ? 'bash' : 'sh';
    const user = t.executor.elevation_required ? undefined : p.user;
    const r = await ctx.range.run(ctx.node, [shell, '-c', command], {
      timeoutMs: p.timeout * 1000,
      ...(user ? { user } : {}),
    });
    const out = r.stdout + r.stderr;
    return {
      outcome: r.exitCode === 0 ? 'succeeded' : 'failed',
      ...(r.exitCode === 0
        ? {}
        : {
            reason: `atomic ${file.attack_technique} "${t.name}" exited ${r.exitCode}: ${r.stderr.trim().split('\n').pop() ?? ''}`,
          }),
      evidence: digest(
        `atomic ${file.attack_technique} "${t.name}" (${t.auto_generated_guid ?? 'no guid'}) on ${ctx.node}${user ? ` as ${user}` : ''}`,
        out,
      ),
      output: out,
      ...(cleanup ? { cleanup } : {}),
    };
  },
});

type AtomicParams = {
  file: string;
  test: string | number;
  args: Record<string, string>;
  user?: string | undefined;
  timeout: number;
};

/** The atomics file (next to the scenario or in the repository) and the test of it the step names. */
function resolveAtomic(
  baseDir: string,
  p: AtomicParams,
): { file: ReturnType<typeof loadAtomic>; t: AtomicTest } | { error: string } {
  const candidates = isAbsolute(p.file) ? [p.file] : [join(baseDir, p.file), join(repoRoot, p.file)];
  let file: ReturnType<typeof loadAtomic> | undefined;
  let lastErr: unknown;
  for (const c of candidates) {
    try {
      file = loadAtomic(c);
      break;
    } catch (err) {
      lastErr = err;
    }
  }
  if (!file) return { error: `atomic file ${p.file}: ${(lastErr as Error).message}` };
  const t = findAtomicTest(file.atomic_tests, p.test);
  if (!t)
    return {
      error: `${file.attack_technique}: no atomic test "${p.test}" (has: ${file.atomic_tests.map((x) => x.name).join('; ')})`,
    };
  return { file, t };
}

/** The test's cleanup_command with the step's arguments, as the same user and shell; throws on a missing argument. */
function atomicCleanup(ctx: CleanupContext, p: AtomicParams, technique: string, t: AtomicTest): Cleanup | undefined {
  if (!t.executor.cleanup_command) return undefined;
  const cleanup = fillAtomic(t.executor.cleanup_command, t, p.args);
  const shell = t.executor.name.toLowerCase() === 'bash' ? 'bash' : 'sh';
  const user = t.executor.elevation_required ? undefined : p.user;
  return {
    label: `atomic ${technique} cleanup on ${ctx.node}`,
    run: async () =>
      void (await ctx.range.run(ctx.node, [shell, '-c', cleanup], {
        timeoutMs: p.timeout * 1000,
        ...(user ? { user } : {}),
      })),
  };
}
