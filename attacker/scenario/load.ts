/**
 * Loading scenarios: the schema, then the checks that need the whole file (references between
 * steps, cycles, action kinds and their parameters, unknown facts), all as `file:line:col`.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError, loadYamlFile, NotFoundError } from '../../core/index.js';
import { ACTIONS } from '../actions/registry.js';
import { factNames } from '../plan/facts.js';
import { placeholders } from '../plan/template.js';
import { ScenarioSchema, type Scenario } from './schema.js';

export const scenariosDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'scenarios');

const BUILTIN_FACTS = new Set(['exercise', 'team']);

function strings(value: unknown, path: (string | number)[], out: { path: (string | number)[]; s: string }[] = []) {
  if (typeof value === 'string') out.push({ path, s: value });
  else if (Array.isArray(value)) value.forEach((v, i) => strings(v, [...path, i], out));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) strings(v, [...path, k], out);
  return out;
}

function sampleValues(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\{\{[^}]*\}\}/g, 'sample-value-for-checks');
  if (Array.isArray(value)) return value.map(sampleValues);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sampleValues(v)]));
  return value;
}

export const CheckedScenarioSchema = ScenarioSchema.superRefine((sc, ctx) => {
  const ids = new Map<string, number>();
  sc.steps.forEach((s, i) => {
    if (ids.has(s.id))
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['steps', i, 'id'], message: `duplicate step id "${s.id}"` });
    ids.set(s.id, i);
  });
  const captures = new Set(sc.steps.flatMap((s) => Object.keys(s.capture)));
  const facts = new Set([...BUILTIN_FACTS, ...Object.entries(sc.facts).flatMap(([n, f]) => factNames(n, f))]);
  const known = (name: string) =>
    facts.has(name) || captures.has(name) || name.startsWith('ip.') || name.startsWith('node.');

  Object.entries(sc.facts).forEach(([name, f]) => {
    if (BUILTIN_FACTS.has(name))
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['facts', name], message: `"${name}" is a built-in fact` });
    for (const { path, s } of strings(f, ['facts', name])) {
      for (const p of placeholders(s))
        if (!facts.has(p)) ctx.addIssue({ code: z.ZodIssueCode.custom, path, message: `{{${p}}} is not a fact` });
    }
  });

  sc.steps.forEach((s, i) => {
    const at = (...p: (string | number)[]) => ['steps', i, ...p];
    if ('after' in s.when) {
      s.when.after.forEach((d, j) => {
        if (!ids.has(d))
          ctx.addIssue({ code: z.ZodIssueCode.custom, path: at('when', 'after', j), message: `no step "${d}"` });
        if (d === s.id)
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: at('when', 'after', j),
            message: 'a step cannot wait for itself',
          });
      });
    }
    s.else.forEach((e, j) => {
      if (!ids.has(e)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: at('else', j), message: `no step "${e}"` });
      else if (e === s.id)
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: at('else', j),
          message: 'a step cannot be its own else branch',
        });
    });
    if (s.condition && 'step' in s.condition && !ids.has(s.condition.step)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: at('condition', 'step'),
        message: `no step "${s.condition.step}"`,
      });
    }
    const action = ACTIONS.get(s.action.kind);
    if (!action) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: at('action', 'kind'),
        message: `unknown action kind "${s.action.kind}" (known: ${[...ACTIONS.keys()].join(', ')})`,
      });
    } else {
      // placeholders are filled later; check the shape with a neutral sample in their place
      const r = action.params.safeParse(sampleValues(s.action.params));
      if (!r.success)
        for (const issue of r.error.issues)
          ctx.addIssue({ ...issue, path: at('action', 'params', ...issue.path) } as z.IssueData);
    }
    for (const { path, s: str } of strings(
      {
        where: s.where,
        action: s.action,
        cleanup: s.cleanup,
        condition: s.condition,
        indicators: s.indicators,
        containment: s.containment,
        recovery: s.recovery,
      },
      at(),
    )) {
      for (const p of placeholders(str))
        if (!known(p))
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path,
            message: `{{${p}}} is not a fact (facts: ${[...facts].join(', ')})`,
          });
    }
  });

  // injects wait for real steps, and their messages name facts a team has before the attack runs
  sc.injects.forEach((inj, i) => {
    if ('after' in inj.when)
      inj.when.after.forEach((d, j) => {
        if (!ids.has(d))
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: ['injects', i, 'when', 'after', j],
            message: `no step "${d}"`,
          });
      });
    for (const { path, s } of strings(inj.message, ['injects', i, 'message']))
      for (const p of placeholders(s))
        if (!facts.has(p)) ctx.addIssue({ code: z.ZodIssueCode.custom, path, message: `{{${p}}} is not a fact` });
  });

  // cycles through `after`
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, trail: string[]): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      const i = ids.get(trail[trail.length - 1]!)!;
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['steps', i, 'when', 'after'],
        message: `steps wait for each other in a cycle: ${[...trail.slice(trail.indexOf(id)), id].join(' → ')}`,
      });
      return;
    }
    state.set(id, 'visiting');
    const s = sc.steps[ids.get(id)!]!;
    if ('after' in s.when) for (const d of s.when.after) if (ids.has(d)) visit(d, [...trail, id]);
    state.set(id, 'done');
  };
  for (const s of sc.steps) visit(s.id, []);
});

export function loadScenarioFile(file: string): Scenario {
  return { ...loadYamlFile(file, CheckedScenarioSchema), file };
}

export interface ScenarioSummary {
  id: string;
  title: { ja: string; en: string };
  courses: string[];
  expectedDuration: number;
  steps: number;
  file: string;
}

/** The scenarios shipped in attacker/scenarios. */
export function listScenarios(): ScenarioSummary[] {
  return readdirSync(scenariosDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const s = loadScenarioFile(join(scenariosDir, f));
      return {
        id: s.id,
        title: s.title,
        courses: s.courses,
        expectedDuration: s.expectedDuration,
        steps: s.steps.length,
        file: s.file!,
      };
    });
}

/** A shipped scenario by id, or any scenario file by path. */
export function loadScenario(idOrFile: string): Scenario {
  if (idOrFile.endsWith('.yaml') || idOrFile.endsWith('.yml') || idOrFile.includes('/'))
    return loadScenarioFile(idOrFile);
  const file = join(scenariosDir, `${idOrFile}.yaml`);
  try {
    const s = loadScenarioFile(file);
    if (s.id !== idOrFile)
      throw new ConfigError(`${file}: id is "${s.id}", expected "${idOrFile}" (the file name)`, { file });
    return s;
  } catch (err) {
    if (err instanceof ConfigError && /cannot read file/.test(err.message)) {
      const known = readdirSync(scenariosDir)
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => f.slice(0, -5));
      throw new NotFoundError(`no scenario "${idOrFile}" (known: ${known.join(', ') || 'none'})`);
    }
    throw err;
  }
}
