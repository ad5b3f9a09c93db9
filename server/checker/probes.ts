/**
 * How each typed probe looks at a team's range without leaving a trace there:
 * - processes: the engine's process list of the container (container top) — nothing runs in the node;
 * - files: the engine's archive API (stat, or a read of the file or folder) — nothing runs in the node;
 * - network: one short-lived container per node and round that shares only the node's network
 *   namespace (its own processes, so nothing in the node's `ps`); its packets carry a DSCP mark the
 *   range FW drops without logging (`fw-start` puts that rule first in the "blocked" chain), and it
 *   asks the proxy from 127.0.0.1, which the proxy does not log (`healthprobe` in squid.conf) —
 *   only after the FW path to the target was found open, so the proxy's own fetch is never blocked
 *   and logged either; a service is "listening" from the kernel's socket table, without connecting;
 * - logins: Samba's password database read with `pdbedit` (a local read, no sign-in, nothing logged,
 *   gone in a fraction of a second) and the NT hash of the stolen password compared here; the order
 *   system's user table read through the archive API and its PBKDF2 hash compared here.
 */
import { pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Probe } from '../../core/index.js';
import type { Engine } from '../../orchestrator/index.js';
import { ntHash } from './md4.js';

/** DSCP 45 (TOS byte 0xb4): the mark of the checker's own packets; the FW drops them unlogged when it blocks. */
export const PROBE_DSCP = 45;
const TOS = `0x${(PROBE_DSCP << 2).toString(16)}`;

export interface ProbeResult {
  passed: boolean;
  detail: string;
}

export type NetProbe = Extract<Probe, { kind: 'tcp-blocked' | 'icmp-blocked' | 'proxy-blocked' | 'tcp-listening' }>;
export const isNetProbe = (p: Probe): p is NetProbe =>
  p.kind === 'tcp-blocked' || p.kind === 'icmp-blocked' || p.kind === 'proxy-blocked' || p.kind === 'tcp-listening';

/** the node a probe's network namespace belongs to */
export const netNode = (p: NetProbe): string => ('from' in p ? p.from : p.node);

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** `syn(dst, port)`: the half-open probe itself (globals TOS and W), for the one-shot probe and the watchers. */
const SYN_FN = [
  'def csum(b):',
  '    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))',
  '    s = (s >> 16) + (s & 0xFFFF)',
  '    return ~(s + (s >> 16)) & 0xFFFF',
  '# 0: SYN-ACK (open), 3: RST or no answer',
  'def syn(dst, port):',
  '    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
  '    u.connect((dst, port))',
  '    src = u.getsockname()[0]',
  '    u.close()',
  '    sport, seq = random.randint(32768, 60999), random.getrandbits(32)',
  '    o = struct.pack("!BBHBBBBII", 2, 4, 1460, 4, 2, 8, 10, random.getrandbits(32), 0) + bytes([1, 3, 3, 7])',
  '    h = struct.pack("!HHIIBBHHH", sport, port, seq, 0, 0xA0, 0x02, 64240, 0, 0) + o',
  '    ph = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(h))',
  '    h = h[:16] + struct.pack("!H", csum(ph + h)) + h[18:]',
  '    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)',
  '    try:',
  '        s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, TOS)',
  '        for _ in range(2):',
  '            s.sendto(h, (dst, 0))',
  '            t = time.time() + W',
  '            while time.time() < t:',
  '                if not select.select([s], [], [], max(0, t - time.time()))[0]:',
  '                    break',
  '                p = s.recv(65535)',
  '                i = (p[0] & 15) * 4',
  '                if p[12:16] != socket.inet_aton(dst) or len(p) < i + 14:',
  '                    continue',
  '                a, b, _, _, _, f = struct.unpack("!HHIIBB", p[i : i + 14])',
  '                if a == port and b == sport:',
  '                    return 0 if f & 0x12 == 0x12 else 3',
  '        # a thread that was not scheduled in time finds the answer waiting: not a block',
  '        while select.select([s], [], [], 0)[0]:',
  '            p = s.recv(65535)',
  '            i = (p[0] & 15) * 4',
  '            if p[12:16] == socket.inet_aton(dst) and len(p) >= i + 14:',
  '                a, b, _, _, _, f = struct.unpack("!HHIIBB", p[i : i + 14])',
  '                if a == port and b == sport:',
  '                    return 0 if f & 0x12 == 0x12 else 3',
  '        return 3',
  '    finally:',
  '        s.close()',
];

