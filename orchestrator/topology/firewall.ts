import type { FirewallRule } from './schema.js';

/** Where each segment and node of one team's range is, to turn rule names into addresses. */
export interface AddressBook {
  segments: Map<string, string>;
  nodes: Map<string, string[]>;
}

function addresses(book: AddressBook, places: string[]): string[] | 'any' {
  if (places.includes('any')) return 'any';
  return places.flatMap((p) => {
    const seg = book.segments.get(p);
    if (seg) return [seg];
    const ips = book.nodes.get(p);
    if (ips) return ips;
    throw new Error(`firewall rule names "${p}", which is neither a segment nor a node`);
  });
}

function set(values: string[]): string {
  return values.length === 1 ? values[0]! : `{ ${values.join(', ')} }`;
}

export function renderRule(rule: FirewallRule, book: AddressBook): string {
  const parts: string[] = [];
  const from = addresses(book, rule.from);
  const to = addresses(book, rule.to);
  if (from !== 'any') parts.push(`ip saddr ${set(from)}`);
  if (to !== 'any') parts.push(`ip daddr ${set(to)}`);
  if (rule.proto === 'icmp') parts.push('ip protocol icmp');
  else if (rule.proto !== 'any')
    parts.push(rule.ports ? `${rule.proto} dport ${set(rule.ports.map(String))}` : `meta l4proto ${rule.proto}`);
  parts.push(rule.action === 'block' ? 'jump blocked' : 'accept');
  if (rule.comment) parts.push(`comment ${JSON.stringify(rule.comment.replaceAll('"', "'"))}`);
  return parts.join(' ');
}

/**
 * The FW's nftables ruleset for one team. Same table and chain names as the role's default
 * (`inet filter`, chain `forward`, policy accept) so trainees and tests use one set of
 * commands; what no rule accepts ends in the "blocked" chain, which logs and drops — the
 * only traffic the FW logs.
 */
export function renderFirewall(rules: FirewallRule[], book: AddressBook): string {
  const body = rules.map((r) => `    ${renderRule(r, book)}`).join('\n');
  return `#!/usr/sbin/nft -f
# Rendered by the orchestrator from the topology's firewall rules (first match wins).
# Block and log:  nft insert rule inet filter forward ip saddr <addr> jump blocked
# Remove a rule:  nft -a list chain inet filter forward; nft delete rule inet filter forward handle <n>
flush ruleset

table inet filter {
  chain input {
    type filter hook input priority 0; policy accept;
  }
  chain forward {
    type filter hook forward priority 0; policy accept;
    ct state established,related accept
    ct state invalid jump blocked
${body}
    jump blocked
  }
  chain output {
    type filter hook output priority 0; policy accept;
  }
  chain blocked {
    log group 1 prefix "enshu-fw blocked: "
    drop
  }
}
`;
}
