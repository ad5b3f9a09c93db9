/**
 * What the live rooms send, coalesced per client per tick. Each change used to be one write per
 * client (1,000 events a second to 100 staff clients: 200,000 socket writes a second, most of the
 * server's time in `writev`); now a change is queued for the sockets it is for, projected
 * once per audience (a staff role, or a trainee's exercise and team), and every `tickMs` each
 * socket gets what queued for it: one `batch` packet if it asked for batches (the web UI does),
 * with score deltas in their short form (`compact`), else its messages one by one as before.
 * Sockets that get the same messages share one encoding (socket.io encodes a broadcast once for
 * all its targets).
 *
 * Who gets a message is decided when it is queued, as it was when it was sent at once: a socket
 * that joins a room afterwards has the change in its join snapshot and is not sent it again.
 */
import type { LiveEvents, LiveMessage, Principal } from '../../protocol/index.js';
import { isTrainee } from '../visibility/index.js';
import type { LiveServer } from './socket.js';

/** A client sees a change at most this much later than it happened (plus the time to send it). */
export const DEFAULT_LIVE_TICK_MS = 50;

type Payload<K extends keyof LiveEvents> = Parameters<LiveEvents[K]>[0];

interface Queued {
  /** order of queueing: a socket's messages go out in it */
  id: number;
  msg: LiveMessage;
  /** what a batch carries instead, if it differs (`compact`) */
  short?: LiveMessage;
}

/**
 * A batch's form of a message: score deltas carry the team's summary (total, phases, rank) and
 * not the breakdown, which grows with every item a team earns and which the live views do not
 * show (the breakdown is one REST call away). A staff client's share of a busy exercise shrinks
 * about tenfold. The summary is a valid `ScoreDelta` (`detail`, `previous` are optional).
 */
export function compact(msg: LiveMessage): LiveMessage | undefined {
  if (msg[0] !== 'score') return undefined;
  const d = msg[1];
  const { team, total, phases, rank } = d.score;
  return [
    'score',
    {
      exercise: d.exercise,
      team: d.team,
      score: { team, total, phases, ...(rank !== undefined ? { rank } : {}) },
      seq: d.seq,
      causeAppendedAt: d.causeAppendedAt,
      ...(d.cause ? { cause: d.cause } : {}),
    },
  ];
}

/** The audience a projection depends on: the same for every socket of it. */
const audienceOf = (p: Principal): string => (isTrainee(p) ? `trainee\n${p.exercise}\n${p.team}` : p.role);

export class LiveOutbox {
  private queued = new Map<string, Queued[]>();
  private nextId = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly io: LiveServer,
    private readonly tickMs = DEFAULT_LIVE_TICK_MS,
  ) {}

  /** Queues `name` for each socket of `ids` as `view` projects it for its principal (undefined: not for them). */
  push<K extends keyof LiveEvents>(
    ids: Iterable<string>,
    name: K,
    view: (p: Principal) => Payload<K> | undefined,
  ): void {
    const made = new Map<string, Queued | null>();
    for (const id of ids) {
      const s = this.io.sockets.sockets.get(id);
      if (!s) continue;
      const p = s.data.principal;
      const audience = audienceOf(p);
      let m = made.get(audience);
      if (m === undefined) {
        const payload = view(p);
        if (payload === undefined) m = null;
        else {
          const msg = [name, payload] as LiveMessage;
          const short = compact(msg);
          m = { id: this.nextId++, msg, ...(short ? { short } : {}) };
        }
        made.set(audience, m);
      }
      if (!m) continue;
      const q = this.queued.get(id);
      if (q) q.push(m);
      else this.queued.set(id, [m]);
    }
    if (this.queued.size > 0 && !this.timer) this.timer = setTimeout(() => this.flush(), this.tickMs);
  }

  /** Sends what is queued now (the tick's timer calls it). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const queued = this.queued;
    this.queued = new Map();
    // batch clients with the same messages form one group; one-by-one clients are grouped per message
    const batches = new Map<string, { ids: string[]; msgs: Queued[] }>();
    const single = new Map<number, { msg: LiveMessage; ids: string[] }>();
    for (const [id, msgs] of queued) {
      const s = this.io.sockets.sockets.get(id);
      if (!s?.connected) continue;
      if (s.data.batch) {
        const key = msgs.map((m) => m.id).join(',');
        const g = batches.get(key);
        if (g) g.ids.push(id);
        else batches.set(key, { ids: [id], msgs });
      } else
        for (const m of msgs) {
          const g = single.get(m.id);
          if (g) g.ids.push(id);
          else single.set(m.id, { msg: m.msg, ids: [id] });
        }
    }
    for (const g of batches.values())
      this.io.to(g.ids).emit(
        'batch',
        g.msgs.map((m) => m.short ?? m.msg),
      );
    for (const id of [...single.keys()].sort((a, b) => a - b)) {
      const { msg, ids } = single.get(id)!;
      (this.io.to(ids).emit as (n: string, p: unknown) => boolean)(msg[0], msg[1]);
    }
  }

  /** Sends what is still queued and stops the tick (the server is closing). */
  close(): void {
    this.flush();
  }
}
