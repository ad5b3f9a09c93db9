/**
 * Who may open a shell on which node. Both doors into a range (the browser terminal and the SSH
 * gateway) resolve targets here, so the team check lives in one place.
 */
import { EnshuError, NotFoundError, LABEL, containerName } from '../../core/index.js';
import type { Engine, Topology } from '../../orchestrator/index.js';
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
}

/** Node and user names as they appear in topologies; anything else never reaches the engine. */
const NAME = /^[a-z0-9][a-z0-9_-]{0,40}$/;

/** May this principal open a shell in `team`'s range? Trainees only in their own team. */
export function mayOpen(p: Principal | undefined, ref: TeamRef): boolean {
  if (!p) return false;
  if (p.role === 'instructor') return true;
  return p.role === 'trainee' && p.exercise === ref.exercise && p.team === ref.team;
}

/**
 * Resolves a node of a team to its container and the login command. The user defaults to the
 * node's first account from the topology (the node's own user), or root where it has none (FW).
 */
export async function resolveShell(
  deps: GatewayDeps,
  ref: TeamRef,
  node: string,
  opts: { user?: string; command?: string } = {},
): Promise<ShellTarget> {
  const ctx = { exercise: ref.exercise, team: ref.team, node };
  if (!NAME.test(node)) throw new AccessDeniedError(`no node "${node}" in this range`, ctx);
  const topology = deps.topology(ref.exercise);
  const spec = topology?.nodes.find((n) => n.name === node);
  if (!spec) throw new AccessDeniedError(`no node "${node}" in this range`, ctx);
  const accounts = spec.accounts.map((a) => a.user);
  const user = opts.user ?? accounts[0] ?? 'root';
  if (user !== 'root' && !accounts.includes(user))
    throw new AccessDeniedError(`node ${node} has no user "${user}"`, ctx);
  const container = containerName(ref.exercise, ref.team, node);
  const info = await deps.engine.containers.inspect(container);
  // Labels, not just the name, decide: a container that merely carries the name is not ours.
  if (!info || info.labels[LABEL.exercise] !== ref.exercise || info.labels[LABEL.team] !== ref.team) {
    throw new NotFoundError(`node ${node} of team ${ref.team} is not provisioned`, ctx);
  }
  if (info.state !== 'running') throw new NotFoundError(`node ${node} of team ${ref.team} is ${info.state}`, ctx);
  const argv =
    user === 'root'
      ? opts.command
        ? ['bash', '-lc', opts.command]
        : ['bash', '-l']
      : opts.command
        ? ['su', '-', user, '-c', opts.command]
        : ['su', '-', user];
  return { container, user, argv };
}

/** The terminal type both doors announce to the shell. */
export const TERM_ENV = { TERM: 'xterm-256color', LANG: 'C.UTF-8' };
