/** A server without a container engine for the security tests: real HTTP and sockets on loopback. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accessRouteFactory, attackPort, reportingPort, scoringPort, type ServerOptions } from '../../server/index.js';
import { ADMIN, startServer, type Running } from '../server/helpers.js';

export { ADMIN, connect, join, type Client, type Running } from '../server/helpers.js';

export const SCENARIO = 'a-phishing-c2-exfil';

export interface Secured extends Running {
  dataDir: string;
  /** a fresh instructor token (user `admin`) */
  admin(): string;
  stop(): Promise<void>;
}

/** Starts a server as `enshu serve` mounts it, minus the engine; generous limits unless given. */
export async function secureServer(prefix: string, o: Partial<ServerOptions> = {}): Promise<Secured> {
  const dataDir = mkdtempSync(join(tmpdir(), `enshu-sec-${prefix}-`));
  const run = await startServer({
    dataDir,
    attack: attackPort(),
    scoring: scoringPort(),
    reporting: reportingPort(),
    extraRoutes: accessRouteFactory(undefined),
    limits: { submissionsPerMinute: 10_000, loginFailures: 1000, joinFailures: 1000 },
    ...o,
  });
  return {
    ...run,
    dataDir,
    admin: () => run.server.store.auth.issue({ role: 'instructor', subject: ADMIN.user }),
    stop: async () => {
      await run.server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Creates an exercise with two teams through the API and, without an engine, marks it provisioned
 * in the store; `running` also starts it. Returns the join codes by team.
 */
export async function exerciseWithTeams(
  run: Secured,
  id: string,
  state: 'created' | 'ready' | 'running' = 'running',
): Promise<{ codes: Record<string, string> }> {
  const created = await run.api<{ teams: { id: string; joinCode: string }[] }>(
    'POST',
    '/api/exercises',
    { id, course: 'A', scenario: SCENARIO, teams: [{ name: 'Blue' }, { name: 'Red' }] },
    run.admin(),
  );
  if (created.status !== 201) throw new Error(`create ${id}: ${created.status} ${created.text}`);
  if (state !== 'created') {
    run.server.store.exercises.transition(id, 'provisioning');
    run.server.store.exercises.transition(id, 'ready');
  }
  if (state === 'running') {
    const started = await run.api('POST', `/api/exercises/${id}/start`, undefined, run.admin());
    if (started.status !== 200) throw new Error(`start ${id}: ${started.status} ${started.text}`);
  }
  return { codes: Object.fromEntries(created.body.teams.map((t) => [t.id, t.joinCode])) };
}