/**
 * A half-open TCP probe (python3 in the probe's image): one SYN with the checker's mark, otherwise
 * like the kernel's own (options, window, port range), so the mark is the one thing a filter could
 * tell it by — and the checker watches for filters that read the mark (tamper.ts). A SYN-ACK
 * means open (exit 0), a RST or silence means not (exit 3). The kernel answers the SYN-ACK with a
 * RST, so the service never accepts a connection and logs nothing (sshd would log a bare connect).
 */
const SYN_PROBE = [
  'import random, select, socket, struct, sys, time',
  'dst, port, TOS = sys.argv[1], int(sys.argv[2]), int(sys.argv[3], 0)',
  '# how long each of the two SYNs waits for its answer (1 s in rounds; shorter in the watchers)',
  'W = float(sys.argv[4]) if len(sys.argv) > 4 else 1.0',
  ...SYN_FN,
  'sys.exit(syn(dst, port))',
].join('\n');
const ADDR = /^[0-9a-fA-F.:]+$/;

/**
 * How long a probe waits for an answer before it counts as "no answer". A range's networks are
 * local bridges (answers come in well under a millisecond), so the watchers, which ask every
 * second, wait less than a round does; a SYN is still sent twice, so one lost packet is not a block.
 */
export interface Pace {
  /** seconds each of the half-open probe's two SYNs waits */
  syn: number;
  /** whole seconds for nc and ping */
  wait: number;
  /** whole seconds for the proxy's answer */
  proxy: number;
}
export const ROUND_PACE: Pace = { syn: 1, wait: 3, proxy: 5 };
export const WATCH_PACE: Pace = { syn: 0.3, wait: 1, proxy: 2 };

/** exit 0 when `to:port` does not answer: the half-open probe where python3 is, else a marked `nc -z` */
const open = (to: string, port: number, pace: Pace) =>
  [
    `if command -v python3 >/dev/null; then python3 -c "$SYN" ${q(to)} ${port} ${TOS} ${pace.syn}; r=$?; [ $r = 3 ] && exit 0; [ $r = 0 ] && exit 1; fi`,
    `! nc -z -n -w ${pace.wait} -T ${TOS} ${q(to)} ${port}`,
  ].join('; ');

/** One shell snippet per network probe: exit 0 = the probe passes. Output is discarded. */
function netSnippet(p: NetProbe, pace: Pace = ROUND_PACE): string {
  switch (p.kind) {
    case 'tcp-blocked':
      if (!ADDR.test(p.to)) return 'exit 3';
      return open(p.to, p.port, pace);
    case 'icmp-blocked':
      if (!ADDR.test(p.to)) return 'exit 3';
      return `! ping -n -c 1 -W ${pace.wait} -Q ${TOS} ${q(p.to)}`;
    case 'tcp-listening': {
      const hex = p.port.toString(16).toUpperCase().padStart(4, '0');
      return `cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | grep -qE '^ *[0-9]+: [0-9A-F]+:${hex} [0-9A-F]+:[0-9A-F]+ 0A '`;
    }
    case 'proxy-blocked': {
      let u: URL;
      try {
        u = new URL(p.url);
      } catch {
        return 'exit 3';
      }
      if (!ADDR.test(u.hostname)) return 'exit 3';
      const port = u.port || (u.protocol === 'https:' ? '443' : '80');
      // the FW path first (marked, so a block is not logged); only if it is open, ask the proxy itself
      const req = `GET ${p.url} HTTP/1.0\\r\\nHost: ${u.host}\\r\\nUser-Agent: -\\r\\n\\r\\n`;
      return [
        `if ( ${open(u.hostname, Number(port), pace)} ); then exit 0; fi`,
        `s=$(printf ${q(req)} | nc -n -w ${pace.proxy} 127.0.0.1 ${p.port} | head -n 1)`,
        `case "$s" in *" 2"[0-9][0-9]*) exit 1;; "") exit 4;; esac`,
        'exit 0',
      ].join('; ');
    }
  }
}

