/**
 * Narrow interfaces over the container engine, one per resource, in the style of
 * testcontainers-node. Only `dockerode-engine.ts` implements them; nothing else imports dockerode.
 */
import type { Duplex, Readable } from 'node:stream';
import { LABEL } from '../../core/index.js';

export { LABEL };

export type Labels = Record<string, string>;

export interface NetworkSpec {
  name: string;
  bridge: string;
  subnet: string;
  gateway: string;
  labels: Labels;
}

export interface NetworkInfo {
  id: string;
  name: string;
  labels: Labels;
  subnets: string[];
  internal: boolean;
  bridge?: string;
}

export interface Networks {
  list(labels?: Labels): Promise<NetworkInfo[]>;
  create(spec: NetworkSpec): Promise<NetworkInfo>;
  remove(idOrName: string): Promise<void>;
}

export interface ContainerSpec {
  name: string;
  hostname: string;
  image: string;
  labels: Labels;
  env: Record<string, string>;
  capAdd: string[];
  sysctls: Record<string, string>;
  /** First entry is attached at create time, the rest before start. */
  networks: { network: string; ip: string }[];
  memoryMiB?: number;
  /** most processes (and threads) the container may hold at once */
  pidsLimit?: number;
  /** CPU share cap, in cores */
  cpus?: number;
  /** seconds between the engine's own runs of the image's health check (the image's interval if unset) */
  healthIntervalSeconds?: number;
  /** failed runs in a row before the engine marks the container unhealthy (the image's if unset) */
  healthRetries?: number;
}

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';
export type HealthState = 'healthy' | 'unhealthy' | 'starting' | 'none';

export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  labels: Labels;
  state: ContainerState;
  health: HealthState;
  /** network name → IPv4 address */
  ips: Record<string, string>;
}

/** One process of a container as the engine lists it (container top). */
export interface ContainerProcess {
  pid: number;
  user: string;
  /** full command line */
  command: string;
}

/** A path's stat as the archive API reports it. */
export interface PathStat {
  name: string;
  size: number;
  /** Go's os.FileMode bits (directory: bit 31) */
  mode: number;
  dir: boolean;
  mtime: string;
  linkTarget: string;
}

/** One entry of a path read through the archive API (a file, or everything under a directory). */
export interface PathEntry {
  /** path inside the container */
  path: string;
  type: 'file' | 'dir' | 'link' | 'other';
  size: number;
  /** content of regular files, up to the read's limit */
  content?: Buffer;
}

/**
 * Read-only looks into a running container that leave nothing inside it: no process in its
 * `ps`, no line in its logs (scoring checks use these).
 */
export interface Observe {
  /** the container's processes, listed by the engine from outside (container top) */
  top(container: string): Promise<ContainerProcess[]>;
  /** stat through the archive API; undefined when the path does not exist */
  stat(container: string, path: string): Promise<PathStat | undefined>;
  /**
   * A file, or a directory with everything under it, through the archive API; undefined when the
   * path does not exist. Contents beyond `maxBytes` in total are left out (entries still listed).
   */
  read(container: string, path: string, opts?: { maxBytes?: number }): Promise<PathEntry[] | undefined>;
  /**
   * Runs `script` (sh) in a one-shot container of `image` (the container's own image by default)
   * that shares the container's network namespace only: its traffic leaves from the container's
   * addresses, but it has its own processes (invisible in the container's `ps`) and files; no
   * entrypoint, no health check, removed when done.
   */
  inNetns(
    container: string,
    script: string,
    opts: {
      labels: Labels;
      timeoutMs: number;
      image?: string;
      /** capabilities beyond NET_RAW, e.g. NET_ADMIN to read the namespace's packet filters */
      caps?: string[];
    },
  ): Promise<ExecResult>;
  /**
   * Like `inNetns`, but the script keeps running: a long-lived container that shares only the
   * container's network namespace, whose stdout lines are handed to `onLine` as they come (a
   * watcher: one container for many answers instead of one per answer). `onEnd` is called once
   * when the script ends or the stream breaks; `stop()` kills and removes the container.
   */
  follow(
    container: string,
    script: string,
    opts: { labels: Labels; image?: string; caps?: string[] },
    onLine: (line: string) => void,
    onEnd: (err?: Error) => void,
  ): Promise<FollowHandle>;
}

