import { ConfigError, EngineError, NotFoundError, teamId, mapLimit, topologiesDir } from '../../core/index.js';
import { LABEL, type ContainerInfo, type ContainerSpec, type Engine } from '../docker/types.js';
import { addressOffset } from './slots.js';
import { withProvisionLock } from './provision-lock.js';
import { nodeLimitsSpec } from './limits.js';
import { planTeam, type PlannedNode, type TeamPlan } from '../topology/plan.js';
import type { Topology } from '../topology/schema.js';
import { loadTopology, loadTopologyById, topologySource } from '../topology/load.js';
import { baseTag, roleTag } from '../images/catalog.js';
import { HostGuard } from '../host/guard.js';
import { healthCommand, waitHealthy } from './health.js';
import { startOrder } from './start-order.js';
import { nodeCapabilities, nodeEnv, nodeSysctls } from './node-config.js';
import { noProgress, type ProgressSink, type RangeProgress } from './events.js';

export interface UpOptions {
  exercise: string;
  topology: Topology;
  teams: number;
  /** Seed of the per-team facts (staff, passwords, documents); default: the exercise id. */
  seed?: string;
  /** containers created/started at once across the exercise */
  concurrency?: number;
  onProgress?: ProgressSink;
}

export interface NodeStatus {
  node: string;
  role: string;
  container: string;
  state: string;
  health: string;
  ips: Record<string, string>;
}

export interface TeamStatus {
  team: string;
  slot: number;
  ready: boolean;
  nodes: NodeStatus[];
  networks: { segment: string; name: string; subnet: string; bridge?: string }[];
}

export interface ExerciseStatus {
  exercise: string;
  topology: string;
  teams: TeamStatus[];
}

export interface DownResult {
  containers: number;
  networks: number;
  hostRules: number;
}

const NODE_KIND = 'node';
const NETWORK_KIND = 'segment';

/**
 * Docker's own periodic health check, which only keeps `status` honest once `up` has proved
 * readiness. Each check is an exec (80–280 ms of CPU here); at 30 s it was half of what a team at
 * rest costs. `ENSHU_HEALTH_INTERVAL_S` trades CPU for how soon `status` sees a broken service.
 */
const ENGINE_HEALTH_INTERVAL_S =
  Number(process.env.ENSHU_HEALTH_INTERVAL_S) > 0 ? Number(process.env.ENSHU_HEALTH_INTERVAL_S) : 120;
/**
 * Two failed runs in a row mark a node unhealthy: with the 120 s interval a broken service shows
 * within 4 minutes (60 s × 3 before), for half the engine's exec load at rest (measured: the
 * engine's side of a team's health checks was more than half of what a team at rest cost).
 */
const ENGINE_HEALTH_RETRIES = 2;
/**
 * Containers created and started at once. The engine serialises much of a start (network
 * attach, iptables), so more in flight only queues inside dockerd; measured with
 * `npm run bench:provision`.
 */
const CREATE_CONCURRENCY = 4;

/**
 * Builds, inspects, resets and removes team ranges on one engine. Everything it creates
 * carries enshu labels and is found again by them, so every operation is idempotent and
 * a restarted orchestrator re-adopts what exists.
 */
export class RangeManager {
  constructor(readonly engine: Engine) {}

  private guard(): HostGuard {
    return new HostGuard(this.engine, baseTag());
  }

