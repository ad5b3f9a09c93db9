/**
 * Who may open a shell on which node. Both doors into a range (the browser terminal and the SSH
 * gateway) resolve targets here, so the team check lives in one place.
 */
import { EnshuError, NotFoundError, LABEL, containerName, teamFacts } from '../../core/index.js';
import type { Engine, Topology, TopologyNode } from '../../orchestrator/index.js';
import type { Principal } from '../store/index.js';

/** A shell request refused for the caller (other team, unknown node or user). */
export class AccessDeniedError extends EnshuError {}

export interface TeamRef {
  exercise: string;
  team: string;
}

/** What the gateway needs from the server, as narrow functions (the server binds them to its store). */
export interface GatewayDeps {
  engine: Engine;
  /** the team a join code belongs to */
  teamByCode(code: string): TeamRef | undefined;
  /** the principal a bearer token speaks for */
  principal(token: string): Principal | undefined;
  /** the topology the exercise's ranges were built from */
  topology(exercise: string): Topology | undefined;
}

export interface ShellTarget {
  container: string;
  user: string;
  argv: string[];
  /** environment for the exec (TERM, and the command to run, see COMMAND_VAR) */
  env: Record<string, string>;
}

/** Node and user names as they appear in topologies; anything else never reaches the engine. */
const NAME = /^[a-z0-9][a-z0-9_-]{0,40}$/;

/** May this principal open a shell in `team`'s range? Trainees only in their own team. */
export function mayOpen(p: Principal | undefined, ref: TeamRef): boolean {
  if (!p) return false;
  if (p.role === 'instructor') return true;
  return p.role === 'trainee' && p.exercise === ref.exercise && p.team === ref.team;
}

/** Who asks for a shell: a trainee team (browser terminal or SSH gateway) or an instructor. */
export type Asker = 'trainee' | 'instructor';

export type TraineeAccess = NonNullable<TopologyNode['trainee']>;

/**
 * What a team may do on a node, from the topology's `trainee:` section. Without one the node is
 * closed to trainees, and the pseudo-attacker's hosts are hidden too.
 */
export function traineeAccess(node: TopologyNode): TraineeAccess {
  return node.trainee ?? { open: false, root: false, users: [], visible: node.role !== 'attacker' };
}

/** May trainees see this node (map, addresses, terminal list)? */
export function visibleToTrainees(node: TopologyNode): boolean {
  return traineeAccess(node).visible && node.role !== 'attacker';
}

/**
 * The node's login accounts in a team's range: the topology's `accounts`, then (with
 * `staffAccounts: true`) the staff accounts the team's facts give it. Without the seed the staff
 * are unknown and only the topology's accounts count.
 */
export function nodeAccounts(topology: Topology, node: TopologyNode, team: string, seed?: string): string[] {
  const own = node.accounts.map((a) => a.user);
  const sel = node.staff;
  if (!sel || !node.staffAccounts || seed === undefined) return own;
  const staff = teamFacts(seed, team, topology.domain)
    .staff.filter((s) => sel === 'all' || sel.includes(s.department))
    .map((s) => s.user)
    .filter((u) => !own.includes(u));
  return [...own, ...staff];
}

/** The seed of the team's facts, from its range's networks (where `RangeManager.up` labels it). */
export async function rangeSeed(engine: Engine, ref: TeamRef): Promise<string | undefined> {
  const nets = await engine.networks.list({ [LABEL.exercise]: ref.exercise, [LABEL.team]: ref.team });
  return nets.find((n) => n.labels[LABEL.seed])?.labels[LABEL.seed];
}

/**
 * The users `who` may log in as on a node, the default first: the node's own accounts, then root,
 * then its staff — so the default is the node's own user, or root where it has none (the FW, the
 * servers). Empty: `who` may not open the node at all. Instructors may use every account and
 * root; trainees what the node's `trainee:` section allows, and never the attacker's host.
 */
