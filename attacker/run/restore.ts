/**
 * What a resumed attack takes over from the steps a previous server ran: the implants still
 * running in the range (later steps task them through the C2) and the cleanups that undo the
 * steps' traces on stop: implants and exfiltration ids from the plan, the scenario's own `cleanup`
 * commands, and every action's own cleanup through its `cleanupOf` (from the step's parameters and
 * recorded evidence). A step whose cleanup still cannot be rebuilt (its parameters no longer
 * resolve) is returned, so the runner says so in its `attack.restored` event instead of losing it
 * silently.
 */
import { C2_OWN_DIR } from '../actions/c2-scripts.js';
import { c2Entries, cleanC2, implantFiles, implantAction } from '../actions/implant.js';
import { ACTIONS } from '../actions/registry.js';
import type { Cleanup, SharedState } from '../actions/types.js';
import type { Plan } from '../plan/plan.js';
import { renderDeep, resolveNodeName, type TemplateScope } from '../plan/template.js';
import type { RangeView } from './range-view.js';

interface StepLike {
  id: string;
  status: string;
  runs: number;
  endedAt?: string;
  /** what the step recorded (an opened attachment's path is in it) */
  evidence?: string;
}

/** Kinds whose action always leaves something to undo: a missing rebuilt cleanup is a loss. */
const LEAVES_TRACES = new Set(['persist', 'deface', 'encrypt']);

export async function rebuildEffects(o: {
  plan: Plan;
  range: RangeView;
  shared: SharedState;
  scope: TemplateScope;
  steps: Map<string, StepLike>;
  cleanups: Cleanup[];
  /** directory of the scenario file (atomic files are found relative to it) */
  baseDir: string;
}): Promise<string[]> {
  const { plan, range, shared } = o;
  const lost: string[] = [];
  const ran = plan.steps
    .map((p) => ({ p, s: o.steps.get(p.id)! }))
    .filter(({ s }) => s.runs > 0 && s.status !== 'pending' && s.status !== 'waiting' && s.status !== 'running')
    .sort((a, b) => (a.s.endedAt ?? '').localeCompare(b.s.endedAt ?? ''));
  for (const { p, s } of ran) {
    const node = resolveNodeName(p.node, plan.nodes);
    const params = renderDeep(p.params, o.scope);
    if (p.kind === 'implant') {
      const parsed = implantAction.params.safeParse(params);
      if (parsed.success) o.cleanups.push(await adoptImplant(range, shared, node, parsed.data, s.status !== 'failed'));
    } else if (p.kind === 'exfiltrate') {
      const name = (params as { name?: string }).name ?? 'loot';
      shared.implantIds.add(`x-${range.team}-${name}`);
    } else if (s.status !== 'skipped') {
      const action = ACTIONS.get(p.kind);
      const parsed = action?.params.safeParse(params);
      const ctx = { range, node, step: p.id, shared, baseDir: o.baseDir };
      const cleanup = parsed?.success ? action!.cleanupOf?.(ctx, parsed.data, s.evidence ?? '') : undefined;
      if (cleanup) o.cleanups.push(cleanup);
      else if (LEAVES_TRACES.has(p.kind) || (p.kind === 'atomic' && s.status === 'succeeded')) lost.push(p.id);
    }
    if (p.cleanup && s.status !== 'skipped') {
      const c = renderDeep(p.cleanup, o.scope);
      const cnode = resolveNodeName(c.node, plan.nodes);
      o.cleanups.push({
        label: `cleanup of ${p.id} on ${c.node}`,
        run: async () => void (await range.sh(cnode, c.command)),
      });
    }
  }
  return lost;
}

/**
 * An implant a previous server installed: its C2 listener, its task numbering and the same
 * cleanup the implant action registers (kill, remove its files, stop the C2 when no implant needs it).
 */
async function adoptImplant(
  range: RangeView,
  shared: SharedState,
  node: string,
  p: { c2: string; port: number; proxy?: string | undefined; name: string; interval: number; user: string },
  running: boolean,
): Promise<Cleanup> {
  const { id, dir, path } = implantFiles(range, node, p);
  const key = `${p.c2}:${p.port}`;
  if (!shared.c2.has(key)) {
    // a listener the engine started has a pid file; the attacker role's own one has none
    const pid = await range.sh(
      p.c2,
      `p=$(cat ${C2_OWN_DIR}/${p.port}.pid 2>/dev/null) && kill -0 "$p" 2>/dev/null && echo "$p"; true`,
    );
    shared.c2.set(key, { port: p.port, pid: pid.stdout.trim() });
  }
  shared.implantIds.add(id);
  if (running) {
    // task numbers go on after the ones already answered, so old results cannot be mistaken for new ones
    const seq = Math.max(
      0,
      ...(await c2Entries(range, p.c2, id)).map((e) => Number(/^result (\d+)/.exec(e.body)?.[1] ?? 0)),
    );
    shared.implants.set(node, {
      id,
      node,
      user: p.user,
      c2Node: p.c2,
      c2Address: range.address(p.c2),
      port: p.port,
      path,
      seq,
    });
  }
  return {
    label: `remove implant ${path} on ${node}`,
    run: async () => {
      await range.sh(node, `[ -s ${dir}/.s.pid ] && kill $(cat ${dir}/.s.pid) 2>/dev/null; rm -rf ${dir}`);
      shared.implants.delete(node);
      shared.implantIds.add(id);
      if (![...shared.implants.values()].some((i) => i.c2Node === p.c2))
        await cleanC2(range, shared, p.c2, [...shared.implantIds]);
    },
  };
}