export function netDetail(p: NetProbe, code: number): ProbeResult {
  const passed = code === 0;
  switch (p.kind) {
    case 'tcp-blocked':
      if (code === 3) return { passed: false, detail: `not an address: ${p.to}` };
      return { passed, detail: `tcp ${p.to}:${p.port} from ${p.from}: ${passed ? 'no answer' : 'answers'}` };
    case 'icmp-blocked':
      if (code === 3) return { passed: false, detail: `not an address: ${p.to}` };
      return { passed, detail: `ping ${p.to} from ${p.from}: ${passed ? 'no reply' : 'replies'}` };
    case 'tcp-listening':
      return { passed, detail: `${p.node}: ${passed ? 'listens' : 'nothing listens'} on tcp ${p.port}` };
    case 'proxy-blocked':
      if (code === 3) return { passed: false, detail: `not a URL with an address: ${p.url}` };
      if (code === 4) return { passed: true, detail: `${p.node}: the proxy gave no answer for ${p.url}` };
      return { passed, detail: `${p.node}: ${passed ? 'does not fetch' : 'fetches'} ${p.url}` };
  }
}

export const sameProbe = (a: NetProbe, b: NetProbe): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * All network probes of one node in one short-lived container in its network namespace, side by
 * side (a blocked probe waits for its time-out); each probe's result on its own line (the probes
 * print nothing, so nothing can forge a line).
 */
export async function runNetProbes(
  engine: Engine,
  container: string,
  probes: NetProbe[],
  labels: Record<string, string>,
  perProbeS: number,
): Promise<ProbeResult[]> {
  const script = [`SYN=${q(SYN_PROBE)}`]
    .concat(
      probes.map((p, i) => `{ ( ${netSnippet(p)} ) </dev/null >/dev/null 2>&1; echo "@@enshu-probe ${i} $?"; } &`),
    )
    .concat('wait')
    .join('\n');
  const r = await engine.observe.inNetns(container, script, {
    labels,
    timeoutMs: perProbeS * 1000 + 10_000,
  });
  const codes = new Map<number, number>();
  for (const line of r.stdout.split('\n')) {
    const m = /^@@enshu-probe (\d+) (\d+)$/.exec(line);
    if (m) codes.set(Number(m[1]), Number(m[2]));
  }
  return probes.map((p, i) => {
    const code = codes.get(i);
    if (code === undefined)
      return {
        passed: false,
        detail: `probe did not run from ${netNode(p)} (exit ${r.exitCode}: ${r.stderr.slice(-200)})`,
      };
    return netDetail(p, code);
  });
}

/**
 * Ends a watcher's loop when its node's interfaces are gone (the node stopped, was reset or
 * removed: /proc/net/dev then lists only lo) or after `turns` turns (a watcher whose server died
 * without stopping it does not probe for ever; a live server starts a new one). Builtins only.
 */
export const watchAlive = (turns: number) =>
  `alive() { n=0; while read -r l; do n=$((n + 1)); done < /proc/net/dev; k=$((k + 1)); [ "$n" -gt 3 ] && [ "$k" -le ${turns} ]; }; k=0`;

/** the last line of a watcher whose time is up (not its node gone): its answers stay good until the next one's */
export const WATCH_END_LIFE = '@@enshu-end life';

/** a watcher's probe that has not finished within this many seconds counts as failed, and the next one starts */
export const WATCH_PROBE_LIMIT_S = 4;

/**
 * The python watcher sends a probe's answer when it differs from the last one sent, and otherwise
 * once every this many seconds (so a check that becomes due, or a team that was reset, gets a
 * fresh answer within that time): at rest a watcher's stream, the engine that carries it and the
 * server that reads it have next to nothing to do.
 */
export const WATCH_HEART_S = 5;

