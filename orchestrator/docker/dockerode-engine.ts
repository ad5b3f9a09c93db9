import Docker from 'dockerode';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Duplex, PassThrough, type Readable } from 'node:stream';
import { EngineError, ImageBuildError, WaitTimeoutError, retryUntil } from '../../core/index.js';
import { LocalProcesses } from './local-processes.js';
import { LocalStat } from './local-stat.js';
import type {
  ContainerEvent,
  ContainerInfo,
  ContainerProcess,
  EventWatch,
  ContainerSpec,
  ContainerState,
  Containers,
  Engine,
  EngineInfo,
  Exec,
  ExecOptions,
  FollowHandle,
  ExecResult,
  ExecSession,
  HealthState,
  ImageInfo,
  Images,
  Labels,
  NetworkInfo,
  NetworkSpec,
  Networks,
  Observe,
  PathEntry,
  PathStat,
} from './types.js';

/**
 * Where an engine is: `unix:///var/run/docker.sock`, `tcp://host:2376` (TLS material from
 * DOCKER_CERT_PATH when DOCKER_TLS_VERIFY is set) or `ssh://user@host`. Defaults to DOCKER_HOST,
 * then the local socket.
 */
export function dockerOptions(endpoint: string): Docker.DockerOptions {
  const url = new URL(endpoint);
  switch (url.protocol) {
    case 'unix:':
      return { socketPath: url.pathname };
    case 'tcp:':
    case 'https:':
    case 'http:': {
      const tls = url.protocol === 'https:' || (url.protocol === 'tcp:' && !!process.env.DOCKER_TLS_VERIFY);
      const opts: Docker.DockerOptions = {
        host: url.hostname,
        port: Number(url.port || (tls ? 2376 : 2375)),
        protocol: tls ? 'https' : 'http',
      };
      if (tls) {
        const dir = process.env.DOCKER_CERT_PATH ?? join(process.env.HOME ?? '/root', '.docker');
        for (const k of ['ca', 'cert', 'key'] as const) {
          const f = join(dir, `${k}.pem`);
          if (existsSync(f)) opts[k] = readFileSync(f);
        }
      }
      return opts;
    }
    case 'ssh:':
      return {
        protocol: 'ssh',
        host: url.hostname,
        port: Number(url.port || 22),
        ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
        sshOptions: { agent: process.env.SSH_AUTH_SOCK },
      } as Docker.DockerOptions;
    default:
      throw new EngineError(`unsupported engine address "${endpoint}" (use unix://, tcp:// or ssh://)`);
  }
}

export function defaultEndpoint(): string {
  return process.env.ENSHU_DOCKER_HOST ?? process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
}

function labelFilter(labels?: Labels): string {
  const label = Object.entries(labels ?? {}).map(([k, v]) => `${k}=${v}`);
  return JSON.stringify({ label });
}

function engineMessage(err: unknown): string {
  const e = err as { json?: { message?: string }; reason?: string; message?: string; code?: string };
  return e?.json?.message ?? e?.reason ?? e?.message ?? String(err);
}

/**
 * A failed engine call as an EngineError (HTTP 502) that says what the instructor can do: the engine
 * may be restarting (ranges come back by themselves once it answers) or gone.
 */
function unreachable(err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  return new EngineError(
    `the container engine did not answer (${engineMessage(err)}); if it is restarting, the ranges come back by themselves once it answers — otherwise start it (\`bash scripts/engine.sh\`) and run \`enshu up\` for the exercise`,
  );
}

function isNotFound(err: unknown): boolean {
  return (err as { statusCode?: number })?.statusCode === 404;
}

class DockerNetworks implements Networks {
  constructor(private readonly d: Docker) {}

  private toInfo(n: Docker.NetworkInspectInfo): NetworkInfo {
    return {
      id: n.Id,
      name: n.Name,
      labels: n.Labels ?? {},
      subnets: (n.IPAM?.Config ?? []).map((c) => c.Subnet).filter((s): s is string => !!s),
      internal: !!n.Internal,
      ...(n.Options?.['com.docker.network.bridge.name'] ? { bridge: n.Options['com.docker.network.bridge.name'] } : {}),
    };
  }

  async list(labels?: Labels): Promise<NetworkInfo[]> {
    const list = await this.d
      .listNetworks(labels ? { filters: labelFilter(labels) } : {})
      .catch((err: unknown) => Promise.reject(unreachable(err)));
    return list.map((n) => this.toInfo(n));
  }

