/**
 * REST routes the trainee workspace needs beside the exercise API: the team's range as drawn
 * (segments, nodes, addresses, health) and search over the team's SOC log. Registered through
 * the server's `extraRoutes` option, so they share its auth and OpenAPI document.
 */
import type { Request } from 'express';
import { RangeManager } from '../../orchestrator/index.js';
import { route, type RouteSpec } from '../routes.js';
import { Answer } from '../schemas.js';
import { routeTeam } from '../access.js';
import type { Store } from '../store/index.js';
import { EngineError, NotFoundError, containerName } from '../../core/index.js';
import { allowedUsers, nodeAccounts, rangeSeed, visibleToTrainees, type Asker, type GatewayDeps } from './access.js';
import { loadGlossary } from '../../scoreboard/index.js';
import { type Glossary, type LogLine, type RangeNodeView, type RangeView } from '../../protocol/index.js';

export type { LogLine, RangeNodeView, RangeView };

const param = (req: Request, k: string): string => String(req.params[k]);
const q = (req: Request, k: string): string | undefined => {
  const v = req.query[k];
  return typeof v === 'string' && v.trim() ? v.trim().slice(0, 200) : undefined;
};
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Without `deps` (no engine) only the glossary route answers; range and logs say the engine is missing. */
export function accessRoutes(store: Store, withEngine: GatewayDeps | undefined): RouteSpec[] {
  const need = (): GatewayDeps => {
    if (!withEngine) throw new EngineError('no container engine: ranges are not available');
    return withEngine;
  };

  /**
   * The ranges as drawn for `who`: trainees see only the nodes their topology shows them (never
   * the pseudo-attacker's hosts) and, per node, the users they may open it as (default first).
   */
  async function rangeViews(exercise: string, team: string | undefined, who: Asker): Promise<RangeView[]> {
    const deps = need();
    const ranges = new RangeManager(deps.engine);
    const topology = deps.topology(exercise);
    if (!topology) throw new NotFoundError(`no exercise ${exercise}`, { exercise });
    const status = (await ranges.status(exercise))[0];
    const teams = store.exercises
      .teams(exercise)
      .map((t) => t.id)
      .filter((t) => !team || t === team);
    return Promise.all(
      teams.map(async (t) => {
        const ts = status?.teams.find((x) => x.team === t);
        // the team's facts (its staff accounts) come from the seed the range was built with
        const seed = ts ? await rangeSeed(deps.engine, { exercise, team: t }) : undefined;
        const netToSeg = new Map(ts?.networks.map((n) => [n.name, n.segment]) ?? []);
        return {
          team: t,
          ready: ts?.ready ?? false,
          segments: topology.segments.map((s) => ({
            name: s.name,
            purpose: s.purpose,
            subnet: ts?.networks.find((n) => n.segment === s.name)?.subnet ?? '',
          })),
          nodes: topology.nodes
            .filter((n) => who === 'instructor' || visibleToTrainees(n))
            .map((n) => {
              const live = ts?.nodes.find((x) => x.node === n.name);
              const ips: Record<string, string> = {};
              for (const [net, ip] of Object.entries(live?.ips ?? {})) ips[netToSeg.get(net) ?? net] = ip;
              return {
                node: n.name,
                role: n.role,
                title: n.title ?? n.name,
                state: live?.state ?? 'absent',
                health: live?.health ?? 'none',
                ips,
                users: allowedUsers(n, nodeAccounts(topology, n, t, seed), who),
              };
            }),
        };
      }),
    );
  }

  let glossary: Glossary | undefined;
  return [
    route({
      method: 'get',
      path: '/api/glossary',
      response: Answer.Glossary,
      summary: 'the plain-language glossary (jargon → plain words, ja and en) the report form checks against',
      roles: ['instructor', 'organizer', 'trainee'],
      handler: () => (glossary ??= loadGlossary()),
    }),
    route({
      method: 'get',
      path: '/api/exercises/:exercise/range',
      response: Answer.Ranges,
      summary: 'every team’s range: segments, nodes, addresses, health (staff)',
      roles: ['instructor', 'organizer'],
      handler: async ({ req }) => ({ teams: await rangeViews(param(req, 'exercise'), undefined, 'instructor') }),
    }),
    route({
      method: 'get',
      path: '/api/exercises/:exercise/teams/:team/range',
      response: Answer.Range,
      summary: 'the team’s own range as drawn: segments, nodes, addresses, health',
      roles: ['instructor', 'organizer', 'trainee'],
      handler: async ({ req, principal }) => {
        const { ex, t } = routeTeam(store, req);
        const [view] = await rangeViews(ex, t, principal?.role === 'trainee' ? 'trainee' : 'instructor');
        if (!view) throw new NotFoundError(`no range for team ${t} in exercise ${ex}`, { exercise: ex, team: t });
        return view;
      },
    }),
    route({
      method: 'get',
      path: '/api/exercises/:exercise/teams/:team/logs',
      response: Answer.Logs,
      summary:
        'search the team’s SOC log (?q=text&node=&service=&since=10m|ISO&limit=&skip=), oldest first; `more`: older lines before these',
      roles: ['instructor', 'organizer', 'trainee'],
      handler: async ({ req }) => {
        const { ex, t } = routeTeam(store, req);
        const deps = need();
        const soc = deps.topology(ex)?.nodes.find((n) => n.role === 'soc');
        if (!soc) return { lines: [], nodes: [], services: [], available: false };
        const limit = Math.min(Math.max(Number(q(req, 'limit') ?? 300) || 300, 1), 2000);
        // paging back: the `skip` newest matches are already on the reader's screen; one line more
        // than asked tells whether there are older ones still
        const skip = Math.min(Math.max(Number(q(req, 'skip') ?? 0) || 0, 0), 100_000);
        const argv = ['enshu-logs', '--json', '--limit', String(limit + skip + 1)];
        const text = q(req, 'q');
        const node = q(req, 'node');
        const service = q(req, 'service');
        const since = q(req, 'since');
        if (text) argv.push('--grep', escapeRegex(text));
        if (node) argv.push('--node', node);
        if (service) argv.push('--service', service);
        if (since) argv.push('--since', since);
        const r = await deps.engine.exec.run(containerName(ex, t, soc.name), argv, { timeoutMs: 20_000 });
        if (r.exitCode !== 0)
          throw new EngineError(`log search failed: ${r.stderr.trim().split('\n').pop() ?? ''}`, {
            exercise: ex,
            team: t,
            node: soc.name,
          });
        const lines = r.stdout
          .split('\n')
          .filter(Boolean)
          .flatMap((l) => {
            try {
              return [JSON.parse(l) as LogLine];
            } catch {
              return [];
            }
          });
        const older = Math.max(0, lines.length - skip - limit);
        return { lines: lines.slice(older, Math.max(0, lines.length - skip)), available: true, more: older > 0 };
      },
    }),
  ];
}
