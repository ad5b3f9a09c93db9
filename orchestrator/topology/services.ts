import { ConfigError, expandSecrets, staffLines, type TeamFacts } from '../../core/index.js';
import { formatIPv4, hostAt, parseCidr } from './address.js';
import { renderFirewall, type AddressBook } from './firewall.js';
import type { PlannedNode, TeamPlan } from './plan-types.js';
import type { Topology } from './schema.js';

// Line lists end with a newline: a shell `while read` loop skips an unterminated last line.
const b64 = (s: string) => Buffer.from(s.endsWith('\n') || s === '' ? s : `${s}\n`).toString('base64');

/**
 * Wires the range's shared services into one team's plan, by role: every node finds the
 * range's DNS server (role `dns`) and ships its logs to the SOC (role `soc`); the dns node
 * gets the zone records, the dhcp node its pools, fw nodes their rendered rules and the
 * DHCP relay target; nodes get staff and per-team secrets from the facts. A node's own
 * `env` in the topology always wins.
 */
export function applyServices(topology: Topology, plan: TeamPlan, facts: TeamFacts): void {
  const ctx = { exercise: plan.exercise, team: plan.team };
  const byName = new Map(plan.nodes.map((n) => [n.name, n]));
  const first = (role: string) => plan.nodes.find((n) => n.role === role);
  const dns = first('dns');
  const soc = first('soc');
  const dhcp = first('dhcp');
  const proxy = first('proxy');
  const domain = topology.domain;
  const primaryIp = (n: PlannedNode) => n.interfaces[0]!.ip;
  // A node can use a service when it routes through a gateway or shares a segment with it;
  // a node on a closed segment without a gateway cannot, and is not told to try.
  const reaches = (n: PlannedNode, target: PlannedNode) =>
    n.gatewayIp !== undefined || n.interfaces.some((i) => target.interfaces.some((t) => t.segment === i.segment));
  const serviceIp = (n: PlannedNode, target: PlannedNode) =>
    target.interfaces.find((t) => n.interfaces.some((i) => i.segment === t.segment))?.ip ?? primaryIp(target);

  const segmentsWithDhcp = topology.segments.filter((s) => s.dhcp);
  const book: AddressBook = {
    segments: new Map(plan.networks.map((n) => [n.segment, n.subnet])),
    nodes: new Map(plan.nodes.map((n) => [n.name, n.interfaces.map((i) => i.ip)])),
  };

  for (const tn of topology.nodes) {
    const node = byName.get(tn.name)!;
    const env: Record<string, string> = { ENSHU_SEED: facts.teamSeed };
    if (domain) env.ENSHU_DOMAIN = domain;
    if (dns && dns !== node && reaches(node, dns)) env.ENSHU_DNS = serviceIp(node, dns);
    if (dns === node) env.ENSHU_DNS = '127.0.0.1';
    // The pseudo-attacker is outside the organisation: its host is not monitored by the SOC.
    if (soc && soc !== node && node.role !== 'attacker' && reaches(node, soc)) env.ENSHU_SOC = serviceIp(node, soc);
    if (node.role === 'terminal') {
      // Staff PCs browse through the proxy (the FW lets nothing else out) and use the
      // organisation's servers by name; the staff simulator reads the same variables.
      const host = (t: PlannedNode) => (domain ? `${t.name}.${domain}` : serviceIp(node, t));
      if (proxy && reaches(node, proxy)) env.ENSHU_PROXY = `${host(proxy)}:3128`;
      for (const [role, key] of [
        ['mail', 'ENSHU_MAIL'],
        ['file', 'ENSHU_FILE'],
        ['orders', 'ENSHU_ORDERS'],
        ['ad', 'ENSHU_AD'],
      ] as const) {
        const target = first(role);
        if (target && reaches(node, target)) env[key] = host(target);
      }
    }
    if (tn.dhcp) env.ENSHU_DHCP = '1';

    if (tn.staff) {
      const staff =
        tn.staff === 'all' ? facts.staff : facts.staff.filter((s) => (tn.staff as string[]).includes(s.department));
      env.ENSHU_STAFF_B64 = b64(staffLines(staff));
      if (tn.staffAccounts) {
        const have = new Set(node.accounts.map((a) => a.user));
        for (const s of staff)
          if (!have.has(s.user))
            node.accounts.push({ user: s.user, password: s.password, sudo: false, fullName: s.fullName });
      }
    }
    if (tn.staff && node.role === 'ad') {
      const staff =
        tn.staff === 'all' ? facts.staff : facts.staff.filter((s) => (tn.staff as string[]).includes(s.department));
      env.ENSHU_AD_USERS_B64 = b64(
        staff.map((s) => [s.user, s.password, s.department, s.fullName].join('\t')).join('\n'),
      );
      env.ENSHU_AD_ADMIN_PASSWORD = facts.secret('ad-admin');
    }
    if (tn.staff && node.role === 'file') {
      const staff =
        tn.staff === 'all' ? facts.staff : facts.staff.filter((s) => (tn.staff as string[]).includes(s.department));
      const groups = [...new Set(staff.map((s) => s.department))].map(
        (d) =>
          `${d}=${staff
            .filter((s) => s.department === d)
            .map((s) => s.user)
            .join(',')}`,
      );
      env.ENSHU_FILE_GROUPS = groups.join(';');
    }
    node.accounts = node.accounts.map((a) => ({ ...a, password: expandSecrets(a.password, facts) }));

    if (node.role === 'dhcp' && segmentsWithDhcp.length) {
      env.ENSHU_DHCP_POOLS_B64 = b64(
        segmentsWithDhcp
          .map((s) => {
            const net = plan.networks.find((n) => n.segment === s.name)!;
            const cidr = parseCidr(net.subnet)!;
            const router = plan.nodes.find((n) => n.role === 'fw' && n.interfaces.some((i) => i.segment === s.name));
            if (!router)
              throw new ConfigError(
                `segment ${s.name} has dhcp but no fw node routes it (the relay runs on the FW)`,
                ctx,
              );
            const mask = formatIPv4(2 ** 32 - 2 ** (32 - cidr.prefix));
            const routerIp = router.interfaces.find((i) => i.segment === s.name)!.ip;
            return [
              s.name,
              formatIPv4(hostAt(cidr, s.dhcp!.first)!),
              formatIPv4(hostAt(cidr, s.dhcp!.last)!),
              mask,
              routerIp,
            ].join(' ');
          })
          .join('\n'),
      );
    }
    if (node.role === 'fw') {
      if (tn.firewall) {
        try {
          env.ENSHU_FW_RULES_B64 = b64(renderFirewall(tn.firewall.rules, book));
        } catch (err) {
          throw new ConfigError(`node ${tn.name}: ${(err as Error).message}`, { ...ctx, node: tn.name });
        }
      }
      const relays = dhcp && node.interfaces.some((i) => segmentsWithDhcp.some((s) => s.name === i.segment));
      if (relays) env.ENSHU_DHCP_RELAY = serviceIp(node, dhcp);
    }
    const own = Object.fromEntries(Object.entries(node.env).map(([k, v]) => [k, expandSecrets(v, facts)]));
    node.env = { ...env, ...own };
  }
  // After every node's own env is in: a layer with its own DNS server (a node's ENSHU_DNS set to
  // it in the topology) is served by that server alone.
  for (const node of plan.nodes)
    if (node.role === 'dns') node.env.ENSHU_DNS_RECORDS_B64 ??= b64(dnsRecords(topology, plan, node));
}