  async create(spec: NetworkSpec): Promise<NetworkInfo> {
    try {
      const net = await this.d.createNetwork({
        Name: spec.name,
        Driver: 'bridge',
        Internal: true,
        CheckDuplicate: true,
        EnableIPv6: false,
        Labels: spec.labels,
        IPAM: { Driver: 'default', Config: [{ Subnet: spec.subnet, Gateway: spec.gateway }] },
        Options: {
          'com.docker.network.bridge.name': spec.bridge,
          // Containers on one segment talk directly; nothing is masqueraded to the host.
          'com.docker.network.bridge.enable_ip_masquerade': 'false',
          'com.docker.network.bridge.enable_icc': 'true',
        },
      });
      return this.toInfo(await net.inspect());
    } catch (err) {
      throw new EngineError(`cannot create network ${spec.name} (${spec.subnet}): ${engineMessage(err)}`);
    }
  }

  async remove(idOrName: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.d.getNetwork(idOrName).remove();
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        // Docker 20.10 sometimes keeps the endpoint of a container it has already removed ("has
        // active endpoints"; seen in CI after a plain `down`, and after overlapping removals): its
        // teardown may still be finishing, so wait a moment; then drop the endpoints whose container
        // is gone, as `docker network disconnect --force` does. A live container's is never touched.
        if (attempt < 2 && /has active endpoints/i.test(engineMessage(err))) {
          await new Promise((r) => setTimeout(r, 1000));
          if (attempt === 1) await this.dropStaleEndpoints(idOrName);
          continue;
        }
        throw new EngineError(`cannot remove network ${idOrName}: ${engineMessage(err)}`);
      }
    }
  }

  /** Disconnects (forced) the endpoints of a network whose containers no longer exist. */
  private async dropStaleEndpoints(idOrName: string): Promise<void> {
    const net = this.d.getNetwork(idOrName);
    const info = (await net.inspect().catch(() => undefined)) as
      { Containers?: Record<string, { Name?: string }> } | undefined;
    for (const [id, ep] of Object.entries(info?.Containers ?? {})) {
      const live = await this.d
        .getContainer(id)
        .inspect()
        .then(
          () => true,
          (err: unknown) => !isNotFound(err),
        );
      if (live) continue;
      await net.disconnect({ Container: ep.Name ?? id, Force: true }).catch(() => undefined);
    }
  }
}

class DockerContainers implements Containers {
  constructor(private readonly d: Docker) {}