  /** Converges the exercise to `teams` healthy team ranges of `topology`. */
  async up(o: UpOptions): Promise<ExerciseStatus> {
    const emit = progressEmitter(o.exercise, o.onProgress ?? noProgress);
    if (o.teams < 1 || o.teams > 200)
      throw new ConfigError(`--teams must be between 1 and 200 (got ${o.teams})`, { exercise: o.exercise });
    const existing = await this.engine.networks.list({ [LABEL.exercise]: o.exercise });
    const topoLabel = existing.find((n) => n.labels[LABEL.topology])?.labels[LABEL.topology];
    if (topoLabel && topoLabel !== o.topology.id) {
      throw new ConfigError(
        `exercise ${o.exercise} already runs topology ${topoLabel}; take it down before using ${o.topology.id}`,
        { exercise: o.exercise },
      );
    }
    const missing: string[] = [];
    for (const r of new Set(o.topology.nodes.map((n) => n.role)))
      if (!(await this.engine.images.inspect(roleTag(r)))) missing.push(r);
    if (!(await this.engine.images.inspect(baseTag()))) missing.push('base');
    if (missing.length)
      throw new NotFoundError(`images missing for role(s) ${missing.join(', ')}: run \`enshu images\` first`, {
        exercise: o.exercise,
      });
    const seedLabel = existing.find((n) => n.labels[LABEL.seed])?.labels[LABEL.seed];
    if (seedLabel && o.seed !== undefined && o.seed !== seedLabel) {
      throw new ConfigError(`exercise ${o.exercise} already runs with another seed; take it down before changing it`, {
        exercise: o.exercise,
      });
    }
    const seed = seedLabel ?? o.seed ?? o.exercise;
    // Topologies outside topologies/ are remembered by file so reset can re-plan them.
    const file = topologySource(o.topology);
    const topologyFile = file && !file.startsWith(topologiesDir()) ? file : undefined;

    // Picking free address slots and creating networks on them is one step for the whole engine:
    // two exercises doing it at once would pick the same slot. The networks are created team by
    // team while the lock is held, and a team's containers start as soon as its own networks and
    // the host rules exist: with 8 teams, creating 72 networks took 4.5 s and the rules 1.5 s, with
    // the CPU half idle, before the first container started.
    const planned = settleable<TeamPlan[]>();
    const teamNetworks = new Map<string, ReturnType<typeof settleable<void>>>();
    const provisioned = withProvisionLock(this.engine, { owner: o.exercise, image: baseTag() }, async () => {
      const mine = await this.engine.networks.list({ [LABEL.exercise]: o.exercise });
      const offset = await addressOffset(this.engine, o.exercise, o.topology, o.teams, mine);
      const plans = Array.from({ length: o.teams }, (_, i) =>
        planTeam(o.topology, o.exercise, teamId(i + 1), i + 1 + offset, { seed }),
      );
      for (const plan of plans) teamNetworks.set(plan.team, settleable<void>());
      emit({
        step: 'plan',
        status: 'done',
        message: `${o.teams} team(s) of ${o.topology.id}, address slots ${1 + offset}–${o.teams + offset}`,
      });
      planned.resolve(plans);
      for (const plan of plans) {
        await this.ensureNetworks(plan, o.topology.id, topologyFile, emit);
        teamNetworks.get(plan.team)!.resolve();
      }
    }).catch((err: unknown) => {
      planned.reject(err);
      for (const n of teamNetworks.values()) n.reject(err);
      throw err;
    });
    provisioned.catch(() => undefined); // awaited below; its failure must not also be an unhandled rejection
    const plans = await planned.promise;
    // Rules name bridges, not addresses, so they go in before the bridges exist: no node of the
    // exercise ever runs without them.
    emit({ step: 'host-rules', status: 'start', message: 'isolating range bridges from the host' });
    const hostRules = this.guard()
      .apply(
        o.exercise,
        plans.flatMap((p) => p.networks.map((n) => n.bridge)),
      )
      .then(() => emit({ step: 'host-rules', status: 'done', message: 'host rules in place' }));
    hostRules.catch(() => undefined);

    const work = startOrder(
      plans.flatMap((plan) => plan.nodes.map((node) => ({ plan, node }))),
      (w) => w.plan.team,
    );
    const counters = new Map(plans.map((p) => [p.team, { done: 0, total: p.nodes.length * 2 }]));
    const tick = (team: string) => {
      const c = counters.get(team)!;
      c.done++;
      return c;
    };
    // A node's health wait starts as soon as it runs, while later nodes are still being created:
    // with many teams the first teams' services come up during the rest of the creation.
    const waits: Promise<unknown>[] = [];
    let allStarted: number | undefined;
    const started = mapLimit(work, o.concurrency ?? CREATE_CONCURRENCY, async ({ plan, node }) => {
      await Promise.all([hostRules, teamNetworks.get(plan.team)!.promise]);
      await this.ensureContainer(plan, node, o.topology.id);
      const c = tick(plan.team);
      emit({
        team: plan.team,
        node: node.name,
        step: 'container',
        status: 'done',
        message: `${node.name} running`,
        done: c.done,
        total: c.total,
      });
      waits.push(
        this.waitNode(plan, node, () => allStarted)
          .then(() => {
            const h = tick(plan.team);
            emit({
              team: plan.team,
              node: node.name,
              step: 'health',
              status: 'done',
              message: `${node.name} healthy`,
              done: h.done,
              total: h.total,
            });
            if (h.done === h.total)
              emit({
                team: plan.team,
                step: 'ready',
                status: 'done',
                message: `team ${plan.team} ready`,
                done: h.done,
                total: h.total,
              });
          })
          .then(
            () => undefined,
            (err: unknown) => ({ err }),
          ),
      );
    });
    started.catch(() => undefined);
    // The lock's and the rules' own errors first: a node that waited on them failed only because of them.
    await provisioned;
    await hostRules;
    await started;
    allStarted = Date.now();
    const failed = (await Promise.all(waits)).find((r): r is { err: unknown } => !!r);
    if (failed) throw failed.err;
    const [status] = await this.status(o.exercise);
    return status!;
  }

