/**
 * Probe evasion: a team has root on its FW, and the checker's network probes carry a mark (DSCP 45)
 * so that the FW can drop them without a log line when the range blocks them. A team that learned
 * this could drop marked packets only — every "blocked" check would pass while the attacker's real
 * traffic still flows. So each round the checker also reads the FW's packet filters (from a one-shot
 * container in the FW's network namespace: nothing in the FW's `ps`) and refuses to trust its
 * network probes while any filter can tell a probe from other traffic:
 * - an nftables rule that reads the IP header's DSCP/TOS bits (named `ip dscp`, raw `@nh,8,…`, or an
 *   iptables-nft `dscp`/`tos`/`u32`/`bpf` match) or the packet priority the kernel derives from
 *   them, other than the range's own unlogged drop in the "blocked" chain;
 * - that "blocked" chain changed so that a marked packet and an unmarked one part ways (anything
 *   after the range's rule that can match, accept, return or jump);
 * - the same matches in legacy iptables tables, or any tc classifier or XDP program (the range uses
 *   none, and each can read any header bit).
 * The probes also look like the kernel's own SYNs (probes.ts), so the mark is the one difference.
 */

/** Run in the FW's network namespace (needs CAP_NET_ADMIN to read the filters); output for `findEvasion`. */
export const FILTER_DUMP_SCRIPT = [
  'echo @@nft',
  'nft -j list ruleset 2>/dev/null',
  'echo',
  'echo @@legacy',
  'for t in iptables-legacy-save ip6tables-legacy-save; do command -v $t >/dev/null && $t 2>/dev/null; done',
  'echo @@tc',
  // one tc process for every interface (a shell glob lists them): a dump costs a handful of processes
  'for p in /sys/class/net/*; do d=${p##*/}; echo "qdisc show dev $d"; echo "filter show dev $d ingress"; echo "filter show dev $d egress"; done | tc -force -batch - 2>/dev/null',
  'echo @@xdp',
  'ip -o link show 2>/dev/null | grep -i xdp',
  'echo @@end',
].join('\n');

/** the beat's period in seconds: the longest a network answer waits for the FW's word that its filters were read */
export const FILTER_BEAT_S = 0.2;

/**
 * FILTER_DUMP_SCRIPT kept running in a long-lived container in the FW's network namespace: a dump
 * at start, then one as soon as nftables, tc or a link (XDP) changes (the kernel's own change
 * notices, read by `nft monitor`, `tc monitor`, `ip monitor link`), and one every 10 s whatever
 * happens (legacy iptables sends no notice). Each dump runs from `@@nft` to `@@end`; after each
 * look a `@@beat` line (every FILTER_BEAT_S at rest) says that whatever changed before it is in a
 * dump already sent. In bash, waiting on the notices with `read -t` (a builtin): at rest the
 * watcher starts no process at all (a `sleep` every beat cost the FW's watcher more than every
 * python watcher of its team together); POSIX sh with `sleep` where an image has no bash.
 */