  private fromInspect(c: Docker.ContainerInspectInfo): ContainerInfo {
    const ips: Record<string, string> = {};
    for (const [net, ep] of Object.entries(c.NetworkSettings?.Networks ?? {})) {
      if (ep.IPAddress) ips[net] = ep.IPAddress;
    }
    const health = (c.State as { Health?: { Status?: string } }).Health?.Status;
    return {
      id: c.Id,
      name: c.Name.replace(/^\//, ''),
      image: c.Config.Image,
      labels: c.Config.Labels ?? {},
      state: c.State.Status as ContainerState,
      health: (health as HealthState | undefined) ?? 'none',
      ips,
    };
  }

  async list(labels?: Labels): Promise<ContainerInfo[]> {
    const list = await this.d
      .listContainers({ all: true, ...(labels ? { filters: labelFilter(labels) } : {}) })
      .catch((err: unknown) => Promise.reject(unreachable(err)));
    return list.map((c) => {
      const ips: Record<string, string> = {};
      for (const [net, ep] of Object.entries(c.NetworkSettings?.Networks ?? {}))
        if (ep.IPAddress) ips[net] = ep.IPAddress;
      const m = /\((healthy|unhealthy|health: starting)\)/.exec(c.Status ?? '');
      const health: HealthState = !m ? 'none' : m[1] === 'health: starting' ? 'starting' : (m[1] as HealthState);
      return {
        id: c.Id,
        name: (c.Names[0] ?? '').replace(/^\//, ''),
        image: c.Image,
        labels: c.Labels ?? {},
        state: c.State as ContainerState,
        health,
        ips,
      };
    });
  }

  async inspect(idOrName: string): Promise<ContainerInfo | undefined> {
    try {
      return this.fromInspect(await this.d.getContainer(idOrName).inspect());
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw new EngineError(`cannot inspect container ${idOrName}: ${engineMessage(err)}`);
    }
  }

  async create(spec: ContainerSpec): Promise<ContainerInfo> {
    const [first, ...rest] = spec.networks;
    try {
      const c = await this.d.createContainer({
        name: spec.name,
        Hostname: spec.hostname,
        Image: spec.image,
        Labels: spec.labels,
        Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
        // Zero fields are taken from the image's HEALTHCHECK, so only the interval and retries change.
        ...(spec.healthIntervalSeconds || spec.healthRetries
          ? {
              Healthcheck: {
                ...(spec.healthIntervalSeconds ? { Interval: spec.healthIntervalSeconds * 1e9 } : {}),
                ...(spec.healthRetries ? { Retries: spec.healthRetries } : {}),
              },
            }
          : {}),
        HostConfig: {
          CapAdd: spec.capAdd,
          Sysctls: spec.sysctls,
          NetworkMode: first ? first.network : 'none',
          // No automatic restart: after a host reboot the host rules are gone, and a range must come back
          // only through `enshu up`, which re-applies them before anything runs.
          RestartPolicy: { Name: 'no' },
          Init: false,
          // No swap beyond the memory limit: a hog is stopped by the OOM killer inside its own node.
          ...(spec.memoryMiB ? { Memory: spec.memoryMiB * 1024 * 1024, MemorySwap: spec.memoryMiB * 1024 * 1024 } : {}),
          ...(spec.pidsLimit ? { PidsLimit: spec.pidsLimit } : {}),
          ...(spec.cpus ? { NanoCpus: Math.round(spec.cpus * 1e9) } : {}),
          LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '2' } },
        },
        NetworkingConfig: first
          ? { EndpointsConfig: { [first.network]: { IPAMConfig: { IPv4Address: first.ip } } } }
          : {},
      });
      for (const n of rest) {
        await this.d
          .getNetwork(n.network)
          .connect({ Container: c.id, EndpointConfig: { IPAMConfig: { IPv4Address: n.ip } } });
      }
      return this.fromInspect(await c.inspect());
    } catch (err) {
      throw new EngineError(`cannot create container ${spec.name}: ${engineMessage(err)}`);
    }
  }

  async start(idOrName: string): Promise<void> {
    try {
      await this.d.getContainer(idOrName).start();
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 304) return;
      throw new EngineError(`cannot start container ${idOrName}: ${engineMessage(err)}`);
    }
  }

  async remove(idOrName: string): Promise<void> {
    try {
      await this.d.getContainer(idOrName).remove({ force: true, v: true });
    } catch (err) {
      if (isNotFound(err) || /already in progress/.test(engineMessage(err))) return;
      throw new EngineError(`cannot remove container ${idOrName}: ${engineMessage(err)}`);
    }
  }

  async stats(idOrName: string): Promise<{ memoryBytes: number; pids?: number; cpuSeconds?: number }> {
    // one-shot: the counters as they are now, without the engine's second sample a second later
    const s = (await this.d.getContainer(idOrName).stats({ stream: false, 'one-shot': true } as { stream: false })) as {
      memory_stats?: { usage?: number; stats?: { cache?: number; inactive_file?: number } };
      pids_stats?: { current?: number };
      cpu_stats?: { cpu_usage?: { total_usage?: number } };
    };
    const usage = s.memory_stats?.usage ?? 0;
    const cache = s.memory_stats?.stats?.inactive_file ?? s.memory_stats?.stats?.cache ?? 0;
    const pids = s.pids_stats?.current;
    const cpuNs = s.cpu_stats?.cpu_usage?.total_usage;
    return {
      memoryBytes: Math.max(0, usage - cache),
      ...(pids !== undefined ? { pids } : {}),
      ...(cpuNs !== undefined ? { cpuSeconds: cpuNs / 1e9 } : {}),
    };
  }

  async limits(idOrName: string): Promise<{ memoryBytes: number; pids: number; cpus: number }> {
    try {
      const h = (await this.d.getContainer(idOrName).inspect()).HostConfig as {
        Memory?: number;
        PidsLimit?: number | null;
        NanoCpus?: number;
      };
      return { memoryBytes: h.Memory ?? 0, pids: h.PidsLimit ?? 0, cpus: (h.NanoCpus ?? 0) / 1e9 };
    } catch (err) {
      throw new EngineError(`cannot inspect container ${idOrName}: ${engineMessage(err)}`);
    }
  }
}

