import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { loadYamlFile, NotFoundError, topologiesDir } from '../../core/index.js';
import { TopologySchema, type Topology } from './schema.js';
import { interfaceAddress } from './plan.js';

/** Cross-field rules a plain shape check cannot express; each issue points at its field. */
export const CheckedTopologySchema = TopologySchema.superRefine((t, ctx) => {
  const segNames = new Map<string, number>();
  t.segments.forEach((s, i) => {
    if (segNames.has(s.name))
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['segments', i, 'name'],
        message: `duplicate segment name "${s.name}"`,
      });
    segNames.set(s.name, i);
  });
  const nodeNames = new Map<string, number>();
  t.nodes.forEach((n, i) => {
    if (nodeNames.has(n.name))
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['nodes', i, 'name'],
        message: `duplicate node name "${n.name}"`,
      });
    nodeNames.set(n.name, i);
  });
  const used = new Map<string, string>();
  t.nodes.forEach((n, i) => {
    const seen = new Set<string>();
    n.interfaces.forEach((iface, j) => {
      const seg = t.segments.find((s) => s.name === iface.segment);
      if (!seg) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['nodes', i, 'interfaces', j, 'segment'],
          message: `unknown segment "${iface.segment}" (known: ${[...segNames.keys()].join(', ')})`,
        });
        return;
      }
      if (seen.has(iface.segment)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['nodes', i, 'interfaces', j, 'segment'],
          message: `node ${n.name} is attached to segment ${iface.segment} twice`,
        });
      }
      seen.add(iface.segment);
      // Team slot 1 is representative: templates differ between teams only in the {team} octet.
      const a = interfaceAddress(seg, iface.address, 1);
      if ('error' in a) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['nodes', i, 'interfaces', j, 'address'], message: a.error });
        return;
      }
      const key = `${iface.segment}/${a.ip}`;
      const other = used.get(key);
      if (other)
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['nodes', i, 'interfaces', j, 'address'],
          message: `address already used by node ${other}`,
        });
      used.set(key, n.name);
    });
    const ta = n.trainee;
    if (ta) {
      const at = (field: string, message: string) =>
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['nodes', i, 'trainee', field], message });
      if (n.role === 'attacker' && (ta.open || ta.visible))
        at(
          ta.open ? 'open' : 'visible',
          "the pseudo-attacker's host is not the team's: use trainee: { open: false, visible: false }",
        );
      if (ta.open && !ta.visible) at('visible', 'a node trainees may open must be visible to them');
      if (!ta.open && ta.root) at('root', 'root needs open: true');
      if (Array.isArray(ta.users)) {
        const known = new Set(n.accounts.map((a) => a.user));
        ta.users.forEach((u, j) => {
          if (u === 'staff' ? !(n.staff && n.staffAccounts) : !known.has(u))
            ctx.addIssue({
              code: z.ZodIssueCode.custom,
              path: ['nodes', i, 'trainee', 'users', j],
              message:
                u === 'staff'
                  ? `node ${n.name} has no staff accounts (needs staff and staffAccounts: true)`
                  : `node ${n.name} has no account "${u}" (known: ${[...known, 'staff'].join(', ')})`,
            });
        });
      }
      const anyUser =
        ta.root ||
        (ta.users === 'all'
          ? n.accounts.length > 0 || (n.staff !== undefined && n.staffAccounts)
          : ta.users.length > 0);
      if (ta.open && !anyUser) at('open', `trainees may open ${n.name} but log in as nobody: give root or users`);
    }
    if (n.gateway !== 'none') {
      const gw = t.nodes.find((m) => m.name === n.gateway);
      if (!gw) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['nodes', i, 'gateway'],
          message: `unknown gateway node "${n.gateway}"`,
        });
      } else if (gw.name === n.name) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['nodes', i, 'gateway'],
          message: 'a node cannot be its own gateway',
        });
      } else if (!n.interfaces.some((a) => gw.interfaces.some((b) => a.segment === b.segment))) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['nodes', i, 'gateway'],
          message: `gateway ${gw.name} shares no segment with ${n.name}`,
        });
      }
    }
  });
});

const sources = new WeakMap<Topology, string>();

export function loadTopology(file: string): Topology {
  const t = loadYamlFile(file, CheckedTopologySchema);
  sources.set(t, resolve(file));
  return t;
}

/** The file a topology was loaded from, so a later `reset` can load the same one. */
export function topologySource(t: Topology): string | undefined {
  return sources.get(t);
}

export function listTopologies(dir = topologiesDir()): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort();
}

export function loadTopologyById(id: string, dir = topologiesDir()): Topology {
  const known = listTopologies(dir);
  if (!known.includes(id)) throw new NotFoundError(`unknown topology "${id}" (known: ${known.join(', ')})`);
  return loadTopology(join(dir, `${id}.yaml`));
}