const WATCH_COMMON = [
  'dump() {',
  FILTER_DUMP_SCRIPT,
  '}',
  // the FW's interfaces gone (stopped, reset, removed) or 10 min up: the watcher ends (see probes.ts)
  'lines() { n=0; while read -r l; do n=$((n + 1)); done < /proc/net/dev; }',
];
// why it ends: its time is up (the server starts another at once) or the FW is gone
const WATCH_END = 'lines; [ "$n" -gt 3 ] && echo "@@enshu-end life" || echo "@@enshu-end gone"';
const WATCH_BASH = [
  ...WATCH_COMMON,
  'exec 3< <(nft monitor 2>/dev/null & tc monitor 2>/dev/null & ip monitor link 2>/dev/null & wait)',
  'dump; t=$SECONDS; k=0',
  // its interfaces are counted every fifth beat
  'while [ $SECONDS -lt 600 ]; do',
  '  if [ $((k += 1)) -ge 5 ]; then k=0; lines; [ "$n" -gt 3 ] || break; fi',
  `  if read -r -t ${FILTER_BEAT_S} -u 3 l; then`,
  // every notice already waiting is covered by the one dump that follows
  '    while read -r -t 0 -u 3; do read -r -u 3 l || break; done',
  '    dump; t=$SECONDS',
  // the monitors ended: the filters can no longer be followed (the server starts another watcher)
  '  elif [ $? -le 128 ]; then echo "@@enshu-end monitors"; exit 1',
  '  elif [ $((SECONDS - t)) -ge 10 ]; then dump; t=$SECONDS; fi',
  '  echo @@beat',
  'done',
  WATCH_END,
].join('\n');
const WATCH_SH = [
  ...WATCH_COMMON,
  'ev=/tmp/enshu-filters-changed; : > $ev',
  '{ nft monitor & tc monitor & ip monitor link & wait; } >> $ev 2>/dev/null &',
  'dump; i=0; k=0',
  'while lines && [ "$n" -gt 3 ] && [ $((k += 1)) -le 3000 ]; do',
  `  sleep ${FILTER_BEAT_S}; i=$((i + 1))`,
  // emptied before the dump: a change during the dump leaves a line for the next one
  '  if [ -s $ev ] || [ $i -ge 50 ]; then : > $ev; i=0; dump; fi',
  '  echo @@beat',
  'done',
  WATCH_END,
].join('\n');
export const FILTER_WATCH_SCRIPT = [
  `if command -v bash >/dev/null 2>&1; then exec bash -c '${WATCH_BASH.replace(/'/g, `'\\''`)}'; fi`,
  WATCH_SH,
].join('\n');

/** The comment of the range's own rule (fw-start puts it first in the "blocked" chain). */
export const RANGE_MARK_RULE_COMMENT = 'enshu scoring checks, not logged';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
interface NftRule {
  family: string;
  table: string;
  chain: string;
  handle?: number;
  comment?: string;
  expr?: Json[];
}

const MARK_MATCHES = new Set(['dscp', 'tos', 'u32', 'bpf']);

/** why one expression (tree) can tell the checker's packets apart, if it can */
function readsMark(e: Json): string | undefined {
  if (Array.isArray(e)) {
    for (const x of e) {
      const why = readsMark(x);
      if (why) return why;
    }
    return undefined;
  }
  if (!e || typeof e !== 'object') return undefined;
  const payload = e.payload;
  if (payload && typeof payload === 'object' && !Array.isArray(payload)) {
    if (payload.protocol === 'ip' && (payload.field === 'dscp' || payload.field === 'tos'))
      return `ip ${payload.field}`;
    if (payload.protocol === 'ip6' && payload.field === 'dscp') return 'ip6 dscp';
    if (payload.base === 'nh' && typeof payload.offset === 'number' && typeof payload.len === 'number') {
      // bits 8–15 of the IPv4 header are the TOS byte (DSCP + ECN)
      if (payload.offset < 16 && payload.offset + payload.len > 8)
        return `@nh,${payload.offset},${payload.len} (the TOS byte)`;
    }
  }
  const meta = e.meta;
  if (meta && typeof meta === 'object' && !Array.isArray(meta) && meta.key === 'priority')
    return 'meta priority (derived from the TOS byte)';
  const xt = e.xt;
  if (xt && typeof xt === 'object' && !Array.isArray(xt) && typeof xt.name === 'string' && MARK_MATCHES.has(xt.name))
    return `iptables match ${xt.name}`;
  for (const v of Object.values(e)) {
    const why = readsMark(v);
    if (why) return why;
  }
  return undefined;
}

const isRangeRule = (r: NftRule) =>
  r.comment === RANGE_MARK_RULE_COMMENT && r.chain === 'blocked' && r.family === 'inet' && r.table === 'filter';

/** a rule after the range's mark rule in "blocked" may only log, count and drop/reject, for every packet */
function splitsInBlocked(r: NftRule): string | undefined {
  for (const x of r.expr ?? []) {
    if (!x || typeof x !== 'object' || Array.isArray(x)) return 'an expression the range does not put there';
    const [key] = Object.keys(x);
    if (key === 'log' || key === 'counter' || key === 'drop' || key === 'reject' || key === 'limit') continue;
    return `"${key}" in the "blocked" chain`;
  }
  return undefined;
}

function rulesOf(nft: string): NftRule[] | undefined {
  try {
    const doc = JSON.parse(nft) as { nftables?: { rule?: NftRule }[] };
    return (doc.nftables ?? []).flatMap((o) => (o.rule ? [o.rule] : []));
  } catch {
    return undefined;
  }
}

/** the lines between `@@name` and the next `@@` marker line */
const section = (out: string, name: string): string => {
  const lines = out.split('\n');
  const start = lines.indexOf(`@@${name}`);
  if (start < 0) return '';
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => l.startsWith('@@'));
  return (end < 0 ? rest : rest.slice(0, end)).join('\n').trim();
};

/**
 * What in a FW's packet filters (the output of FILTER_DUMP_SCRIPT) could tell the checker's probes
 * from other traffic, or undefined when nothing can. A dump that cannot be read counts as evasion:
 * the probes are trusted only when the filters were seen.
 */
export function findEvasion(out: string): string | undefined {
  if (!out.includes('@@end')) return 'the firewall’s filters could not be read';
  const rules = rulesOf(section(out, 'nft'));
  if (!rules) return 'the firewall’s nftables ruleset could not be read';
  const chainRules = (r: NftRule) =>
    rules.filter((x) => x.family === r.family && x.table === r.table && x.chain === r.chain);
  const own = rules.filter(isRangeRule);
  for (const r of rules) {
    if (own.includes(r)) continue;
    const why = readsMark(r.expr ?? []);
    if (why) return `nftables rule ${r.family} ${r.table} ${r.chain} (handle ${r.handle ?? '?'}) reads ${why}`;
  }
  if (own.length > 1) return 'the range’s rule for the checker’s packets appears more than once';
  for (const r of own) {
    const chain = chainRules(r);
    if (chain[0] !== r) return 'the range’s rule for the checker’s packets is not first in the "blocked" chain';
    for (const later of chain.slice(1)) {
      const why = splitsInBlocked(later);
      if (why) return `nftables rule inet filter blocked (handle ${later.handle ?? '?'}): ${why}`;
    }
  }
  const legacy = section(out, 'legacy')
    .split('\n')
    .find((l) => l.startsWith('-A ') && /\s-m (dscp|tos|u32|bpf)\b|--(dscp|tos)\b/.test(l));
  if (legacy) return `legacy iptables rule: ${legacy.slice(0, 200)}`;
  const tc = section(out, 'tc')
    .split('\n')
    .find((l) => l.trim() && !/^qdisc (noqueue|pfifo_fast|mq|fq_codel|noop) /.test(l));
  if (tc) return `traffic control: ${tc.trim().slice(0, 200)}`;
  const xdp = section(out, 'xdp');
  if (xdp) return `an XDP program: ${xdp.split('\n')[0]!.slice(0, 200)}`;
  return undefined;
}

/** squid directives that decide what a client may do (an ACL in one of them can change a probe's fate) */
const ACCESS_DIRECTIVES = new Set([
  'http_access',
  'http_reply_access',
  'adapted_http_access',
  'miss_access',
  'cache_peer_access',
  'always_direct',
  'never_direct',
  'ssl_bump',
]);
/** ACL types that look at who the client is or where it connected to */
const CLIENT_ACL_TYPES = new Set(['src', 'srcdomain', 'localip', 'myip', 'arp', 'eui64', 'src_as', 'myportname']);
const LOOPBACK = /^(127\.|::1\b|\[::1\]|localhost\b|0\.0\.0\.0)/i;
const COVERS_CLIENTS = /^(10\.0\.0\.0\/8|all|0\.0\.0\.0\/0)$/;

/**
 * The proxy-blocked probe asks the proxy from 127.0.0.1 (its request is then not logged). The
 * range's squid.conf counts 127.0.0.1 among its clients (`localnet`), so a team's deny rule applies
 * to the probe as to the staff PCs — unless the team writes a rule that singles out the proxy's own
 * address (a deny for localhost only, an allow for everyone but localhost). `confs` is squid.conf
 * and what it includes; the answer says which line singles the probe out, or undefined.
 */
export function findProxyEvasion(confs: string[]): string | undefined {
  const lines = confs
    .flatMap((c) => c.split('\n'))
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean);
  // squid's built-in ACLs, then the file's
  const acls = new Map<string, { type: string; args: string[] }[]>([
    ['localhost', [{ type: 'src', args: ['127.0.0.1/32', '::1'] }]],
  ]);
  for (const l of lines) {
    const [directive, name, type, ...args] = l.split(/\s+/);
    if (directive !== 'acl' || !name || !type) continue;
    const list = acls.get(name) ?? [];
    if (name === 'localhost' && list.length === 1 && !acls.has(`defined:${name}`)) list.length = 0;
    acls.set(`defined:${name}`, []);
    list.push({ type, args: args.filter((a) => !a.startsWith('-')) });
    acls.set(name, list);
  }
  const singlesOut = (name: string): boolean => {
    const defs = acls.get(name) ?? [];
    const client = defs.filter((d) => CLIENT_ACL_TYPES.has(d.type));
    if (!client.length) return false;
    const args = client.flatMap((d) => d.args);
    // read from a file: what it holds is not known here, so it is not trusted
    if (args.some((a) => a.startsWith('"') || a.startsWith('/'))) return true;
    return args.some((a) => LOOPBACK.test(a)) && !args.some((a) => COVERS_CLIENTS.test(a));
  };
  for (const l of lines) {
    const [directive, ...rest] = l.split(/\s+/);
    if (!directive || !ACCESS_DIRECTIVES.has(directive)) continue;
    const named = rest.slice(1).map((a) => a.replace(/^!/, ''));
    const hit = named.find(singlesOut);
    if (hit) return `squid: "${l.slice(0, 200)}" treats the proxy's own address (${hit}) apart from the staff PCs`;
  }
  return undefined;
}