class DockerExec implements Exec {
  constructor(private readonly d: Docker) {}

  open(container: string, cmd: string[], opts: ExecOptions & { tty?: boolean } = {}): Promise<ExecSession> {
    return openSession(this.d, container, cmd, opts);
  }

  async run(container: string, cmd: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const timeoutMs = opts.timeoutMs ?? 60_000;
    let exec: Docker.Exec;
    try {
      exec = await this.d.getContainer(container).exec({
        Cmd: cmd,
        AttachStdout: true,
        AttachStderr: true,
        ...(opts.user ? { User: opts.user } : {}),
        ...(opts.env ? { Env: Object.entries(opts.env).map(([k, v]) => `${k}=${v}`) } : {}),
      });
    } catch (err) {
      throw new EngineError(`cannot exec in ${container}: ${engineMessage(err)}`);
    }
    const stream = await exec.start({ hijack: true, stdin: false });
    const out = new PassThrough();
    const errOut = new PassThrough();
    const chunks: Buffer[] = [];
    const errChunks: Buffer[] = [];
    out.on('data', (b: Buffer) => chunks.push(b));
    errOut.on('data', (b: Buffer) => errChunks.push(b));
    this.d.modem.demuxStream(stream, out, errOut);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        stream.destroy();
        reject(
          new WaitTimeoutError(
            `command \`${cmd.join(' ')}\` in ${container} did not finish within ${Math.round(timeoutMs / 1000)}s`,
          ),
        );
      }, timeoutMs);
      stream.on('end', () => {
        clearTimeout(timer);
        resolve();
      });
      stream.on('close', () => {
        clearTimeout(timer);
        resolve();
      });
      stream.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    const exitCode = await exitCodeOf(exec);
    return {
      exitCode,
      stdout: Buffer.concat(chunks).toString('utf8'),
      stderr: Buffer.concat(errChunks).toString('utf8'),
    };
  }
}

/** The exit code of a finished exec; Docker sets it a moment after the output stream ends (-1 if it never does). */
async function exitCodeOf(exec: Docker.Exec): Promise<number> {
  try {
    const info = await retryUntil(() => exec.inspect(), {
      what: 'the exit code of an exec',
      maxAttempts: 50,
      intervalMs: 20,
      until: (i) => !i.Running,
    });
    return info.ExitCode ?? 0;
  } catch (err) {
    if (err instanceof WaitTimeoutError) return -1;
    throw err;
  }
}

async function openSession(
  d: Docker,
  container: string,
  cmd: string[],
  opts: ExecOptions & { tty?: boolean },
): Promise<ExecSession> {
  const tty = opts.tty ?? true;
  let exec: Docker.Exec;
  try {
    exec = await d.getContainer(container).exec({
      Cmd: cmd,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: tty,
      ...(opts.user ? { User: opts.user } : {}),
      Env: Object.entries({ TERM: 'xterm-256color', ...(opts.env ?? {}) }).map(([k, v]) => `${k}=${v}`),
    });
  } catch (err) {
    throw new EngineError(`cannot exec in ${container}: ${engineMessage(err)}`);
  }
  const raw = (await exec.start({
    hijack: true,
    stdin: true,
    Tty: tty,
  } as Docker.ExecStartOptions)) as unknown as Duplex;
  let stream: Duplex = raw;
  if (!tty) {
    // Without a tty Docker frames stdout/stderr; present stdout as a plain byte stream.
    const stdout = new PassThrough();
    d.modem.demuxStream(raw, stdout, new PassThrough());
    raw.on('end', () => stdout.end());
    stream = Duplex.from({ readable: stdout, writable: raw });
    raw.on('close', () => stream.destroy());
  }
  const ended = new Promise<void>((resolve) => {
    raw.on('end', resolve);
    raw.on('close', resolve);
    raw.on('error', () => resolve());
  });
  return {
    stream,
    resize: async (cols, rows) => {
      if (tty) await exec.resize({ w: cols, h: rows }).catch(() => undefined);
    },
    exited: async () => {
      await ended;
      return exitCodeOf(exec);
    },
  };
}

class DockerImages implements Images {
  constructor(private readonly d: Docker) {}