  private async ensureNetworks(
    plan: TeamPlan,
    topologyId: string,
    topologyFile: string | undefined,
    emit: (p: Omit<RangeProgress, 'exercise' | 'at'>) => void,
  ): Promise<void> {
    const have = await this.engine.networks.list({ [LABEL.exercise]: plan.exercise, [LABEL.team]: plan.team });
    for (const n of plan.networks) {
      const found = have.find((h) => h.name === n.name);
      if (found) {
        if (!found.internal || !found.subnets.includes(n.subnet)) {
          throw new EngineError(
            `network ${n.name} exists with other settings (subnet ${found.subnets.join(',')}, internal ${found.internal}); run \`enshu down --exercise ${plan.exercise}\``,
            { exercise: plan.exercise, team: plan.team },
          );
        }
        continue;
      }
      await this.engine.networks.create({
        name: n.name,
        bridge: n.bridge,
        subnet: n.subnet,
        gateway: n.hostGateway,
        labels: {
          [LABEL.exercise]: plan.exercise,
          [LABEL.team]: plan.team,
          [LABEL.segment]: n.segment,
          [LABEL.node]: '',
          [LABEL.role]: 'segment',
          [LABEL.slot]: String(plan.slot),
          [LABEL.topology]: topologyId,
          [LABEL.kind]: NETWORK_KIND,
          [LABEL.seed]: plan.seed,
          ...(topologyFile ? { [LABEL.topologyFile]: topologyFile } : {}),
        },
      });
      emit({ team: plan.team, step: 'network', status: 'done', message: `network ${n.segment} ${n.subnet}` });
    }
  }

  private async containerSpec(plan: TeamPlan, node: PlannedNode, topologyId: string): Promise<ContainerSpec> {
    const image = roleTag(node.role);
    const info = await this.engine.images.inspect(image);
    const imageLabels = info?.labels ?? {};
    return {
      name: node.containerName,
      hostname: node.name,
      image,
      labels: {
        [LABEL.exercise]: plan.exercise,
        [LABEL.team]: plan.team,
        [LABEL.node]: node.name,
        [LABEL.role]: node.role,
        [LABEL.slot]: String(plan.slot),
        [LABEL.topology]: topologyId,
        [LABEL.kind]: NODE_KIND,
      },
      env: nodeEnv(plan, node),
      capAdd: nodeCapabilities(node, imageLabels),
      sysctls: nodeSysctls(imageLabels),
      networks: node.interfaces.map((i) => ({ network: i.network, ip: i.ip })),
      ...nodeLimitsSpec(node),
      healthIntervalSeconds: ENGINE_HEALTH_INTERVAL_S,
      healthRetries: ENGINE_HEALTH_RETRIES,
    };
  }