/**
 * The watcher where the node's image has python3: one process, one thread per probe, each probe
 * about once a second with its own time limits (a slow probe holds up no other), and no process
 * started per probe (so a watcher costs next to nothing at rest). Same probes as the snippets:
 * a half-open SYN with the checker's mark, the kernel's socket table, the proxy asked from
 * 127.0.0.1 only when the FW path is open, a marked ping. Prints `@@enshu-probe <i> <exit> <age ms>`
 * with the snippets' exit codes when an answer changes (and every WATCH_HEART_S); ends when the
 * node's interfaces are gone or after 10 minutes. An answer that turns to "passes" is asked again
 * at once and sent only if it holds (a silent proxy gets a round's longer wait the second time):
 * one odd answer under load must not earn a team a check it did not make true.
 */
const WATCH_PY = [
  'import random, select, socket, struct, subprocess, sys, threading, time',
  '# the configuration is JSON of strings and numbers, which is also a Python literal (python3-minimal has no json)',
  'cfg = eval(sys.argv[1], {"__builtins__": {}})',
  'TOS, W, PW, PR = cfg["tos"], cfg["syn"], cfg["proxy"], cfg["proxyAgain"]',
  'END = time.time() + cfg["life"]',
  'lock = threading.Lock()',
  '# what each probe last said and when: an answer is sent when it changes, and at least every HEART s',
  'HEART = cfg["heart"]',
  'said = {}',
  'def out(i, c, start):',
  '    now = time.time()',
  '    with lock:',
  '        p = said.get(i)',
  '        if p and p[0] == c and now - p[1] < HEART:',
  '            return',
  '        said[i] = (c, now)',
  '        # with how long ago the probe began: the server stamps the answer with that moment',
  '        sys.stdout.write("@@enshu-probe %d %d %d\\n" % (i, c, int((now - start) * 1000)))',
  '        sys.stdout.flush()',
  'def alive():',
  '    with open("/proc/net/dev") as f:',
  '        return len(f.readlines()) > 3',
  ...SYN_FN,
  "# the kernel socket table through sock_diag (netlink): this namespace's listeners only, where",
  '# /proc/net/tcp walks every socket of the host (milliseconds a read on a busy engine host)',
  'def listening(port):',
  '    try:',
  '        s = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 4)',
  '    except OSError:',
  '        return listening_proc(port)',
  '    s.settimeout(PW)',
  '    try:',
  '        for fam in (socket.AF_INET, socket.AF_INET6):',
  '            req = struct.pack("=BBBBI", fam, socket.IPPROTO_TCP, 0, 0, 1 << 10) + bytes(36) + struct.pack("=III", 0, 0xFFFFFFFF, 0xFFFFFFFF)',
  '            s.send(struct.pack("=IHHII", 16 + len(req), 20, 0x301, 1, 0) + req)',
  '            done = False',
  '            while not done:',
  '                buf = s.recv(65536)',
  '                at = 0',
  '                while at + 16 <= len(buf):',
  '                    ln, typ = struct.unpack_from("=IH", buf, at)',
  '                    if typ in (2, 3) or ln < 16:',
  '                        done = True',
  '                        break',
  '                    if typ == 20 and struct.unpack_from("!H", buf, at + 20)[0] == port:',
  '                        return 0',
  '                    at += (ln + 3) & ~3',
  '    finally:',
  '        s.close()',
  '    return 1',
  'def listening_proc(port):',
  '    hexport = ":%04X" % port',
  '    for name in ("/proc/net/tcp", "/proc/net/tcp6"):',
  '        try:',
  '            with open(name) as f:',
  '                for line in f.readlines()[1:]:',
  '                    w = line.split()',
  '                    if len(w) > 3 and w[1].endswith(hexport) and w[3] == "0A":',
  '                        return 0',
  '        except OSError:',
  '            pass',
  '    return 1',
  'def proxy(t, wait):',
  '    if syn(t["host"], t["port"]) != 0:',
  '        return 0',
  '    c = socket.create_connection(("127.0.0.1", t["pport"]), timeout=wait)',
  '    try:',
  '        c.sendall(t["req"].encode())',
  '        buf = b""',
  '        while b"\\n" not in buf:',
  '            d = c.recv(4096)',
  '            if not d:',
  '                break',
  '            buf += d',
  '    except socket.timeout:',
  '        pass',
  '    finally:',
  '        c.close()',
  '    first = buf.split(b"\\n")[0].decode("latin-1")',
  '    if not first:',
  '        return 4',
  '    w = first.split()',
  '    return 1 if len(w) > 1 and w[1][:1] == "2" and len(w[1]) == 3 else 0',
  'def icmp(to):',
  '    r = subprocess.run(["ping", "-n", "-c", "1", "-W", str(cfg["wait"]), "-Q", str(TOS), to], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=PW + cfg["wait"])',
  '    return 1 if r.returncode == 0 else 0',
  'def probe(t, again):',
  '    k = t["kind"]',
  '    if k == "syn":',
  '        return 1 if syn(t["to"], t["port"]) == 0 else 0',
  '    if k == "listen":',
  '        return listening(t["port"])',
  '    if k == "proxy":',
  '        # asked again after a silence: the proxy gets the longer wait of a round',
  '        return proxy(t, PR if again == 4 else PW)',
  '    if k == "icmp":',
  '        return icmp(t["to"])',
  '    return t["code"]',
  'def ask(t, again=None):',
  '    try:',
  '        return probe(t, again)',
  '    except Exception:',
  '        return 2',
  '# exit 0 is "passes" (blocked, absent, listening...); 4 is a proxy that gave no answer, which passes too',
  'PASS = (0, 4)',
  'def run(i, t):',
  '    last = None',
  '    while time.time() < END:',
  '        if not alive():',
  '            return',
  '        start = time.time()',
  '        c = ask(t)',
  '        # a turn to "passes" is asked again at once and said only if the second answer passes too: one',
  '        # slow or odd answer under load (a proxy silent past its wait, a refused fetch) is not a block',
  '        # the team made, and a check that turns true once earns for good. A real fix holds.',
  '        if c in PASS and last not in PASS:',
  '            c = ask(t, c)',
  '        last = c',
  '        out(i, c, start)',
  '        time.sleep(max(0.05, t.get("every", 1) - (time.time() - start)))',
  'ts = [threading.Thread(target=run, args=(i, t), daemon=True) for i, t in enumerate(cfg["probes"])]',
  'for t in ts:',
  '    t.start()',
  'for t in ts:',
  '    t.join()',
  '# why it ends: its time is up (the server starts another at once) or its node is gone',
  'print("@@enshu-end " + ("life" if alive() else "gone"), flush=True)',
].join('\n');

