/**
 * What the live rooms send, coalesced per client per tick. Each change used to be one write per
 * client (1,000 events a second to 100 staff clients: 200,000 socket writes a second, most of the
 * server's time in `writev`); now a change is queued for the rooms it is for, projected
 * once per audience (a staff role, or a trainee's exercise and team) and queued once per room and
 * audience (the room's sockets of that audience, as they are then: queueing costs the same for 5
 * sockets or 500; the sockets are visited once a tick, not once per change), and every `tickMs` each
 * socket gets what queued for it: one `batch` packet if it asked for batches (the web UI does),
 * with score deltas in their short form (`compact`), else its messages one by one as before.
 * Sockets that get the same messages share one encoding (socket.io encodes a broadcast once for
 * all its targets).
 *
 * Who gets a message is decided when it is queued, as it was when it was sent at once: a socket
 * that joins a room afterwards has the change in its join snapshot and is not sent it again.
 */
import type { LiveEvents, LiveMessage, Principal, ScoreDelta } from '../../protocol/index.js';
import { isTrainee } from '../visibility/index.js';
import type { LiveServer } from './socket.js';

/** A client sees a change at most this much later than it happened (plus the time to send it). */
export const DEFAULT_LIVE_TICK_MS = 50;

type Payload<K extends keyof LiveEvents> = Parameters<LiveEvents[K]>[0];

interface Queued {
  /** order of queueing: a socket's messages go out in it */
  id: number;
  /** as its audience receives it: a batch audience's short form (`summaryDelta`, `compact`) */
  msg: LiveMessage;
}

/**
 * A batch's form of a score delta: the team's summary (total, phases, rank) and not the
 * breakdown, which grows with every item a team earns and which the live views do not show (the
 * breakdown is one REST call away). A staff client's share of a busy exercise shrinks about
 * tenfold. The summary is a valid `ScoreDelta` (`detail`, `previous` are optional).
 */
export function summaryDelta(d: ScoreDelta): ScoreDelta {
  const { team, total, phases, rank } = d.score;
  return {
    exercise: d.exercise,
    team: d.team,
    score: { team, total, phases, ...(rank !== undefined ? { rank } : {}) },
    seq: d.seq,
    causeAppendedAt: d.causeAppendedAt,
    ...(d.cause ? { cause: d.cause } : {}),
  };
}

/** A batch's form of a message (`summaryDelta` for score deltas); undefined when it is the same. */
export function compact(msg: LiveMessage): LiveMessage | undefined {
  return msg[0] === 'score' ? ['score', summaryDelta(msg[1])] : undefined;
}

/**
 * The audience a projection depends on: the same for every socket of it. Batch clients are an
 * audience of their own: they get the short form, projected from the short form (a trainee's
 * score summary without projecting the breakdown it would drop).
 */
const audienceOf = (p: Principal, batch: boolean): string =>
  `${isTrainee(p) ? `trainee\n${p.exercise}\n${p.team}` : p.role}${batch ? '\nbatch' : ''}`;

/** A room's sockets of one audience, as the room was when this was made (never changed afterwards). */
interface Group {
  audience: string;
  batch: boolean;
  /** any of them: the projection depends only on the audience */
  principal: Principal;
  ids: readonly string[];
}

export class LiveOutbox {
  /** each room's sockets by audience, made when first needed after a join or leave */
  private readonly groups = new Map<string, Group[]>();
  /** what queued this tick, by the group it is for (the group's `ids`, a snapshot, is the key) */
  private queued = new Map<readonly string[], Queued[]>();
  private nextId = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly io: LiveServer,
    private readonly tickMs = DEFAULT_LIVE_TICK_MS,
  ) {
    // a join or leave (a disconnect leaves every room) makes the room's groups again when next needed;
    // messages already queued keep the snapshot they were queued for
    const drop = (room: string) => void this.groups.delete(room);
    const adapter = io.sockets.adapter;
    adapter.on('join-room', drop);
    adapter.on('leave-room', drop);
    adapter.on('delete-room', drop);
  }

  private groupsOf(room: string): Group[] {
    let gs = this.groups.get(room);
    if (gs) return gs;
    const by = new Map<string, { audience: string; batch: boolean; principal: Principal; ids: string[] }>();
    for (const id of this.io.sockets.adapter.rooms.get(room) ?? []) {
      const data = this.io.sockets.sockets.get(id)?.data;
      if (!data?.principal) continue;
      const batch = data.batch === true;
      const audience = audienceOf(data.principal, batch);
      const g = by.get(audience);
      if (g) g.ids.push(id);
      else by.set(audience, { audience, batch, principal: data.principal, ids: [id] });
    }
    gs = [...by.values()];
    this.groups.set(room, gs);
    return gs;
  }

  /**
   * Queues `name` for the sockets in `rooms` (once each, however many of them it is in) as `view`
   * projects it for their principal (undefined: not for them); batch clients get `shortView`'s
   * projection when it is given (the same decision, the short form), else `view`'s in its short
   * form (`compact`). The work is per room and audience, not per socket: the sockets are visited
   * once a tick, when it is sent.
   */
  push<K extends keyof LiveEvents>(
    rooms: Iterable<string>,
    name: K,
    view: (p: Principal) => Payload<K> | undefined,
    shortView?: (p: Principal) => Payload<K> | undefined,
  ): void {
    const made = new Map<string, Queued | null>();
    for (const room of rooms)
      for (const g of this.groupsOf(room)) {
        let m = made.get(g.audience);
        if (m === undefined) {
          const payload = (g.batch && shortView ? shortView : view)(g.principal);
          if (payload === undefined) m = null;
          else {
            const msg = [name, payload] as LiveMessage;
            m = { id: this.nextId++, msg: (g.batch && !shortView && compact(msg)) || msg };
          }
          made.set(g.audience, m);
        }
        if (!m) continue;
        const q = this.queued.get(g.ids);
        if (q) q.push(m);
        else this.queued.set(g.ids, [m]);
      }
    if (this.queued.size > 0 && !this.timer) this.timer = setTimeout(() => this.flush(), this.tickMs);
  }

  /** Sends what is queued now (the tick's timer calls it). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const queued = this.queued;
    this.queued = new Map();
    // each socket's lists, one per group it was queued through (a socket in two rooms has two)
    const lists = new Map<string, Queued[][]>();
    for (const [ids, msgs] of queued)
      for (const id of ids) {
        const l = lists.get(id);
        if (l) l.push(msgs);
        else lists.set(id, [msgs]);
      }
    // batch clients with the same messages form one group; one-by-one clients are grouped per message
    const batches = new Map<unknown, { ids: string[]; msgs: Queued[] }>();
    const single = new Map<number, { msg: LiveMessage; ids: string[] }>();
    for (const [id, ls] of lists) {
      const s = this.io.sockets.sockets.get(id);
      if (!s?.connected) continue;
      // in the order they were queued, each once
      const msgs = ls.length === 1 ? ls[0]! : merged(ls);
      if (s.data.batch) {
        // one list: the list itself says which messages; several: their ids do
        const key = ls.length === 1 ? msgs : msgs.map((m) => m.id).join(',');
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
        g.msgs.map((m) => m.msg),
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

/** Several lists of one socket as one, in queueing order, each message once. */
function merged(ls: Queued[][]): Queued[] {
  const all = ls.flat().sort((a, b) => a.id - b.id);
  return all.filter((m, i) => i === 0 || all[i - 1]!.id !== m.id);
}