  /** Adopts a matching container, replaces one that drifted (image or addresses), creates a missing one. */
  private async ensureContainer(plan: TeamPlan, node: PlannedNode, topologyId: string): Promise<void> {
    const spec = await this.containerSpec(plan, node, topologyId);
    const current = await this.engine.containers.inspect(spec.name);
    if (current && !matches(current, spec)) await this.engine.containers.remove(current.id);
    const c = current && matches(current, spec) ? current : await this.engine.containers.create(spec);
    if (c.state !== 'running') await this.engine.containers.start(c.id);
  }

  private async waitNode(plan: TeamPlan, node: PlannedNode, busyUntil?: () => number | undefined): Promise<void> {
    const image = await this.engine.images.inspect(roleTag(node.role));
    await waitHealthy(this.engine, {
      container: node.containerName,
      command: healthCommand(node.health?.command, image?.healthcheck),
      timeoutMs: (node.health?.timeoutSeconds ?? 120) * 1000,
      what: `team ${plan.team} node ${node.name}`,
      context: { exercise: plan.exercise, team: plan.team, node: node.name },
      ...(busyUntil ? { busyUntil } : {}),
    });
  }

  async status(exercise?: string): Promise<ExerciseStatus[]> {
    const sel: Record<string, string> = exercise ? { [LABEL.exercise]: exercise } : {};
    const [containers, networks] = await Promise.all([
      this.engine.containers.list({ ...sel, [LABEL.kind]: NODE_KIND }),
      this.engine.networks.list({ ...sel, [LABEL.kind]: NETWORK_KIND }),
    ]);
    const byExercise = new Map<string, ExerciseStatus>();
    const team = (ex: string, topo: string, t: string, slot: number): TeamStatus => {
      let e = byExercise.get(ex);
      if (!e) byExercise.set(ex, (e = { exercise: ex, topology: topo, teams: [] }));
      let ts = e.teams.find((x) => x.team === t);
      if (!ts) e.teams.push((ts = { team: t, slot, ready: true, nodes: [], networks: [] }));
      return ts;
    };
    for (const n of networks) {
      const l = n.labels;
      team(l[LABEL.exercise]!, l[LABEL.topology] ?? '?', l[LABEL.team]!, Number(l[LABEL.slot])).networks.push({
        segment: l[LABEL.segment]!,
        name: n.name,
        subnet: n.subnets[0] ?? '',
        ...(n.bridge ? { bridge: n.bridge } : {}),
      });
    }
    for (const c of containers) {
      const l = c.labels;
      const ts = team(l[LABEL.exercise]!, l[LABEL.topology] ?? '?', l[LABEL.team]!, Number(l[LABEL.slot]));
      ts.nodes.push({
        node: l[LABEL.node]!,
        role: l[LABEL.role]!,
        container: c.name,
        state: c.state,
        health: c.health,
        ips: c.ips,
      });
      if (c.state !== 'running' || c.health === 'unhealthy') ts.ready = false;
    }
    const out = [...byExercise.values()].sort((a, b) => a.exercise.localeCompare(b.exercise));
    for (const e of out) {
      e.teams.sort((a, b) => a.team.localeCompare(b.team));
      for (const t of e.teams) {
        t.nodes.sort((a, b) => a.node.localeCompare(b.node));
        t.networks.sort((a, b) => a.segment.localeCompare(b.segment));
        if (t.nodes.length === 0) t.ready = false;
      }
    }
    return out;
  }