/** what the python watcher does for one probe (addresses checked here, as the snippets do) */
function watchTask(p: NetProbe): Record<string, unknown> {
  switch (p.kind) {
    case 'tcp-blocked':
      // a SYN costs nothing here: twice a second, so a block is seen within about a second
      return ADDR.test(p.to) ? { kind: 'syn', to: p.to, port: p.port, every: 0.5 } : { kind: 'const', code: 3 };
    case 'icmp-blocked':
      return ADDR.test(p.to) ? { kind: 'icmp', to: p.to } : { kind: 'const', code: 3 };
    case 'tcp-listening':
      return { kind: 'listen', port: p.port };
    case 'proxy-blocked': {
      let u: URL;
      try {
        u = new URL(p.url);
      } catch {
        return { kind: 'const', code: 3 };
      }
      if (!ADDR.test(u.hostname)) return { kind: 'const', code: 3 };
      const port = Number(u.port || (u.protocol === 'https:' ? '443' : '80'));
      const req = `GET ${p.url} HTTP/1.0\r\nHost: ${u.host}\r\nUser-Agent: -\r\n\r\n`;
      return { kind: 'proxy', host: u.hostname, port, pport: p.port, req };
    }
  }
}

/** one ask of probe `i` in a shell watcher, its exit code in `$r` */
const shellAsk = (i: number) => `timeout -k 1 ${WATCH_PROBE_LIMIT_S} sh -c "$P${i}" </dev/null >/dev/null 2>&1; r=$?`;

