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
 * Teams in order, and within a team its slow roles first (its SOC and DC before its web server);
 * within one weight the topology's own order (stable sort). Team by team, not every team's slow roles
 * first: with eight teams that made every team wait for the last one (the first team ready 76 s
 * after the start, against 77 s for all), while team by team the first teams' trainees can begin
 * while the others build; the engine starts a few at a time either way, so the total barely moves.
 */
export function startOrder<T extends { node: { role: string } }>(work: T[], teamOf: (w: T) => string = () => ''): T[] {
  const rank = new Map<string, number>();
  for (const w of work) if (!rank.has(teamOf(w))) rank.set(teamOf(w), rank.size);
  return [...work].sort(
    (a, b) => rank.get(teamOf(a))! - rank.get(teamOf(b))! || startWeight(b.node.role) - startWeight(a.node.role),
  );
}