  async inspect(tag: string): Promise<ImageInfo | undefined> {
    try {
      const i = await this.d.getImage(tag).inspect();
      return {
        id: i.Id,
        tags: i.RepoTags ?? [],
        labels: i.Config?.Labels ?? {},
        ...((i.Config as { Healthcheck?: { Test?: string[] } })?.Healthcheck?.Test
          ? { healthcheck: (i.Config as { Healthcheck: { Test: string[] } }).Healthcheck.Test }
          : {}),
        sizeBytes: i.Size,
      };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw new EngineError(`cannot inspect image ${tag}: ${engineMessage(err)}`);
    }
  }

  async list(labels?: Labels): Promise<ImageInfo[]> {
    const list = await this.d.listImages(labels ? { filters: labelFilter(labels) } : {});
    return list.map((i) => ({ id: i.Id, tags: i.RepoTags ?? [], labels: i.Labels ?? {}, sizeBytes: i.Size }));
  }

  async build(
    contextDir: string,
    tag: string,
    opts: { labels?: Labels; buildArgs?: Record<string, string>; onLine?: (line: string) => void },
  ): Promise<void> {
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.d.buildImage({ context: contextDir, src: ['.'] }, {
        t: tag,
        labels: opts.labels ?? {},
        buildargs: opts.buildArgs ?? {},
        pull: false,
        rm: true,
        forcerm: true,
        networkmode: 'host',
      } as Docker.ImageBuildOptions);
    } catch (err) {
      throw new ImageBuildError(`cannot start build of ${tag}: ${engineMessage(err)}`);
    }
    const tail: string[] = [];
    await new Promise<void>((resolve, reject) => {
      this.d.modem.followProgress(
        stream,
        (err: Error | null, output: { error?: string }[]) => {
          const failed = err ?? output.find((o) => o.error);
          if (failed)
            reject(
              new ImageBuildError(
                `build of ${tag} failed: ${(failed as { error?: string; message?: string }).error ?? (failed as Error).message}\n${tail.join('\n')}`,
              ),
            );
          else resolve();
        },
        (ev: { stream?: string; status?: string; error?: string }) => {
          const line = (ev.stream ?? ev.status ?? ev.error ?? '').trimEnd();
          if (!line) return;
          tail.push(line);
          if (tail.length > 30) tail.shift();
          opts.onLine?.(line);
        },
      );
    });
  }

  async importRootfs(tar: Readable, tag: string, opts: { changes?: string[] }): Promise<void> {
    const [repo, version] = tag.split(':');
    const stream = await this.d.importImage(tar, { repo, tag: version, changes: opts.changes } as object);
    await new Promise<void>((resolve, reject) => {
      this.d.modem.followProgress(stream, (err: Error | null, out: { error?: string }[]) => {
        const failed = err ?? out.find((o) => o.error);
        if (failed)
          reject(
            new ImageBuildError(`import of ${tag} failed: ${(failed as { error?: string }).error ?? String(failed)}`),
          );
        else resolve();
      });
    });
  }

  async remove(tag: string): Promise<void> {
    try {
      await this.d.getImage(tag).remove({ force: true });
    } catch (err) {
      if (!isNotFound(err)) throw new EngineError(`cannot remove image ${tag}: ${engineMessage(err)}`);
    }
  }
}

/** Largest archive the engine reads for `observe.read` (a check reads configs and small folders). */
const MAX_ARCHIVE_BYTES = 64 * 1024 * 1024;

/**
 * A container that runs `script` in `container`'s network namespace only (not among its processes,
 * so nothing of it shows in the node's `ps`), without the image's entrypoint (init, syslog, DHCP).
 */
function netnsProbeSpec(
  container: string,
  image: string | undefined,
  script: string,
  opts: { labels: Labels; caps?: string[] },
  limits: { Memory?: number; PidsLimit?: number } = {},
  logs = true,
): Docker.ContainerCreateOptions {
  return {
    Image: image,
    Entrypoint: ['sh', '-c', script],
    Cmd: [],
    Labels: opts.labels,
    Healthcheck: { Test: ['NONE'] },
    HostConfig: {
      NetworkMode: `container:${container}`,
      AutoRemove: false,
      CapAdd: [...new Set(['NET_RAW', ...(opts.caps ?? [])])],
      ...limits,
      // a watcher's lines are read through its attach stream: the engine need not also log each one
      ...(logs ? {} : { LogConfig: { Type: 'none', Config: {} } }),
    },
  };
}

class DockerObserve implements Observe {
  constructor(
    private readonly d: Docker,
    private readonly local: LocalProcesses,
    private readonly localStat: LocalStat,
  ) {}

