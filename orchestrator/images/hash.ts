import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Content hash of a build context: paths, modes and bytes, in a stable order. */
export function hashContext(dir: string, extra: string[] = []): string {
  const h = createHash('sha256');
  for (const e of extra) h.update(`extra:${e}\n`);
  for (const file of walk(dir)) {
    const st = statSync(file);
    h.update(`${relative(dir, file)}\n${st.mode & 0o111 ? 'x' : '-'}\n`);
    h.update(readFileSync(file));
    h.update('\n');
  }
  return h.digest('hex').slice(0, 12);
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(p));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}
