/** Reads a course's scoring rules: `default.yaml` with the course's own file merged over it. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadYamlFile, repoRoot } from '../../core/index.js';
import { RulesOverrideSchema, RulesSchema, mergeRules, type Rules } from './schema.js';

export function rulesDir(): string {
  return join(repoRoot, 'scoreboard', 'rules');
}

/** Courses that have their own rules file. */
export function listRules(dir = rulesDir()): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && f !== 'default.yaml' && f !== 'glossary.yaml')
    .map((f) => f.slice(0, -5))
    .sort();
}

/**
 * The rules of `course`. A course without its own file plays by `default.yaml`. Errors point
 * at `file:line:col` of the field at fault.
 */
export function loadRules(course: string, dir = rulesDir()): Rules {
  const baseFile = join(dir, 'default.yaml');
  const base = loadYamlFile(baseFile, RulesSchema);
  const file = join(dir, `${course}.yaml`);
  if (!/^[A-Za-z0-9-]+$/.test(course) || !existsSync(file)) return { ...base, course };
  const over = loadYamlFile(file, RulesOverrideSchema);
  if (over.course !== undefined && over.course !== course) {
    throw new ConfigError(`${file}: declares course "${over.course}"; it must be "${course}"`, { file });
  }
  const merged = RulesSchema.safeParse(mergeRules(base, { ...over, course }));
  if (!merged.success) {
    const issue = merged.error.issues[0]!;
    throw new ConfigError(`${file}: ${issue.path.join('.')}: ${issue.message} (after merging over default.yaml)`, {
      file,
    });
  }
  return merged.data;
}
