/** Plain commands on a node, mail from the attacker host, and the staff simulator. */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { WaitTimeoutError, retryUntil } from '../../core/index.js';
import type { ExecResult } from '../../orchestrator/index.js';
import { implantDropper } from './c2-scripts.js';
import { ensureC2, ImplantParams, implantFiles } from './implant.js';
import { defineAction, type Cleanup, type CleanupContext } from './types.js';
import { b64, classifyCurl, digest, q, writeFileScript } from './util.js';

export const shellAction = defineAction({
  kind: 'shell',
  summary: 'run a shell command on this node (as a user); succeeds on exit 0 and, if given, output matching `expect`',
  params: z
    .object({
      command: z.string().min(1),
      user: z.string().optional(),
      expect: z.string().optional(),
      timeout: z.number().min(1).max(600).default(60),
      /** shell run on stop to undo it */
      undo: z.string().optional(),
    })
    .strict(),
  cleanupOf: shellCleanup,
  async run(ctx, p) {
    const r = await ctx.range.sh(ctx.node, p.command, {
      timeoutMs: p.timeout * 1000,
      ...(p.user ? { user: p.user } : {}),
    });
    const out = r.stdout + r.stderr;
    const matched = !p.expect || new RegExp(p.expect, 'm').test(out);
    const cleanup = shellCleanup(ctx, p);
    return {
      outcome: r.exitCode === 0 && matched ? 'succeeded' : 'failed',
      ...(r.exitCode !== 0
        ? { reason: `exit ${r.exitCode}: ${r.stderr.trim().split('\n').pop() ?? ''}` }
        : !matched
          ? { reason: `output did not match /${p.expect}/` }
          : {}),
      evidence: digest(`${ctx.node}$ ${p.command.split('\n')[0]!.slice(0, 120)}`, out),
      output: out,
      ...(cleanup ? { cleanup } : {}),
    };
  },
});

/** A MIME message with one attachment, CRLF line ends as SMTP wants. */
export function buildMail(m: {
  from: string;
  to: string;
  subject: string;
  body: string;
  attachment?: { name: string; content: string };
  messageId: string;
  date: Date;
}): string {
  const boundary = `=_enshu_${m.messageId.slice(0, 12)}`;
  const subject = `=?UTF-8?B?${b64(m.subject)}?=`;
  const lines = [
    `From: ${m.from}`,
    `To: ${m.to}`,
    `Subject: ${subject}`,
    `Date: ${m.date.toUTCString()}`,
    `Message-ID: <${m.messageId}>`,
    'MIME-Version: 1.0',
  ];
  if (!m.attachment) {
    lines.push(
      'Content-Type: text/plain; charset=UTF-8',
      'Content-Transfer-Encoding: base64',
      '',
      ...wrap(b64(m.body)),
    );
  } else {
    lines.push(
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=UTF-8',
      'Content-Transfer-Encoding: base64',
      '',
      ...wrap(b64(m.body)),
      `--${boundary}`,
      `Content-Type: application/octet-stream; name="${m.attachment.name}"`,
      'Content-Transfer-Encoding: base64',
      `Content-Disposition: attachment; filename="${m.attachment.name}"`,
      '',
      ...wrap(b64(m.attachment.content)),
      `--${boundary}--`,
    );
  }
  return lines.join('\r\n') + '\r\n';
}

function wrap(s: string): string[] {
  return s.match(/.{1,76}/g) ?? [''];
}

