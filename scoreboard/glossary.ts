/** Loads the plain-language glossary (`scoreboard/rules/glossary.yaml`). */
import { join } from 'node:path';
import { loadYamlFile } from '../core/index.js';
import { GlossarySchema, type Glossary } from '../protocol/index.js';
import { rulesDir } from './rules/load.js';

export function loadGlossary(file = join(rulesDir(), 'glossary.yaml')): Glossary {
  return loadYamlFile(file, GlossarySchema);
}
