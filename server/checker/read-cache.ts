/**
 * Reads through the engine's archive API cost tens of milliseconds of the engine's CPU each (it
 * copies the path out as a tar), a stat about one. The live checker looks every second, so it
 * reads a path again only when a stat says it may have changed: the path's own stat and, for a
 * folder, the stat of everything the last read found under it (a file edited in place changes its
 * own time, one added or removed changes its folder's). A read is also repeated after `maxAgeMs`
 * whatever the stats say (a time set back by hand), so nothing is older than a round used to be.
 */
import type { Engine } from '../../orchestrator/index.js';

type Entries = Awaited<ReturnType<Engine['observe']['read']>>;

/** past this many entries a folder is read every time (its stats would cost more than the read) */
const MAX_ENTRIES = 64;

export class ReadCache {
  private readonly cache = new Map<string, { sig: string; at: number; entries: Entries }>();

  constructor(
    private readonly engine: Engine,
    private readonly maxAgeMs: number,
  ) {}

  /** what a stat of each path says, in one string (`-` for a path that is not there) */
  private async signature(container: string, paths: string[]): Promise<string> {
    const stats = await Promise.all(paths.map((p) => this.engine.observe.stat(container, p)));
    return stats.map((s, i) => `${paths[i]}=${s ? `${s.mtime}/${s.size}/${s.mode}` : '-'}`).join('\n');
  }

  private static paths(path: string, entries: Entries): string[] | undefined {
    const under = (entries ?? []).filter((e) => e.path !== path).map((e) => e.path);
    return under.length > MAX_ENTRIES ? undefined : [path, ...under.sort()];
  }

  async read(container: string, path: string, opts: { maxBytes?: number } = {}): Promise<Entries> {
    const key = `${container}\0${path}\0${opts.maxBytes ?? ''}`;
    const hit = this.cache.get(key);
    const paths = hit ? ReadCache.paths(path, hit.entries) : [path];
    // taken before the read: a change during the read shows in the next signature
    const sig = paths ? await this.signature(container, paths) : undefined;
    if (hit && sig !== undefined && hit.sig === sig && Date.now() - hit.at < this.maxAgeMs) return hit.entries;
    const at = Date.now();
    const entries = await this.engine.observe.read(container, path, opts);
    if (sig === undefined) this.cache.delete(key);
    // a folder's first signature had only the folder: it differs from the next one, which reads once more
    else this.cache.set(key, { sig, at, entries });
    return entries;
  }

  /** the engine with reads through this cache */
  engineView(): Engine {
    const observe = this.engine.observe;
    const view = Object.create(this.engine) as Engine;
    Object.defineProperty(view, 'observe', {
      value: {
        top: (c: string) => observe.top(c),
        stat: (c: string, p: string) => observe.stat(c, p),
        inNetns: (...a: Parameters<Engine['observe']['inNetns']>) => observe.inNetns(...a),
        follow: (...a: Parameters<Engine['observe']['follow']>) => observe.follow(...a),
        read: (c: string, p: string, o?: { maxBytes?: number }) => this.read(c, p, o),
      },
    });
    return view;
  }
}
