/**
 * Reads through the engine's archive API cost tens of milliseconds of the engine's CPU each (it
 * copies the path out as a tar), a stat well under one. The live checker looks every second, so it
 * reads a path again only when a stat says it may have changed: the path's own stat and, for a
 * folder, the stat of everything the last read found under it (a file edited in place changes its
 * own time, one added or removed changes its folder's). A read is also repeated after `maxAgeMs`
 * whatever the stats say (only a time set back by hand could hide a change from them). Within one
 * turn of the live checker a path is stat'ed once, whatever number of probes look at it.
 */
import type { Engine } from '../../orchestrator/index.js';

type Entries = Awaited<ReturnType<Engine['observe']['read']>>;

/** past this many entries a folder is read every time (its stats would cost more than the read) */
const MAX_ENTRIES = 64;

export class ReadCache {
  private readonly cache = new Map<string, { sig: string; at: number; entries: Entries }>();
  /** this turn's stats (`container\0path`), each begun after the turn's looks were issued */
  private readonly turn = new Map<string, ReturnType<Engine['observe']['stat']>>();

  constructor(
    private readonly engine: Engine,
    private readonly maxAgeMs: number,
  ) {}

  /** a new turn: stats are taken again */
  beginTurn(): void {
    this.turn.clear();
  }

  /** a stat, shared with the turn's other looks at the same path (`shared`) */
  stat(container: string, path: string, shared = true): ReturnType<Engine['observe']['stat']> {
    if (!shared) return this.engine.observe.stat(container, path);
    const key = `${container}\0${path}`;
    let st = this.turn.get(key);
    if (!st) {
      st = this.engine.observe.stat(container, path);
      this.turn.set(key, st);
      // a failed stat is not kept: the next look asks again
      st.catch(() => this.turn.get(key) === st && this.turn.delete(key));
    }
    return st;
  }

  /** what a stat of each path says, in one string (`-` for a path that is not there) */
  private async signature(container: string, paths: string[], shared: boolean): Promise<string> {
    const stats = await Promise.all(paths.map((p) => this.stat(container, p, shared)));
    return stats.map((s, i) => `${paths[i]}=${s ? `${s.mtime}/${s.size}/${s.mode}` : '-'}`).join('\n');
  }

  private static paths(path: string, entries: Entries): string[] | undefined {
    const under = (entries ?? []).filter((e) => e.path !== path).map((e) => e.path);
    return under.length > MAX_ENTRIES ? undefined : [path, ...under.sort()];
  }

  async read(container: string, path: string, opts: { maxBytes?: number } = {}, shared = true): Promise<Entries> {
    const key = `${container}\0${path}\0${opts.maxBytes ?? ''}`;
    const hit = this.cache.get(key);
    const paths = hit ? ReadCache.paths(path, hit.entries) : [path];
    // taken before the read: a change during the read shows in the next signature
    const sig = paths ? await this.signature(container, paths, shared) : undefined;
    if (hit && sig !== undefined && hit.sig === sig && Date.now() - hit.at < this.maxAgeMs) return hit.entries;
    const at = Date.now();
    const entries = await this.engine.observe.read(container, path, opts);
    if (sig === undefined) this.cache.delete(key);
    // a folder's first signature had only the folder: it differs from the next one, which reads once more
    else this.cache.set(key, { sig, at, entries });
    return entries;
  }

  /** the engine with reads through this cache, and stats shared within the turn if `shared` */
  engineView(shared: boolean): Engine {
    const observe = this.engine.observe;
    const view = Object.create(this.engine) as Engine;
    Object.defineProperty(view, 'observe', {
      value: {
        top: (c: string) => observe.top(c),
        stat: (c: string, p: string) => this.stat(c, p, shared),
        inNetns: (...a: Parameters<Engine['observe']['inNetns']>) => observe.inNetns(...a),
        follow: (...a: Parameters<Engine['observe']['follow']>) => observe.follow(...a),
        read: (c: string, p: string, o?: { maxBytes?: number }) => this.read(c, p, o, shared),
      },
    });
    return view;
  }
}