export const sendMailAction = defineAction({
  kind: 'send-mail',
  summary: 'send a (phishing) mail with an attachment over SMTP from this node (the attacker host) to the mail server',
  params: z
    .object({
      server: z.string().min(1),
      port: z.number().int().default(25),
      from: z.string().min(3),
      to: z.string().min(3),
      subject: z.string().min(1),
      body: z.string(),
      attachment: z
        .union([
          z.object({ name: z.string().min(1), content: z.string() }).strict(),
          /** an attachment that installs the implant on `node` when its user opens it */
          z
            .object({ name: z.string().min(1), implant: ImplantParams.extend({ node: z.string().min(1) }).strict() })
            .strict(),
        ])
        .optional(),
      helo: z.string().default('mail.example.net'),
    })
    .strict(),
  async run(ctx, p) {
    const server = ctx.range.address(p.server);
    const messageId = `${randomUUID()}@${p.from.split('@')[1] ?? 'attacker'}`;
    let attachment: { name: string; content: string } | undefined;
    if (p.attachment && 'implant' in p.attachment) {
      const { node, ...ip } = p.attachment.implant;
      const f = implantFiles(ctx.range, node, ip);
      await ensureC2(ctx.range, ctx.shared, ip.c2, ip.port);
      attachment = { name: p.attachment.name, content: implantDropper({ id: f.id, name: ip.name, script: f.script }) };
    } else if (p.attachment) attachment = p.attachment;
    const mail = buildMail({
      from: p.from,
      to: p.to,
      subject: p.subject,
      body: p.body,
      ...(attachment ? { attachment } : {}),
      messageId,
      date: new Date(),
    });
    const file = `/tmp/.enshu-mail-${ctx.step}.eml`;
    const r = await ctx.range.sh(
      ctx.node,
      `${writeFileScript(file, mail)} && curl -sS -m 20 --url smtp://${server}:${p.port}/${p.helo} --mail-from ${q(p.from)} --mail-rcpt ${q(p.to)} -T ${file}; rc=$?; rm -f ${file}; exit $rc`,
    );
    const c = classifyCurl(r, `SMTP to ${server}:${p.port}`);
    return {
      outcome: c.outcome,
      ...(c.reason ? { reason: c.reason } : {}),
      evidence: `mail ${p.from} → ${p.to} "${p.subject}"${p.attachment ? ` with ${p.attachment.name}` : ''}, Message-ID <${messageId}>`,
      output: messageId,
    };
  },
});

export const openAttachmentAction = defineAction({
  kind: 'open-attachment',
  summary: 'have the staff simulator on this terminal open the newest mail attachment of a user',
  params: z
    .object({
      user: z.string().min(1),
      subject: z.string().optional(),
      timeout: z.number().min(1).max(600).default(60),
    })
    .strict(),
  cleanupOf: attachmentCleanup,
  async run(ctx, p) {
    const has = await ctx.range.sh(ctx.node, 'command -v staff-sim');
    if (has.exitCode !== 0) {
      return {
        outcome: 'failed',
        reason: `${ctx.node} has no staff simulator (staff-sim not installed in its role image)`,
        evidence: '',
      };
    }
    const args = ['staff-sim', 'open-attachment', '--user', p.user, ...(p.subject ? ['--subject', p.subject] : [])];
    // At high speed the user may look before the mail is delivered, or the mail server may answer
    // slowly; like a person, the simulator looks again until the step's time is up.
    const total = p.timeout * 1000;
    const deadline = Date.now() + total;
    const tryAgain = (x: ExecResult) =>
      x.exitCode !== 0 && /no mail|timed out|Connection refused/i.test(x.stdout + x.stderr);
    const r = await retryUntil(
      (attempt) =>
        ctx.range.run(ctx.node, args, { timeoutMs: attempt === 1 ? total : Math.max(1000, deadline - Date.now()) }),
      // the first look always runs; a stopped attack ends the step with what the last look saw
      {
        what: `${p.user} to open an attachment on ${ctx.node}`,
        timeoutMs: total,
        intervalMs: 2000,
        until: (x) => !tryAgain(x) || ctx.signal.aborted,
      },
    ).catch((err: unknown) => {
      // out of time: the last look's answer is the step's result
      if (err instanceof WaitTimeoutError) return err.lastResult as ExecResult;
      throw err;
    });
    const out = r.stdout + r.stderr;
    const cleanup = attachmentCleanup(ctx, p, r.stdout);
    return {
      ...(cleanup ? { cleanup } : {}),
      outcome: r.exitCode === 0 ? 'succeeded' : 'failed',
      ...(r.exitCode === 0 ? {} : { reason: `staff-sim exit ${r.exitCode}: ${out.trim().split('\n').pop() ?? ''}` }),
      evidence: digest(`${p.user} opened an attachment on ${ctx.node}`, out),
      output: out,
    };
  },
});

/**
 * Removes the attachment the simulator saved. Its path is in the simulator's answer, which the step's
 * evidence keeps (so a restarted server finds it again).
 */
function attachmentCleanup(ctx: CleanupContext, _p: unknown, output: string): Cleanup | undefined {
  const saved = /"file": "([^"]+)"/.exec(output)?.[1];
  return saved
    ? {
        label: `remove ${saved} on ${ctx.node}`,
        run: async () => void (await ctx.range.run(ctx.node, ['rm', '-f', saved])),
      }
    : undefined;
}

/** The step's `undo`, on its own node. */
function shellCleanup(ctx: CleanupContext, p: { undo?: string | undefined }): Cleanup | undefined {
  const undo = p.undo;
  return undo
    ? { label: `undo on ${ctx.node}: ${undo.slice(0, 60)}`, run: async () => void (await ctx.range.sh(ctx.node, undo)) }
    : undefined;
}
