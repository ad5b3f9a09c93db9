/**
 * A private Docker engine for fault tests that must stop or restart an engine: its own dockerd
 * (own --data-root, --exec-root, --pidfile, socket and managed containerd) in its own network
 * namespace, so its bridges and iptables rules never touch the shared engine's. The shared engine
 * at /var/run/docker.sock is never stopped. Images come from the shared engine (docker save | load).
 * Needs root (CI runs the suite as root after scripts/engine.sh).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { connectEngine, type Engine } from '../../orchestrator/index.js';

export interface PrivateEngine {
  endpoint: string;
  engine: Engine;
  /** stops dockerd the way a host does (SIGTERM: it stops every container), then waits for it to exit */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** loads these tags from the shared engine where missing */
  loadImages(tags: string[]): void;
  /** stops dockerd and removes the network namespace (the data directory stays for the next run) */
  destroy(): Promise<void>;
}

async function stopLeftover(pidfile: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(pidfile, 'utf8').trim());
  } catch {
    return;
  }
  if (!(pid > 1)) return;
  const cmdline = (() => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return '';
    }
  })();
  if (!cmdline.includes(pidfile)) return; // not our dockerd (the pid was reused)
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 120 && existsSync(`/proc/${pid}`); i++) await new Promise((r) => setTimeout(r, 500));
}

function run(cmd: string, args: string[], input?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...(input ? { input } : {}) });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

export async function startPrivateEngine(name = 'enshu-fault-engine'): Promise<PrivateEngine> {
  if (process.getuid?.() !== 0) throw new Error('a private engine needs root (dockerd, network namespaces)');
  const dir = `/var/lib/${name}`;
  const sock = `${dir}/docker.sock`;
  const endpoint = `unix://${sock}`;
  mkdirSync(dir, { recursive: true });
  if (
    !run('ip', ['netns', 'list'])
      .split('\n')
      .some((l) => l.split(' ')[0] === name)
  ) {
    run('ip', ['netns', 'add', name]);
    run('ip', ['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up']);
  }
  // a dockerd of an earlier run that was not stopped (a killed test run) is stopped first
  await stopLeftover(`${dir}/dockerd.pid`);
  let child: ChildProcess | undefined;
  const start = async () => {
    const out = openSync(`${dir}/dockerd.log`, 'a');
    // nsenter (not `ip netns exec`): only the network namespace changes; /sys and its cgroup mounts stay
    child = spawn(
      'nsenter',
      [
        `--net=/run/netns/${name}`,
        'dockerd',
        '--data-root',
        `${dir}/data`,
        '--exec-root',
        `${dir}/exec`,
        '--pidfile',
        `${dir}/dockerd.pid`,
        '-H',
        endpoint,
        // a loaded machine needs more than the default 15 s to stop every container on SIGTERM;
        // a container left running would outlive the "restart" ("task already exists" after it)
        '--shutdown-timeout',
        '60',
      ],
      { stdio: ['ignore', out, out] },
    );
    closeSync(out);
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        await (await connectEngine(endpoint)).ping();
        return;
      } catch (err) {
        if (child.exitCode !== null)
          throw new Error(`private dockerd exited (${child.exitCode}); see ${dir}/dockerd.log`);
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGTERM');
    await exited;
    child = undefined;
    // what still runs of this engine's containers goes too, as it would when a host restarts the engine
    killShims('SIGKILL');
  };
  /** shims of this engine's containerd that outlived it (by its own socket path), and their containers */
  const killShims = (signal: NodeJS.Signals) => {
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      let cmd = '';
      try {
        cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      if (!cmd.startsWith('/usr/bin/containerd-shim') || !cmd.includes(`${dir}/exec/containerd/`)) continue;
      if (signal === 'SIGKILL') spawnSync('pkill', ['-KILL', '-P', pid]);
      try {
        process.kill(Number(pid), signal);
      } catch {
        // gone already
      }
    }
  };
  await start();
  const engine = await connectEngine(endpoint);
  return {
    endpoint,
    engine,
    start,
    stop,
    loadImages(tags) {
      const have = run('docker', ['-H', endpoint, 'images', '--format', '{{.Repository}}:{{.Tag}}']).split('\n');
      const missing = tags.filter((t) => !have.includes(t));
      if (!missing.length) return;
      const r = spawnSync('sh', ['-c', `docker save ${missing.join(' ')} | docker -H ${endpoint} load`], {
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`loading ${missing.join(' ')} into the private engine: ${r.stderr}`);
    },
    async destroy() {
      await stop();
      killShims('SIGTERM');
      spawnSync('ip', ['netns', 'del', name]);
    },
  };
}
