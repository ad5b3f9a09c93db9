import type { ExerciseStatus } from '../orchestrator/index.js';

/** A plain table of exercises → teams → nodes. */
export function renderStatus(list: ExerciseStatus[]): string {
  const out: string[] = [];
  for (const e of list) {
    out.push(`exercise ${e.exercise} (${e.topology}), ${e.teams.length} team(s)`);
    for (const t of e.teams) {
      out.push(
        `  ${t.team}  ${t.ready ? 'ready' : 'NOT READY'}  ${t.networks.map((n) => `${n.segment}=${n.subnet}`).join(' ')}`,
      );
      for (const n of t.nodes) {
        const ips = Object.values(n.ips).join(',');
        out.push(`    ${n.node.padEnd(10)} ${n.role.padEnd(10)} ${n.state.padEnd(8)} ${n.health.padEnd(9)} ${ips}`);
      }
    }
  }
  return out.join('\n');
}