  private async missing(container: string, err: unknown, what: string): Promise<undefined> {
    if (!isNotFound(err)) throw new EngineError(`cannot ${what} in ${container}: ${engineMessage(err)}`);
    // a 404 is the path's or the container's: only the first is an answer
    const c = await this.d
      .getContainer(container)
      .inspect()
      .catch(() => undefined);
    if (!c) throw new EngineError(`cannot ${what} in ${container}: no such container`);
    return undefined;
  }

  async top(container: string): Promise<ContainerProcess[]> {
    // the same list from the kernel when the engine runs here (local-processes.ts): no `ps` of the whole host
    const local = await this.local.list(container, async () => {
      const i = await this.d.getContainer(container).inspect();
      return { id: i.Id, pid: i.State?.Pid ?? 0 };
    });
    if (local) return local;
    let r: { Titles?: string[]; Processes?: string[][] };
    try {
      r = (await this.d.getContainer(container).top({ ps_args: '-eo pid,user,args' })) as typeof r;
    } catch (err) {
      throw new EngineError(`cannot list the processes of ${container}: ${engineMessage(err)}`);
    }
    const titles = (r.Titles ?? []).map((t) => t.toUpperCase());
    const col = (name: string, fallback: number) => (titles.includes(name) ? titles.indexOf(name) : fallback);
    const [pid, user, cmd] = [col('PID', 0), col('USER', 1), col('COMMAND', titles.length - 1)];
    return (r.Processes ?? []).map((p) => ({ pid: Number(p[pid]), user: p[user] ?? '', command: p[cmd] ?? '' }));
  }

  async stat(container: string, path: string): Promise<PathStat | undefined> {
    // read from the container's root on this host when the engine runs here (local-stat.ts)
    const local = await this.localStat.stat(container, path, async () => {
      const i = await this.d.getContainer(container).inspect();
      return {
        merged: (i.GraphDriver?.Data as { MergedDir?: string } | undefined)?.MergedDir,
        pid: i.State?.Pid ?? 0,
        mounts: (i.Mounts ?? []).map((m) => m.Destination),
      };
    });
    if (local !== 'engine') return local;
    try {
      const res = (await this.d.getContainer(container).infoArchive({ path })) as {
        headers: Record<string, string | undefined>;
        resume?: () => void;
      };
      res.resume?.();
      const raw = res.headers['x-docker-container-path-stat'];
      if (!raw) throw new EngineError(`cannot stat ${path} in ${container}: the engine sent no stat`);
      const st = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as Omit<PathStat, 'dir'>;
      return { ...st, dir: (st.mode & 0x80000000) !== 0 };
    } catch (err) {
      if (err instanceof EngineError) throw err;
      return this.missing(container, err, `stat ${path}`);
    }
  }

