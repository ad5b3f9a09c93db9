/**
 * In which order a range's containers are created and started. The engine creates a few at a
 * time; a node whose services take long to come up (Samba AD, the file server, mail) started
 * last would decide alone when the range is ready, so the slow roles go first and the quick
 * ones fill in while those boot.
 *
 * Weights are seconds from container start to healthy, measured per role by
 * `npm run bench:provision` (docs/performance.md, one team on the 2-core machine); a role not
 * listed counts as quick. The SOC is the exception: alone it is quick, but every node ships its
 * logs to it, and started last it took 10 s to pass its check under the backlog of the whole
 * range's start-up logs (11 s to healthy against 2 s started early): it goes first.
 */
const SECONDS_TO_HEALTHY: Record<string, number> = {
  soc: 8,
  ad: 7.5,
  mail: 5.4,
  file: 5.3,
  juki: 3,
  orders: 2.9,
  sanitizer: 2.8,
  terminal: 2.6,
  research: 2.4,
  dhcp: 1.1,
  proxy: 1.0,
  dns: 0.9,
  fw: 0.9,
  attacker: 0.8,
  web: 0.7,
};

export function startWeight(role: string): number {
  return SECONDS_TO_HEALTHY[role] ?? 0.5;
}

/**
 * Slow roles first, across all teams at once (every team's DC before any team's web server);
 * within one weight, teams in order and the topology's own order (stable sort).
 */
export function startOrder<T extends { node: { role: string } }>(work: T[]): T[] {
  return [...work].sort((a, b) => startWeight(b.node.role) - startWeight(a.node.role));
}