export function allowedUsers(node: TopologyNode, accounts: string[], who: Asker): string[] {
  const own = new Set(node.accounts.map((x) => x.user));
  const order = (users: string[], root: boolean) => [
    ...users.filter((u) => own.has(u)),
    ...(root ? ['root'] : []),
    ...users.filter((u) => !own.has(u)),
  ];
  if (who === 'instructor') return order(accounts, true);
  const a = traineeAccess(node);
  if (!a.open || node.role === 'attacker') return [];
  const listed = a.users;
  const users =
    listed === 'all'
      ? accounts
      : accounts.filter((u) => listed.includes(u) || (listed.includes('staff') && !own.has(u)));
  return order(users, a.root);
}

/**
 * Resolves a node of a team to its container and the login command. The user defaults to the
 * first user `who` may log in as (the node's own user, or root where it has none, e.g. the FW).
 * Trainees (the default asker) get only what the topology's `trainee:` section allows.
 */
export async function resolveShell(
  deps: GatewayDeps,
  ref: TeamRef,
  node: string,
  opts: { user?: string; command?: string; as?: Asker } = {},
): Promise<ShellTarget> {
  const ctx = { exercise: ref.exercise, team: ref.team, node };
  const who = opts.as ?? 'trainee';
  if (!NAME.test(node)) throw new AccessDeniedError(`no node "${node}" in this range`, ctx);
  const topology = deps.topology(ref.exercise);
  const spec = topology?.nodes.find((n) => n.name === node);
  // a node hidden from trainees answers like one that does not exist
  if (!topology || !spec || (who === 'trainee' && !visibleToTrainees(spec)))
    throw new AccessDeniedError(`no node "${node}" in this range`, ctx);
  // decided before the engine is asked anything
  if (who === 'trainee' && !traineeAccess(spec).open)
    throw new AccessDeniedError(`node ${node} is not open to trainees`, ctx);
  const container = containerName(ref.exercise, ref.team, node);
  const info = await deps.engine.containers.inspect(container);
  // Labels, not just the name, decide: a container that merely carries the name is not ours.
  if (!info || info.labels[LABEL.exercise] !== ref.exercise || info.labels[LABEL.team] !== ref.team) {
    throw new NotFoundError(`node ${node} of team ${ref.team} is not provisioned`, ctx);
  }
  // the staff accounts (from the team's facts) are looked up only when the node's own do not do
  const own = allowedUsers(spec, nodeAccounts(topology, spec, ref.team), who);
  const enough = opts.user === undefined ? own.length > 0 : own.includes(opts.user);
  const users = enough
    ? own
    : allowedUsers(spec, nodeAccounts(topology, spec, ref.team, await rangeSeed(deps.engine, ref)), who);
  const user = opts.user ?? users[0];
  if (user === undefined || !users.includes(user)) {
    throw new AccessDeniedError(
      user === 'root' ? `root is not open to trainees on ${node}` : `node ${node} has no user "${user ?? ''}"`,
      ctx,
    );
  }
  if (info.state !== 'running') throw new NotFoundError(`node ${node} of team ${ref.team} is ${info.state}`, ctx);
  // A command travels in the environment, not on a command line: `pkill -f <pattern>` over SSH
  // then does not match (and kill) the very shell that runs it.
  const run = 'eval "$' + COMMAND_VAR + '"';
  const argv =
    user === 'root'
      ? opts.command
        ? ['bash', '-lc', run]
        : ['bash', '-l']
      : opts.command
        ? ['su', '-', user, '-w', COMMAND_VAR, '-c', run]
        : ['su', '-', user];
  const env = opts.command ? { ...TERM_ENV, [COMMAND_VAR]: opts.command } : { ...TERM_ENV };
  return { container, user, argv, env };
}

/** The variable a command reaches its shell in. */
export const COMMAND_VAR = 'ENSHU_COMMAND';

/** The terminal type both doors announce to the shell. */
export const TERM_ENV = { TERM: 'xterm-256color', LANG: 'C.UTF-8' };