/**
 * The network probes of one node, each in its own loop about once a second, in one long-lived
 * container in the node's network namespace (Engine.observe.follow): one container for all the
 * answers instead of one per round. Each probe runs under its own time limits, so a slow one
 * never holds up another; an answer is one line `@@enshu-probe <i> <exit>[ <age ms>]`. In python
 * where the image has it (no process per probe; answers sent when they change), else the snippets
 * in shell loops (every answer sent). In both, a turn to "passes" is confirmed by a second ask.
 */
export function netWatchScript(probes: NetProbe[]): string {
  const cfg = {
    tos: PROBE_DSCP << 2,
    syn: WATCH_PACE.syn,
    wait: WATCH_PACE.wait,
    proxy: WATCH_PACE.proxy,
    proxyAgain: ROUND_PACE.proxy,
    life: 600,
    heart: WATCH_HEART_S,
    probes: probes.map(watchTask),
  };
  return [
    // (an image whose python3 lacks a module the watcher needs: then the shell loops)
    `if python3 -c 'import random, select, socket, struct, subprocess, threading' >/dev/null 2>&1; then exec python3 -u -c ${q(WATCH_PY)} ${q(JSON.stringify(cfg))}; fi`,
    `SYN=${q(SYN_PROBE)}`,
    'export SYN',
  ]
    .concat(
      probes.map(
        (p, i) =>
          `P${i}=${q(netSnippet(p, WATCH_PACE))}; ( ${watchAlive(600)}; while alive; do sleep 1 & s=$!; ${shellAsk(i)}; case "$r:$l" in 0:0|0:4|4:0|4:4) ;; 0:*|4:*) ${shellAsk(i)};; esac; l=$r; echo "@@enshu-probe ${i} $r"; wait $s; done ) &`,
      ),
    )
    .concat('wait')
    .concat(
      `n=0; while read -r l; do n=$((n + 1)); done < /proc/net/dev; [ "$n" -gt 3 ] && echo '${WATCH_END_LIFE}' || echo '@@enshu-end gone'`,
    )
    .join('\n');
}

/**
 * One line of a net watcher: which probe, its result and (python watcher) how many milliseconds
 * before the line the probe began; undefined for any other line.
 */
export function parseWatchLine(
  probes: NetProbe[],
  line: string,
): { index: number; result: ProbeResult; ageMs?: number } | undefined {
  const m = /^@@enshu-probe (\d+) (\d+)(?: (\d+))?$/.exec(line.trim());
  if (!m) return undefined;
  const index = Number(m[1]);
  const p = probes[index];
  if (!p) return undefined;
  const code = Number(m[2]);
  const age = m[3] === undefined ? {} : { ageMs: Number(m[3]) };
  if (code === 124 || code === 137)
    return {
      index,
      result: { passed: false, detail: `no answer from the probe within ${WATCH_PROBE_LIMIT_S}s` },
      ...age,
    };
  return { index, result: netDetail(p, code), ...age };
}

