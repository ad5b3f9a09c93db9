/** Loads the plain-language glossary (`scoreboard/rules/glossary.yaml`). */
import { join } from 'node:path';
import { loadYamlFile } from '../orchestrator/index.js';
import { GlossarySchema, type Glossary } from './plain-language.js';
import { rulesDir } from './rules/load.js';

export function loadGlossary(file = join(rulesDir(), 'glossary.yaml')): Glossary {
  return loadYamlFile(file, GlossarySchema);
}
