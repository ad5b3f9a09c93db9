import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { rolesDir } from '../../core/index.js';
import { hashContext } from './hash.js';
import { rootfsTag } from './rootfs.js';

export const BASE_ROLE = 'base';

/** Role folders under topologies/roles, each a Docker build context (base excluded). */
export function listRoles(): string[] {
  return readdirSync(rolesDir(), { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== BASE_ROLE && existsSync(join(rolesDir(), d.name, 'Dockerfile')))
    .map((d) => d.name)
    .sort();
}

export function baseTag(): string {
  return `enshu/base:${hashContext(join(rolesDir(), BASE_ROLE), [rootfsTag()])}`;
}

/** Tag of a role image: a hash of its build context and its base, so unchanged roles are never rebuilt. */
export function roleTag(role: string): string {
  return `enshu/${role}:${hashContext(join(rolesDir(), role), [baseTag()])}`;
}