  async read(container: string, path: string, opts: { maxBytes?: number } = {}): Promise<PathEntry[] | undefined> {
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.d.getContainer(container).getArchive({ path });
    } catch (err) {
      return this.missing(container, err, `read ${path}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of stream as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > MAX_ARCHIVE_BYTES) {
        (stream as Readable).destroy?.();
        throw new EngineError(`cannot read ${path} in ${container}: larger than ${MAX_ARCHIVE_BYTES} bytes`);
      }
      chunks.push(c);
    }
    // the archive names entries from the path's last component: map them back to full paths
    const parent = path.replace(/\/+$/, '').replace(/\/[^/]*$/, '');
    return untar(Buffer.concat(chunks), opts.maxBytes ?? 4 * 1024 * 1024).map((e) => ({
      ...e,
      path: `${parent}/${e.path}`.replace(/\/+$/, '').replace(/^\/\//, '/'),
    }));
  }

  async inNetns(
    container: string,
    script: string,
    opts: { labels: Labels; timeoutMs: number; image?: string; caps?: string[] },
  ): Promise<ExecResult> {
    let image = opts.image;
    if (!image) {
      try {
        image = (await this.d.getContainer(container).inspect()).Config.Image;
      } catch (err) {
        throw new EngineError(`cannot probe from ${container}: ${engineMessage(err)}`);
      }
    }
    let c: Docker.Container;
    try {
      c = await this.d.createContainer(netnsProbeSpec(container, image, script, opts));
    } catch (err) {
      throw new EngineError(`cannot probe from ${container}: ${engineMessage(err)}`);
    }
    try {
      await c.start();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), opts.timeoutMs)));
      const done = (await Promise.race([c.wait(), timedOut])) as { StatusCode: number } | 'timeout';
      clearTimeout(timer);
      if (done === 'timeout') {
        await c.kill().catch(() => undefined);
        throw new WaitTimeoutError(
          `probe from ${container} did not finish within ${Math.round(opts.timeoutMs / 1000)}s`,
        );
      }
      const logs = (await c.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
      return { exitCode: done.StatusCode, ...demuxBuffer(logs) };
    } catch (err) {
      if (err instanceof WaitTimeoutError || err instanceof EngineError) throw err;
      throw new EngineError(`cannot probe from ${container}: ${engineMessage(err)}`);
    } finally {
      await c.remove({ force: true }).catch(() => undefined);
    }
  }

  async follow(
    container: string,
    script: string,
    opts: { labels: Labels; image?: string; caps?: string[] },
    onLine: (line: string) => void,
    onEnd: (err?: Error) => void,
  ): Promise<FollowHandle> {
    let image = opts.image;
    let c: Docker.Container;
    try {
      image ??= (await this.d.getContainer(container).inspect()).Config.Image;
      // a watcher is small: a shell loop and its probes
      c = await this.d.createContainer(
        netnsProbeSpec(container, image, script, opts, { Memory: 64 * 1024 * 1024, PidsLimit: 64 }, false),
      );
    } catch (err) {
      throw new EngineError(`cannot watch from ${container}: ${engineMessage(err)}`);
    }
    let ended = false;
    const remove = () => c.remove({ force: true }).catch(() => undefined);
    const end = (err?: Error) => {
      if (ended) return;
      ended = true;
      void remove();
      onEnd(err);
    };
    try {
      // attached before the start, so no early line is lost
      const raw = (await c.attach({ stream: true, stdout: true, stderr: true })) as NodeJS.ReadableStream;
      const out = new PassThrough();
      this.d.modem.demuxStream(raw, out, new PassThrough());
      let buf = '';
      out.on('data', (b: Buffer) => {
        buf += b.toString('utf8');
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (!ended) onLine(line);
        }
        // a line without its end that grows without bound is not a probe's line
        if (buf.length > 1024 * 1024) buf = '';
      });
      raw.on('end', () => end());
      raw.on('close', () => end());
      raw.on('error', (err: Error) => end(err));
      await c.start();
    } catch (err) {
      await remove();
      throw new EngineError(`cannot watch from ${container}: ${engineMessage(err)}`);
    }
    return {
      stop: async () => {
        ended = true;
        await remove();
      },
    };
  }
}

/** Entries of a tar archive (ustar, with GNU long names and pax paths), contents up to `maxBytes` in total. */
export function untar(buf: Buffer, maxBytes: number): PathEntry[] {
  const out: PathEntry[] = [];
  let at = 0;
  let budget = maxBytes;
  let longName: string | undefined;
  const str = (b: Buffer) => {
    const z = b.indexOf(0);
    return b.subarray(0, z < 0 ? b.length : z).toString('utf8');
  };
  while (at + 512 <= buf.length) {
    const h = buf.subarray(at, at + 512);
    if (h.every((x) => x === 0)) break;
    const size = parseInt(str(h.subarray(124, 136)).trim() || '0', 8);
    const flag = String.fromCharCode(h[156] ?? 48);
    const prefix = h.subarray(257, 263).toString('latin1').startsWith('ustar') ? str(h.subarray(345, 500)) : '';
    let name = longName ?? (prefix ? `${prefix}/${str(h.subarray(0, 100))}` : str(h.subarray(0, 100)));
    const body = buf.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
    if (flag === 'L') {
      longName = str(body);
      continue;
    }
    if (flag === 'x') {
      const m = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'));
      if (m) longName = m[1];
      continue;
    }
    if (flag === 'g') continue;
    longName = undefined;
    name = name.replace(/\/+$/, '');
    const type = flag === '0' || flag === '\0' ? 'file' : flag === '5' ? 'dir' : flag === '2' ? 'link' : 'other';
    const entry: PathEntry = { path: name, type, size };
    if (type === 'file' && size <= budget) {
      entry.content = Buffer.from(body);
      budget -= size;
    }
    out.push(entry);
  }
  return out;
}

export class DockerodeEngine implements Engine {
  readonly networks: Networks;
  readonly containers: Containers;
  readonly images: Images;
  readonly exec: Exec;
  readonly observe: Observe;
  readonly docker: Docker;

  constructor(readonly endpoint: string = defaultEndpoint()) {
    this.docker = new Docker(dockerOptions(endpoint));
    this.networks = new DockerNetworks(this.docker);
    this.containers = new DockerContainers(this.docker);
    this.images = new DockerImages(this.docker);
    this.exec = new DockerExec(this.docker);
    // ENSHU_LOCAL_PROCESSES=0 asks the engine for every process list and stat (to compare)
    const local = endpoint.startsWith('unix:') && process.env.ENSHU_LOCAL_PROCESSES !== '0';
    this.observe = new DockerObserve(this.docker, new LocalProcesses(local), new LocalStat(local));
  }

  async events(
    labels: Labels,
    onEvent: (e: ContainerEvent) => void,
    onEnd: (err?: Error) => void,
  ): Promise<EventWatch> {
    const filters = { type: ['container'], label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) };
    let stream: NodeJS.ReadableStream;
    try {
      stream = (await this.docker.getEvents({ filters: JSON.stringify(filters) })) as NodeJS.ReadableStream;
    } catch (err) {
      throw unreachable(err);
    }
    let ended = false;
    const end = (err?: Error) => {
      if (ended) return;
      ended = true;
      onEnd(err);
    };
    let buf = '';
    stream.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        try {
          const m = JSON.parse(line) as {
            Action?: string;
            time?: number;
            timeNano?: number;
            Actor?: { Attributes?: Record<string, string> };
          };
          const attrs = m.Actor?.Attributes ?? {};
          const { name = '', exitCode, ...rest } = attrs;
          onEvent({
            action: (m.Action ?? '').split(':')[0]!,
            name,
            labels: rest,
            ...(exitCode !== undefined ? { exitCode: Number(exitCode) } : {}),
            at: new Date(m.timeNano ? m.timeNano / 1e6 : (m.time ?? 0) * 1000).toISOString(),
          });
        } catch {
          // a line that is not an event (never seen): skip it
        }
      }
    });
    stream.on('end', () => end());
    stream.on('close', () => end());
    stream.on('error', (err: Error) => end(err));
    return {
      close: () => {
        ended = true;
        (stream as unknown as { destroy?: () => void }).destroy?.();
      },
    };
  }

  async ping(): Promise<void> {
    try {
      await this.docker.ping();
    } catch (err) {
      throw new EngineError(
        `no container engine answers at ${this.endpoint} (${engineMessage(err)}). Run \`bash scripts/engine.sh\` (as root on Debian/Ubuntu it installs and starts one) or set DOCKER_HOST.`,
      );
    }
  }

  async info(): Promise<EngineInfo> {
    const [info, version] = await Promise.all([this.docker.info(), this.docker.version()]);
    return {
      endpoint: this.endpoint,
      serverVersion: version.Version,
      apiVersion: version.ApiVersion,
      memTotalBytes: info.MemTotal,
      cpus: info.NCPU,
      defaultRuntime: (info as { DefaultRuntime?: string }).DefaultRuntime ?? 'runc',
    };
  }

  async runOnHost(image: string, script: string, labels: Labels): Promise<ExecResult> {
    const c = await this.docker.createContainer({
      Image: image,
      // The image's entrypoint would drop NET_ADMIN before the script runs.
      Entrypoint: ['sh', '-c', script],
      Cmd: [],
      Labels: labels,
      HostConfig: { NetworkMode: 'host', CapAdd: ['NET_ADMIN', 'NET_RAW'], AutoRemove: false },
    });
    try {
      await c.start();
      const result = (await c.wait()) as { StatusCode: number };
      const logs = (await c.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
      const { stdout, stderr } = demuxBuffer(logs);
      return { exitCode: result.StatusCode, stdout, stderr };
    } finally {
      await c.remove({ force: true }).catch(() => undefined);
    }
  }
}

/** Splits Docker's multiplexed log format (8-byte frame headers) into stdout and stderr. */
export function demuxBuffer(buf: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const type = buf[i];
    const len = buf.readUInt32BE(i + 4);
    const chunk = buf.subarray(i + 8, i + 8 + len);
    (type === 2 ? err : out).push(chunk);
    i += 8 + len;
  }
  return { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}
