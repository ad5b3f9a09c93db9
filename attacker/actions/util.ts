import { createHash } from 'node:crypto';
import type { ExecResult } from '../../orchestrator/index.js';

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A short evidence line: the first lines of output plus a hash of all of it. */
export function digest(label: string, output: string): string {
  const trimmed = output.trim();
  const head = trimmed.split('\n').slice(0, 6).join(' | ').slice(0, 400);
  return `${label}${head ? ` — ${head}` : ''} [sha256:${sha256(trimmed).slice(0, 16)}]`;
}

/** Single-quotes a value for sh. */
export function q(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

export function b64(s: string | Buffer): string {
  return Buffer.from(s).toString('base64');
}

/** Shell that writes `content` to `path` with `mode`, whatever bytes it holds. */
export function writeFileScript(path: string, content: string | Buffer, mode = '0644'): string {
  return `mkdir -p "$(dirname ${q(path)})" && printf %s ${q(b64(content))} | base64 -d > ${q(path)} && chmod ${mode} ${q(path)}`;
}

/** curl's exit status → outcome: what a defender's block looks like vs a broken service. */
export function classifyCurl(
  r: ExecResult,
  what: string,
): { outcome: 'succeeded' | 'blocked' | 'failed'; reason?: string } {
  if (r.exitCode === 0) return { outcome: 'succeeded' };
  const err = (r.stderr || r.stdout).trim().split('\n').pop() ?? '';
  const blockedCodes: Record<number, string> = {
    28: 'timed out (packets dropped, e.g. by a firewall rule)',
    7: 'connection refused or no route (rejected by a firewall, or the service is down)',
    22: 'the server or proxy answered with an HTTP error (e.g. the proxy denied it)',
    56: 'connection reset while receiving',
    55: 'the server refused the data',
    67: 'the server refused the login',
    5: 'the proxy host could not be resolved',
    6: 'the host name could not be resolved',
  };
  const why = blockedCodes[r.exitCode];
  if (why) return { outcome: 'blocked', reason: `${what}: curl exit ${r.exitCode}, ${why}${err ? ` (${err})` : ''}` };
  return { outcome: 'failed', reason: `${what}: curl exit ${r.exitCode}${err ? ` (${err})` : ''}` };
}
