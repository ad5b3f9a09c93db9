import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ImageBuildError, cacheDir } from '../../core/index.js';
import { hostDebianMirror } from './mirror.js';

export const SUITE = 'bookworm';

/** What every range machine has, whatever its role: enough to route, diagnose and log. */
export const ROOTFS_PACKAGES = [
  'iproute2',
  'iputils-ping',
  'procps',
  'curl',
  'netcat-openbsd',
  'tini',
  'ca-certificates',
  'iptables',
  'less',
  'vim-tiny',
  'openssh-client',
  'rsyslog',
  'util-linux',
  'sudo',
  'cron',
  'python3-minimal',
];

export function rootfsHash(): string {
  return createHash('sha256')
    .update(`${SUITE}\nminbase\n${ROOTFS_PACKAGES.join(',')}\n`)
    .digest('hex')
    .slice(0, 12);
}

export function rootfsTag(): string {
  return `enshu/rootfs:${rootfsHash()}`;
}

function run(cmd: string, args: string[], onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const feed = (b: Buffer) => {
      for (const line of b.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > 20) tail.shift();
        onLine(line);
      }
    };
    child.stdout.on('data', feed);
    child.stderr.on('data', feed);
    child.on('error', (err) => reject(new ImageBuildError(`cannot run ${cmd}: ${err.message}`)));
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new ImageBuildError(`${cmd} exited with ${code}:\n${tail.join('\n')}`)),
    );
  });
}

/**
 * A minbase Debian root filesystem as a tarball, made once with debootstrap and kept in the
 * cache directory, so a reinstalled engine re-imports it instead of downloading again.
 */
export async function rootfsTarball(onLine: (line: string) => void): Promise<string> {
  const dir = cacheDir();
  const tar = join(dir, `rootfs-${rootfsHash()}.tar`);
  if (existsSync(tar)) return tar;
  if (process.getuid?.() !== 0)
    throw new ImageBuildError('building the base image needs root (debootstrap); run as root or import a prebuilt one');
  mkdirSync(dir, { recursive: true });
  const target = join(dir, `rootfs-${rootfsHash()}`);
  rmSync(target, { recursive: true, force: true });
  const mirror = hostDebianMirror();
  onLine(`debootstrap ${SUITE} from the host's mirror`);
  await run(
    'debootstrap',
    ['--variant=minbase', `--include=${ROOTFS_PACKAGES.join(',')}`, SUITE, target, mirror],
    onLine,
  ).catch((err) => {
    if (err instanceof ImageBuildError && /cannot run debootstrap/.test(err.message)) {
      throw new ImageBuildError(
        'debootstrap is not installed: run `bash scripts/engine.sh` (installs it) or `apt-get install debootstrap`',
      );
    }
    throw err;
  });
  // Keep images small and reproducible: no package lists or caches in the base layer.
  rmSync(join(target, 'var/cache/apt/archives'), { recursive: true, force: true });
  mkdirSync(join(target, 'var/cache/apt/archives/partial'), { recursive: true });
  rmSync(join(target, 'var/lib/apt/lists'), { recursive: true, force: true });
  mkdirSync(join(target, 'var/lib/apt/lists/partial'), { recursive: true });
  await run('tar', ['--numeric-owner', '-C', target, '-cf', `${tar}.part`, '.'], onLine);
  renameSync(`${tar}.part`, tar);
  rmSync(target, { recursive: true, force: true });
  return tar;
}

export function openTarball(path: string) {
  return createReadStream(path);
}
