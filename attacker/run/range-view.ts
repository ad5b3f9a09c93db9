/**
 * The only way actions reach containers: a view of ONE team's range, resolved from the
 * engine by the exercise and team labels. Anything outside it is refused before it runs.
 */
import { rangePrefix, EnshuError, LABEL } from '../../core/index.js';
import { type Engine, type ExecOptions, type ExecResult, type ExecSession } from '../../orchestrator/index.js';

/** An action aimed outside its own team's range; carries the reason shown in the event. */
export class RefusedError extends EnshuError {}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export interface RangeNode {
  node: string;
  container: string;
  /** segment → address */
  ips: Record<string, string>;
}

export class RangeView {
  /** the scenario's logical node names (victim → pc1) */
  private aliases: Record<string, string> = {};

  private constructor(
    readonly engine: Engine,
    readonly exercise: string,
    readonly team: string,
    private readonly nodes: Map<string, RangeNode>,
    /** the seed the range was planned from (its networks' `enshu.seed` label), when labelled */
    readonly seed?: string,
  ) {}

  static async resolve(engine: Engine, exercise: string, team: string): Promise<RangeView> {
    const list = await engine.containers.list({ [LABEL.exercise]: exercise, [LABEL.team]: team });
    const nodes = new Map<string, RangeNode>();
    const prefix = rangePrefix(exercise, team);
    for (const c of list) {
      // the engine filtered by label already; check again so a driver bug cannot widen the scope
      if (c.labels[LABEL.exercise] !== exercise || c.labels[LABEL.team] !== team) continue;
      const node = c.labels[LABEL.node];
      if (!node) continue;
      const ips: Record<string, string> = {};
      for (const [net, ip] of Object.entries(c.ips).sort(([a], [b]) => a.localeCompare(b))) {
        ips[net.startsWith(prefix) ? net.slice(prefix.length) : net] = ip;
      }
      nodes.set(node, { node, container: c.name, ips });
    }
    const nets = await engine.networks.list({ [LABEL.exercise]: exercise, [LABEL.team]: team });
    const seed = nets.find((n) => n.labels[LABEL.seed])?.labels[LABEL.seed];
    return new RangeView(engine, exercise, team, nodes, seed);
  }

  withAliases(aliases: Record<string, string>): this {
    this.aliases = { ...aliases };
    return this;
  }

  private real(node: string): string {
    return this.aliases[node] ?? node;
  }

  nodeNames(): string[] {
    return [...this.nodes.keys()].sort();
  }

  has(node: string): boolean {
    return this.nodes.has(this.real(node));
  }

  /** `node` and `node.segment` → address, for `{{ip.*}}` templates. */
  ipMap(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const n of this.nodes.values()) {
      const entries = Object.entries(n.ips);
      if (entries[0]) out[n.node] = entries[0][1];
      for (const [seg, ip] of entries) out[`${n.node}.${seg}`] = ip;
    }
    return out;
  }

  /** The container of a node of this team, or a refusal naming what exists. */
  container(node: string): string {
    const n = this.nodes.get(this.real(node));
    if (!n) {
      throw new RefusedError(
        `refused: "${node}" is not a node of team ${this.team} in exercise ${this.exercise} (nodes: ${this.nodeNames().join(', ') || 'none running'})`,
        { exercise: this.exercise, team: this.team, node },
      );
    }
    return n.container;
  }

  /** Which node of this team owns an address, if any. */
  /** the range node a (possibly logical) name stands for */
  nodeName(node: string): string {
    return this.real(node);
  }

  ownerOf(ip: string): string | undefined {
    for (const n of this.nodes.values()) if (Object.values(n.ips).includes(ip)) return n.node;
    return undefined;
  }

  /**
   * A network target: a node name of this team (→ its address, or its address on `segment`)
   * or an IPv4 address that belongs to one of this team's nodes. Host names are refused:
   * they could resolve anywhere.
   */
  address(target: string, segment?: string): string {
    if (IPV4.test(target)) {
      if (!this.ownerOf(target)) {
        throw new RefusedError(
          `refused: ${target} is not an address in team ${this.team}'s range of exercise ${this.exercise}`,
          {
            exercise: this.exercise,
            team: this.team,
          },
        );
      }
      return target;
    }
    const n = this.nodes.get(this.real(target));
    if (!n) this.container(target);
    const ips = n!.ips;
    const ip = segment ? ips[segment] : Object.values(ips)[0];
    if (!ip)
      throw new RefusedError(`refused: node ${target} has no address${segment ? ` on segment ${segment}` : ''}`, {
        team: this.team,
        node: target,
      });
    return ip;
  }

  run(node: string, cmd: string[], opts?: ExecOptions): Promise<ExecResult> {
    return this.engine.exec.run(this.container(node), cmd, opts);
  }

  sh(node: string, script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    return this.run(node, ['sh', '-c', script], { timeoutMs: 60_000, ...opts });
  }

  open(node: string, cmd: string[], opts?: ExecOptions & { tty?: boolean }): Promise<ExecSession> {
    return this.engine.exec.open(this.container(node), cmd, opts);
  }
}
