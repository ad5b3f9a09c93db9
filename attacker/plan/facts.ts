/**
 * Per-team facts from the exercise seed. Staff, documents and secrets come from the
 * orchestrator's `teamFacts`, so the attack uses exactly the people and passwords the range
 * holds; other facts are derived here. Facts are derived in file order, so a `value` may use
 * facts defined above it; `exercise` and `team` are always there.
 */
import { ConfigError, teamFacts, type TeamFacts } from '../../core/index.js';
import type { FactSpec } from '../scenario/schema.js';
import { seededInt, seededString } from './random.js';
import { render } from './template.js';

export const STAFF_FIELDS = ['password', 'email', 'name', 'name_ja', 'department'] as const;
export const DOCUMENT_FIELDS = ['title', 'department'] as const;

/** Every fact name a spec defines (a staff fact defines several). */
export function factNames(name: string, spec: FactSpec): string[] {
  if ('staff' in spec) return [name, ...STAFF_FIELDS.map((f) => `${name}_${f}`)];
  if ('document' in spec) return [name, ...DOCUMENT_FIELDS.map((f) => `${name}_${f}`)];
  return [name];
}

export function deriveFacts(
  specs: Record<string, FactSpec>,
  ctx: { exercise: string; team: string; seed: string; domain?: string },
): Record<string, string> {
  const facts: Record<string, string> = { exercise: ctx.exercise, team: ctx.team };
  let org: TeamFacts | undefined;
  const orgFacts = () => (org ??= teamFacts(ctx.seed, ctx.team, ctx.domain));
  const choose = <T extends { department: string }>(
    list: T[],
    sel: { department?: string | undefined; index?: number | undefined },
    what: string,
    parts: string[],
  ): T => {
    const pool = sel.department ? list.filter((x) => x.department === sel.department) : list;
    if (pool.length === 0) throw new ConfigError(`no ${what} in department "${sel.department}"`);
    const i = sel.index ?? seededInt(pool.length, ...parts);
    const item = pool[i];
    if (!item)
      throw new ConfigError(
        `${what} #${i} of ${sel.department ?? 'the organisation'} does not exist (there are ${pool.length})`,
      );
    return item;
  };
  for (const [name, spec] of Object.entries(specs)) {
    if (name in facts) throw new ConfigError(`fact "${name}" is defined twice (or is built in)`);
    const parts = [ctx.seed, ctx.team, 'fact', name];
    if ('value' in spec) facts[name] = render(spec.value, { facts });
    else if ('pick' in spec) facts[name] = render(spec.pick[seededInt(spec.pick.length, ...parts)]!, { facts });
    else if ('secret' in spec) facts[name] = orgFacts().secret(spec.secret);
    else if ('staff' in spec) {
      const s = choose(orgFacts().staff, spec.staff, 'staff member', parts);
      Object.assign(facts, {
        [name]: s.user,
        [`${name}_password`]: s.password,
        [`${name}_email`]: s.email,
        [`${name}_name`]: s.fullName,
        [`${name}_name_ja`]: s.fullNameJa,
        [`${name}_department`]: s.department,
      });
    } else if ('document' in spec) {
      const d = choose(orgFacts().documents, spec.document, 'document', parts);
      Object.assign(facts, { [name]: d.file, [`${name}_title`]: d.title, [`${name}_department`]: d.department });
    } else facts[name] = spec.prefix + seededString(spec.random, spec.length, ...parts) + spec.suffix;
  }
  return facts;
}