/**
 * Records a dns node serves: <node>.<domain> for every node of the organisation (the attacker's
 * host is not one), the organisation's MX (the first node with role `mail`), and the topology's
 * extra names (the range's Internet).
 *
 * With one dns node, that is every node at its first address. With several (a local government
 * whose LGWAN and My Number layers have their own DNS, `lg-three-layer`), each serves only the
 * nodes that ask it (their ENSHU_DNS is one of its addresses), each at its address on a segment
 * the server shares with it; the first dns node also serves the nodes that ask none and is the
 * only one to know the range's Internet, so a layer's DNS never names the other layers.
 */
export function dnsRecords(topology: Topology, plan: TeamPlan, server?: PlannedNode): string {
  const lines: string[] = [];
  const servers = plan.nodes.filter((n) => n.role === 'dns');
  const self = server ?? servers[0];
  const layered = servers.length > 1 && self !== undefined;
  const ipOf = (name: string) => plan.nodes.find((n) => n.name === name)!.interfaces[0]!.ip;
  const askedBy = (n: PlannedNode, d: PlannedNode) =>
    n === d || d.interfaces.some((i) => i.ip === n.env.ENSHU_DNS) || (d === servers[0] && !n.env.ENSHU_DNS);
  const served = (n: PlannedNode) => !layered || (askedBy(n, self) && !servers.some((d) => d !== self && n === d));
  const addressOf = (n: PlannedNode) =>
    (layered ? n.interfaces.find((i) => self.interfaces.some((t) => t.segment === i.segment)) : undefined)?.ip ??
    n.interfaces[0]!.ip;
  if (topology.domain) {
    for (const n of plan.nodes)
      if (n.role !== 'attacker' && served(n)) lines.push(`${n.name}.${topology.domain} A ${addressOf(n)}`);
    const mail = plan.nodes.find((n) => n.role === 'mail' && served(n));
    if (mail) lines.push(`${topology.domain} MX 10 ${mail.name}.${topology.domain}`);
  }
  if (!layered || self === servers[0]) for (const n of topology.names) lines.push(`${n.name} A ${ipOf(n.node)}`);
  return lines.join('\n');
}