  /** Puts a node (or every node of a team) back to its image's clean state. */
  async reset(o: { exercise: string; team: string; node?: string; onProgress?: ProgressSink }): Promise<void> {
    const emit = progressEmitter(o.exercise, o.onProgress ?? noProgress);
    const nets = await this.engine.networks.list({ [LABEL.exercise]: o.exercise, [LABEL.team]: o.team });
    const first = nets[0];
    if (!first)
      throw new NotFoundError(`team ${o.team} of exercise ${o.exercise} has no range (is it up?)`, {
        exercise: o.exercise,
        team: o.team,
      });
    const file = first.labels[LABEL.topologyFile];
    const topology = file ? loadTopology(file) : loadTopologyById(first.labels[LABEL.topology]!);
    const seed = first.labels[LABEL.seed];
    const plan = planTeam(topology, o.exercise, o.team, Number(first.labels[LABEL.slot]), seed ? { seed } : {});
    const nodes = o.node ? plan.nodes.filter((n) => n.name === o.node) : plan.nodes;
    if (o.node && nodes.length === 0) {
      throw new NotFoundError(
        `no node "${o.node}" in topology ${topology.id} (nodes: ${plan.nodes.map((n) => n.name).join(', ')})`,
        { exercise: o.exercise, team: o.team, node: o.node },
      );
    }
    // Every old container goes first, as many at once as `down` removes (a removal is mostly the
    // engine unmounting and tearing down a network namespace, not CPU); then, as in `up`, slow
    // roles first and each node's health wait starts as soon as it runs. Not overlapped: starting
    // new nodes while the engine still removed old ones on the same networks left Docker 20.10 with a
    // stale endpoint (a network `down` could not remove until the engine restarted), and old and new
    // nodes never meet this way (no old syslog line in a fresh SOC).
    await mapLimit(nodes, 8, async (node) => {
      emit({ team: o.team, node: node.name, step: 'remove', status: 'start', message: `resetting ${node.name}` });
      await this.engine.containers.remove(node.containerName);
    });
    const waits: Promise<unknown>[] = [];
    let allStarted: number | undefined;
    await mapLimit(startOrder(nodes.map((node) => ({ node }))), CREATE_CONCURRENCY, async ({ node }) => {
      await this.ensureContainer(plan, node, topology.id);
      waits.push(
        this.waitNode(plan, node, () => allStarted).then(
          () => {
            emit({
              team: o.team,
              node: node.name,
              step: 'health',
              status: 'done',
              message: `${node.name} reset and healthy`,
            });
          },
          (err: unknown) => ({ err }),
        ),
      );
    });
    allStarted = Date.now();
    const failed = (await Promise.all(waits)).find((r): r is { err: unknown } => !!r);
    if (failed) throw failed.err;
  }

  /** Removes containers, networks and host rules of one exercise, or of all with `all`. */
  async down(o: { exercise?: string; onProgress?: ProgressSink }): Promise<DownResult> {
    const emit = progressEmitter(o.exercise ?? '*', o.onProgress ?? noProgress);
    const sel: Record<string, string> = o.exercise ? { [LABEL.exercise]: o.exercise } : {};
    const containers = await this.engine.containers.list({ ...sel, [LABEL.kind]: NODE_KIND });
    await mapLimit(containers, 8, async (c: ContainerInfo) => {
      await this.engine.containers.remove(c.id);
      emit({
        team: c.labels[LABEL.team]!,
        node: c.labels[LABEL.node]!,
        step: 'remove',
        status: 'done',
        message: `removed ${c.name}`,
      });
    });
    const networks = await this.engine.networks.list({ ...sel, [LABEL.kind]: NETWORK_KIND });
    for (const n of networks) await this.engine.networks.remove(n.id);
    let hostRules = 0;
    if (await this.engine.images.inspect(baseTag())) hostRules = await this.guard().remove(o.exercise);
    emit({
      step: 'remove',
      status: 'done',
      message: `removed ${containers.length} containers, ${networks.length} networks, ${hostRules} host rules`,
    });
    return { containers: containers.length, networks: networks.length, hostRules };
  }

  async hostRules(): Promise<string[]> {
    return this.guard().list();
  }
}

function matches(c: ContainerInfo, spec: ContainerSpec): boolean {
  if (c.image !== spec.image) return false;
  return spec.networks.every((n) => c.ips[n.network] === n.ip) || c.state !== 'running';
}

function progressEmitter(exercise: string, sink: ProgressSink) {
  return (p: Omit<RangeProgress, 'exercise' | 'at'>) => sink({ exercise, at: new Date().toISOString(), ...p });
}

/** A promise with its resolve and reject at hand; it never counts as an unhandled rejection. */
function settleable<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (err: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
