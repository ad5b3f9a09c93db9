import { join } from 'node:path';
import { ImageBuildError, rolesDir, mapLimit } from '../../core/index.js';
import { LABEL, type Engine } from '../docker/types.js';
import { BASE_ROLE, baseTag, listRoles, roleTag } from './catalog.js';
import { openTarball, rootfsTag, rootfsTarball } from './rootfs.js';

export type ImagePhase = 'cached' | 'building' | 'built' | 'failed';

export interface ImageEvent {
  image: string;
  tag: string;
  phase: ImagePhase;
  line?: string;
  error?: string;
}

export interface EnsureImagesOptions {
  roles?: string[];
  force?: boolean;
  concurrency?: number;
  onEvent?: (e: ImageEvent) => void;
}

/**
 * Makes sure the rootfs, base and role images exist on the engine, building only what is
 * missing (or everything with `force`). Returns role → tag.
 */
export async function ensureImages(engine: Engine, opts: EnsureImagesOptions = {}): Promise<Record<string, string>> {
  const emit = opts.onEvent ?? (() => undefined);
  const known = listRoles();
  const roles = opts.roles ?? known;
  for (const r of roles) {
    if (!known.includes(r)) throw new ImageBuildError(`unknown role "${r}" (known: ${known.join(', ')})`);
  }
  const labels = (role: string, tag: string) => ({
    [LABEL.kind]: 'image',
    [LABEL.role]: role,
    [LABEL.imageHash]: tag.split(':')[1]!,
  });

  const rootfs = rootfsTag();
  if (!(await engine.images.inspect(rootfs))) {
    emit({ image: 'rootfs', tag: rootfs, phase: 'building' });
    try {
      const tar = await rootfsTarball((line) => emit({ image: 'rootfs', tag: rootfs, phase: 'building', line }));
      await engine.images.importRootfs(openTarball(tar), rootfs, {
        changes: [
          'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
          'ENV LANG=C.UTF-8',
          'LABEL enshu.kind=image',
        ],
      });
    } catch (err) {
      emit({ image: 'rootfs', tag: rootfs, phase: 'failed', error: (err as Error).message });
      throw err;
    }
    emit({ image: 'rootfs', tag: rootfs, phase: 'built' });
  } else {
    emit({ image: 'rootfs', tag: rootfs, phase: 'cached' });
  }

  const base = baseTag();
  await buildOne(engine, BASE_ROLE, base, { ROOTFS: rootfs }, labels(BASE_ROLE, base), !!opts.force, emit);

  const result: Record<string, string> = {};
  await mapLimit(roles, opts.concurrency ?? 2, async (role) => {
    const tag = roleTag(role);
    await buildOne(engine, role, tag, { BASE: base }, labels(role, tag), !!opts.force, emit);
    result[role] = tag;
  });
  return result;
}

async function buildOne(
  engine: Engine,
  role: string,
  tag: string,
  buildArgs: Record<string, string>,
  labels: Record<string, string>,
  force: boolean,
  emit: (e: ImageEvent) => void,
): Promise<void> {
  if (!force && (await engine.images.inspect(tag))) {
    emit({ image: role, tag, phase: 'cached' });
    return;
  }
  emit({ image: role, tag, phase: 'building' });
  try {
    await engine.images.build(join(rolesDir(), role), tag, {
      buildArgs,
      labels,
      onLine: (line) => emit({ image: role, tag, phase: 'building', line }),
    });
  } catch (err) {
    emit({ image: role, tag, phase: 'failed', error: (err as Error).message });
    throw err;
  }
  emit({ image: role, tag, phase: 'built' });
}

/** Tags every role in a topology needs; missing ones are reported together. */
export async function missingImages(engine: Engine, roles: string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const r of new Set(roles)) if (!(await engine.images.inspect(roleTag(r)))) missing.push(r);
  return missing;
}
