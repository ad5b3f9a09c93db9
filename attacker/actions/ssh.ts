/**
 * Lateral movement over SSH with stolen credentials. The TCP connection is `nc host 22` run
 * inside the compromised node, so it starts inside the range and crosses the range's FW like
 * a real attacker's would; ssh2 speaks SSH over that pipe.
 */
import { createHash } from 'node:crypto';
import { Client } from 'ssh2';
import { z } from 'zod';
import { WaitTimeoutError, retryUntil } from '../../core/index.js';
import type { RangeView } from '../run/range-view.js';
import { defineAction, type Cleanup, type CleanupContext } from './types.js';
import { digest } from './util.js';

export interface SshResult {
  code: number;
  output: string;
  hostKey: string;
}

/** Opens SSH from `fromNode` to `address` through an exec'd netcat and runs one command. */
export async function sshExec(
  range: RangeView,
  fromNode: string,
  address: string,
  port: number,
  auth: { username: string; password?: string; privateKey?: string },
  command: string,
  timeoutMs: number,
): Promise<SshResult> {
  const session = await range.open(fromNode, ['nc', '-w', '30', address, String(port)], { tty: false });
  const client = new Client();
  let hostKey = '';
  try {
    return await new Promise<SshResult>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no answer from ${address}:${port} within ${timeoutMs / 1000}s`)),
        timeoutMs,
      );
      client.on('ready', () => {
        client.exec(command, (err, stream) => {
          if (err) return reject(err);
          let out = '';
          stream.on('data', (d: Buffer) => (out += d.toString()));
          stream.stderr.on('data', (d: Buffer) => (out += d.toString()));
          stream.on('close', (code: number | null) => {
            clearTimeout(timer);
            resolve({ code: code ?? -1, output: out, hostKey });
          });
        });
      });
      client.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      session.stream.on('end', () =>
        reject(new Error(`connection to ${address}:${port} closed (nothing answered, or a firewall dropped it)`)),
      );
      client.connect({
        sock: session.stream,
        username: auth.username,
        ...(auth.password ? { password: auth.password } : {}),
        ...(auth.privateKey ? { privateKey: auth.privateKey } : {}),
        readyTimeout: timeoutMs,
        hostVerifier: (key: Buffer) => {
          hostKey = `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
          return true;
        },
      });
    });
  } finally {
    client.end();
    session.stream.destroy();
  }
}

export const sshAction = defineAction({
  kind: 'ssh',
  summary:
    'log in from this (compromised) node to another node of the range over SSH with stolen credentials and run a command',
  params: z
    .object({
      host: z.string().min(1),
      port: z.number().int().default(22),
      user: z.string().min(1),
      password: z.string().optional(),
      privateKey: z.string().optional(),
      command: z.string().min(1),
      expect: z.string().optional(),
      timeout: z.number().min(1).max(300).default(30),
      undo: z.string().optional(),
    })
    .strict()
    .refine((p) => p.password || p.privateKey, 'give a password or a privateKey'),
  cleanupOf: sshCleanup,
  async run(ctx, p) {
    const address = ctx.range.address(p.host);
    const target = ctx.range.ownerOf(address) ?? ctx.range.nodeName(p.host);
    const auth = {
      username: p.user,
      ...(p.password ? { password: p.password } : {}),
      ...(p.privateKey ? { privateKey: p.privateKey } : {}),
    };
    let r: SshResult | undefined;
    let lastErr: Error | undefined;
    try {
      // a dropped connection is tried again, as a real attacker would; refused credentials are not
      r = await retryUntil(() => sshExec(ctx.range, ctx.node, address, p.port, auth, p.command, p.timeout * 1000), {
        what: `ssh ${p.user}@${address}:${p.port}`,
        maxAttempts: 3,
        intervalMs: 2000,
        retryOn: (err) =>
          !/authentication|All configured authentication methods failed/i.test((err as Error).message) &&
          !ctx.signal.aborted,
      });
    } catch (err) {
      lastErr = (err instanceof WaitTimeoutError ? err.lastError : err) as Error;
    }
    if (!r) {
      const msg = lastErr?.message ?? 'no answer';
      const auth = /authentication|All configured authentication methods failed/i.test(msg);
      return {
        outcome: 'blocked',
        reason: auth
          ? `ssh ${p.user}@${target}: the credentials were refused (password changed or account disabled?)`
          : `ssh ${p.user}@${target}: ${msg}`,
        evidence: `ssh ${p.user}@${address}:${p.port} from ${ctx.node}`,
      };
    }
    const matched = !p.expect || new RegExp(p.expect, 'm').test(r.output);
    const cleanup = sshCleanup(ctx, p);
    return {
      outcome: r.code === 0 && matched ? 'succeeded' : 'failed',
      ...(r.code !== 0
        ? { reason: `remote command exited ${r.code}` }
        : !matched
          ? { reason: `output did not match /${p.expect}/` }
          : {}),
      evidence: digest(
        `ssh ${p.user}@${target} (${address}, host key ${r.hostKey}) from ${ctx.node}: ${p.command.split('\n')[0]!.slice(0, 100)}`,
        r.output,
      ),
      output: r.output,
      ...(cleanup ? { cleanup } : {}),
    };
  },
});

/** The step's `undo`, run on the node it logged in to. */
function sshCleanup(ctx: CleanupContext, p: { host: string; undo?: string | undefined }): Cleanup | undefined {
  const undo = p.undo;
  if (!undo) return undefined;
  const target = ctx.range.ownerOf(ctx.range.address(p.host)) ?? ctx.range.nodeName(p.host);
  return {
    label: `undo on ${target}: ${undo.slice(0, 60)}`,
    run: async () => {
      if (ctx.range.has(target)) await ctx.range.sh(target, undo);
    },
  };
}
