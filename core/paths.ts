import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { homedir } from 'node:os';

/** Repository root, found from this file so the CLI works from any working directory. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

export function topologiesDir(): string {
  return join(repoRoot, 'topologies');
}

export function rolesDir(): string {
  return join(repoRoot, 'topologies', 'roles');
}

/** Where downloaded/built artefacts are kept between runs (the debootstrap tarball). */
export function cacheDir(): string {
  return process.env.ENSHU_CACHE_DIR ?? join(homedir(), '.cache', 'enshu');
}
