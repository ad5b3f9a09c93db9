import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ImageBuildError } from '../../core/index.js';

/**
 * The Debian mirror this host already uses, read from its apt configuration, so images are
 * built from the same archive the machine trusts and no host name is written into the project.
 */
export function hostDebianMirror(aptDir = '/etc/apt'): string {
  if (process.env.ENSHU_DEBIAN_MIRROR) return process.env.ENSHU_DEBIAN_MIRROR;
  const candidates: string[] = [];
  const list = join(aptDir, 'sources.list');
  if (existsSync(list)) candidates.push(...fromOneLine(readFileSync(list, 'utf8')));
  const dir = join(aptDir, 'sources.list.d');
  if (existsSync(dir)) {
    for (const f of readdirSync(dir).sort()) {
      const text = readFileSync(join(dir, f), 'utf8');
      if (f.endsWith('.sources')) candidates.push(...fromDeb822(text));
      else if (f.endsWith('.list')) candidates.push(...fromOneLine(text));
    }
  }
  const mirror = candidates.find((u) => !/security/.test(u));
  if (!mirror) {
    throw new ImageBuildError(
      `no Debian mirror found in ${aptDir} (sources.list or sources.list.d/*.sources); set ENSHU_DEBIAN_MIRROR`,
    );
  }
  return mirror.replace(/\/+$/, '');
}

function fromOneLine(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.*)$/.exec(line);
    if (m && /\bmain\b/.test(m[3]!) && !/-(updates|backports)$/.test(m[2]!)) out.push(m[1]!);
  }
  return out;
}

function fromDeb822(text: string): string[] {
  const out: string[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const raw of stanza.split('\n')) {
      if (raw.startsWith('#')) continue;
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(raw);
      if (m) fields.set(m[1]!.toLowerCase(), m[2]!.trim());
    }
    if (!(fields.get('types') ?? '').split(/\s+/).includes('deb')) continue;
    if (!/\bmain\b/.test(fields.get('components') ?? '')) continue;
    for (const uri of (fields.get('uris') ?? '').split(/\s+/)) if (uri) out.push(uri);
  }
  return out;
}