/** the lines of a file at or under `path` that match, undefined when the path does not exist */
async function matchingLines(engine: Engine, container: string, path: string, pattern: string) {
  const entries = await engine.observe.read(container, path);
  if (!entries) return undefined;
  const re = new RegExp(pattern);
  const hits: string[] = [];
  for (const e of entries) {
    if (!e.content) continue;
    for (const line of e.content.toString('utf8').split('\n'))
      if (re.test(line)) hits.push(`${e.path}: ${line.trim()}`);
  }
  return hits;
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

export interface LocalContext {
  engine: Engine;
  /** node → container */
  container: (node: string) => string;
  /** processes per node, listed once per round */
  top: (node: string) => Promise<{ command: string }[]>;
  perProbeS: number;
  /** labels of the checker's one-shot containers */
  labels: Record<string, string>;
}

/** A probe that is not a network probe: processes, files and logins. */
export async function runLocalProbe(c: LocalContext, p: Exclude<Probe, NetProbe>): Promise<ProbeResult> {
  switch (p.kind) {
    case 'process-absent': {
      const re = new RegExp(p.pattern);
      const hit = (await c.top(p.node)).find((x) => re.test(x.command));
      return hit
        ? { passed: false, detail: `${p.node}: running: ${hit.command.slice(0, 300)}` }
        : { passed: true, detail: `${p.node}: no process matches ${p.pattern}` };
    }
    case 'file-absent': {
      if (!p.name) {
        const st = await c.engine.observe.stat(c.container(p.node), p.path);
        return st
          ? { passed: false, detail: `${p.node}: ${p.path} exists` }
          : { passed: true, detail: `${p.node}: no ${p.path}` };
      }
      const entries = await c.engine.observe.read(c.container(p.node), p.path, { maxBytes: 0 });
      const re = globToRegExp(p.name);
      const hit = entries?.find((e) => e.type !== 'dir' && re.test(e.path.slice(e.path.lastIndexOf('/') + 1)));
      return hit
        ? { passed: false, detail: `${p.node}: ${hit.path} exists` }
        : { passed: true, detail: `${p.node}: nothing named ${p.name} under ${p.path}` };
    }
    case 'file-contains': {
      const hits = await matchingLines(c.engine, c.container(p.node), p.path, p.pattern);
      if (!hits) return { passed: false, detail: `${p.node}: no ${p.path}` };
      return hits.length
        ? { passed: true, detail: hits[0]!.slice(0, 300) }
        : { passed: false, detail: `${p.node}: nothing in ${p.path} matches ${p.pattern}` };
    }
    case 'file-lacks': {
      const hits = await matchingLines(c.engine, c.container(p.node), p.path, p.pattern);
      if (!hits) return { passed: true, detail: `${p.node}: no ${p.path}` };
      return hits.length
        ? { passed: false, detail: hits[0]!.slice(0, 300) }
        : { passed: true, detail: `${p.node}: nothing in ${p.path} matches ${p.pattern}` };
    }
    case 'login-refused':
      return p.service === 'samba' ? sambaLogin(c, p) : p.service === 'orders' ? ordersLogin(c, p) : unixLogin(c, p);
  }
}

/** Samba's password database (tdbsam): written on every disable, lock or password change */
export const SAMBA_PASSDB = '/var/lib/samba/private/passdb.tdb';

async function sambaLogin(c: LocalContext, p: Extract<Probe, { kind: 'login-refused' }>): Promise<ProbeResult> {
  // `pdbedit -w`: user:uid:LM:NT:[flags]:LCT-…: — a read of the password database, no sign-in
  const r = await c.engine.exec.run(c.container(p.node), ['pdbedit', '-L', '-w', '-u', p.user], {
    timeoutMs: c.perProbeS * 1000,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith(`${p.user}:`));
  if (!line) {
    if (r.exitCode !== 0 && /No such user|not found|Username not found/i.test(r.stdout + r.stderr))
      return { passed: true, detail: `${p.node}: ${p.user} no longer exists` };
    if (r.exitCode !== 0)
      return { passed: false, detail: `${p.node}: pdbedit failed: ${(r.stderr || r.stdout).slice(-200)}` };
    return { passed: true, detail: `${p.node}: ${p.user} no longer exists` };
  }
  const f = line.split(':');
  const flags = f[4] ?? '';
  if (/[DL]/.test(flags.replace(/[[\]\s]/g, '')))
    return { passed: true, detail: `${p.node}: ${p.user} is ${flags.includes('D') ? 'disabled' : 'locked'}` };
  return (f[3] ?? '').toUpperCase() === ntHash(p.password)
    ? { passed: false, detail: `${p.node}: ${p.user} still signs in with the stolen password` }
    : { passed: true, detail: `${p.node}: ${p.user}'s password was changed` };
}

/** the text of every file at or under `path` (archive API), undefined when it does not exist */
async function texts(c: LocalContext, node: string, path: string): Promise<string[] | undefined> {
  const entries = await c.engine.observe.read(c.container(node), path);
  return entries?.filter((e) => e.content).map((e) => e.content!.toString('utf8'));
}

/**
 * An account of the node's own (ssh) logins: locked, expired, removed, refused by sshd's
 * DenyUsers/AllowUsers, or its password changed. /etc/shadow and sshd's configuration are read
 * through the archive API; the stolen password is hashed with the node's own crypt() in a
 * one-shot container of its image (nothing runs in the node).
 */
async function unixLogin(c: LocalContext, p: Extract<Probe, { kind: 'login-refused' }>): Promise<ProbeResult> {
  const shadow = (await texts(c, p.node, '/etc/shadow'))?.[0];
  if (shadow === undefined) return { passed: false, detail: `${p.node}: no /etc/shadow` };
  const f = shadow
    .split('\n')
    .find((l) => l.startsWith(`${p.user}:`))
    ?.split(':');
  if (!f) return { passed: true, detail: `${p.node}: ${p.user} no longer exists` };
  const hash = f[1] ?? '';
  if (/^[!*]/.test(hash) || hash === '') return { passed: true, detail: `${p.node}: ${p.user} is locked` };
  const expires = Number(f[7] || Number.NaN);
  if (Number.isFinite(expires) && expires * 86_400_000 <= Date.now())
    return { passed: true, detail: `${p.node}: ${p.user} has expired` };
  const sshd = ((await texts(c, p.node, '/etc/ssh')) ?? []).join('\n').split('\n');
  const words = (k: string) =>
    sshd
      .map((l) => l.trim().split(/\s+/))
      .filter((w) => w[0]?.toLowerCase() === k)
      .map((w) => w.slice(1));
  if (words('denyusers').some((w) => w.includes(p.user)))
    return { passed: true, detail: `${p.node}: sshd denies ${p.user}` };
  const allow = words('allowusers');
  if (allow.length && !allow.some((w) => w.includes(p.user)))
    return { passed: true, detail: `${p.node}: sshd allows only ${allow.flat().join(' ')}` };
  const r = await c.engine.observe.inNetns(
    c.container(p.node),
    `perl -e 'print crypt($ARGV[0], $ARGV[1])' ${q(p.password)} ${q(hash)}`,
    { labels: c.labels, timeoutMs: c.perProbeS * 1000 + 10_000 },
  );
  if (r.exitCode !== 0 || !r.stdout)
    return { passed: false, detail: `${p.node}: could not hash: ${r.stderr.slice(-200)}` };
  return r.stdout === hash
    ? { passed: false, detail: `${p.node}: ${p.user} still signs in with the stolen password` }
    : { passed: true, detail: `${p.node}: ${p.user}'s password was changed` };
}

/** where the order system keeps its users (topologies/roles/orders/orders-app) */
const ORDERS_DB = '/var/lib/orders/orders.db';

async function ordersLogin(c: LocalContext, p: Extract<Probe, { kind: 'login-refused' }>): Promise<ProbeResult> {
  const entries = await c.engine.observe.read(c.container(p.node), ORDERS_DB, { maxBytes: 64 * 1024 * 1024 });
  const file = entries?.find((e) => e.type === 'file' && e.content);
  if (!file?.content) return { passed: false, detail: `${p.node}: no ${ORDERS_DB}` };
  const db = new Database(file.content, { readonly: true });
  let row: { password: string } | undefined;
  try {
    row = db.prepare('SELECT password FROM users WHERE name = ?').get(p.user) as typeof row;
  } finally {
    db.close();
  }
  if (!row) return { passed: true, detail: `${p.node}: ${p.user} no longer exists` };
  const [salt, digest] = row.password.split('$');
  if (!salt || !digest) return { passed: true, detail: `${p.node}: ${p.user} has no usable password` };
  const mine = pbkdf2Sync(p.password, salt, 50_000, 32, 'sha256');
  const theirs = Buffer.from(digest, 'hex');
  return theirs.length === mine.length && timingSafeEqual(mine, theirs)
    ? { passed: false, detail: `${p.node}: ${p.user} still signs in with the stolen password` }
    : { passed: true, detail: `${p.node}: ${p.user}'s password was changed` };
}