/** A running `follow` watcher. */
export interface FollowHandle {
  stop(): Promise<void>;
}

export interface Containers {
  list(labels?: Labels): Promise<ContainerInfo[]>;
  inspect(idOrName: string): Promise<ContainerInfo | undefined>;
  create(spec: ContainerSpec): Promise<ContainerInfo>;
  start(idOrName: string): Promise<void>;
  remove(idOrName: string): Promise<void>;
  /**
   * memory in use (page cache left out) and, where the engine counts them, processes and the CPU
   * time (user + system, seconds) the container's cgroup used since it started
   */
  stats(idOrName: string): Promise<{ memoryBytes: number; pids?: number; cpuSeconds?: number }>;
  /** the container's caps as the engine applies them (0: none) */
  limits(idOrName: string): Promise<{ memoryBytes: number; pids: number; cpus: number }>;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  user?: string;
  timeoutMs?: number;
  env?: Record<string, string>;
}

/** A live process in a container: stdin/stdout as one stream (stderr merged when tty). */
export interface ExecSession {
  stream: Duplex;
  resize(cols: number, rows: number): Promise<void>;
  /** resolves with the exit code once the process ends */
  exited(): Promise<number>;
}

export interface Exec {
  run(container: string, cmd: string[], opts?: ExecOptions): Promise<ExecResult>;
  /**
   * Starts an interactive process (web terminals, or a raw TCP pipe such as `nc host 22`
   * used as the socket of an SSH client so the connection starts inside the range).
   * With `tty: false` the stream carries raw stdout only (stderr is discarded).
   */
  open(container: string, cmd: string[], opts?: ExecOptions & { tty?: boolean }): Promise<ExecSession>;
}

export interface ImageInfo {
  id: string;
  tags: string[];
  labels: Labels;
  healthcheck?: string[];
  sizeBytes: number;
}

export interface BuildProgress {
  /** one line of build output */
  line: string;
}

export interface Images {
  inspect(tag: string): Promise<ImageInfo | undefined>;
  list(labels?: Labels): Promise<ImageInfo[]>;
  /** Builds `contextDir` (with its Dockerfile) into `tag`; never pulls. */
  build(
    contextDir: string,
    tag: string,
    opts: { labels?: Labels; buildArgs?: Record<string, string>; onLine?: (line: string) => void },
  ): Promise<void>;
  /** Imports a root-filesystem tarball as an image (docker import). */
  importRootfs(tar: Readable, tag: string, opts: { changes?: string[] }): Promise<void>;
  remove(tag: string): Promise<void>;
}

export interface EngineInfo {
  endpoint: string;
  serverVersion: string;
  apiVersion: string;
  memTotalBytes: number;
  cpus: number;
  /** the OCI runtime containers run with unless told otherwise (runc, crun) */
  defaultRuntime: string;
}

/** A container's life event as the engine streams it (start, die, oom, destroy, health_status…). */
export interface ContainerEvent {
  action: string;
  /** container name */
  name: string;
  labels: Labels;
  /** exit code of a `die` */
  exitCode?: number;
  at: string;
}

/** A live subscription to the engine's events; it ends when the engine goes away. */
export interface EventWatch {
  close(): void;
}

/** One container engine; a course may spread teams over several of these. */
export interface Engine {
  readonly endpoint: string;
  readonly networks: Networks;
  readonly containers: Containers;
  readonly images: Images;
  readonly exec: Exec;
  /** looks into containers that leave no trace in them */
  readonly observe: Observe;
  ping(): Promise<void>;
  info(): Promise<EngineInfo>;
  /**
   * Follows container events of containers carrying `labels`; `onEnd` is called once when the
   * stream ends (engine stopped or restarted, or the connection failed), with the reason.
   */
  events(labels: Labels, onEvent: (e: ContainerEvent) => void, onEnd: (err?: Error) => void): Promise<EventWatch>;
  /**
   * Runs a one-shot container in the engine host's network namespace with NET_ADMIN,
   * so host firewall rules can be managed wherever the engine runs (local, TCP or SSH).
   */
  runOnHost(image: string, script: string, labels: Labels): Promise<ExecResult>;
}
