/** Live room state over socket.io: the snapshot on join, then deltas folded in. */
import { useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  LiveEvents,
  RangeProgress,
  ServerToClientEvents,
  Snapshot,
  TeamScore,
} from '../../protocol/index.js';
import { loadSession } from './api.js';

export type Live = {
  snapshot?: Snapshot;
  progress: Record<string, RangeProgress>;
  connected: boolean;
  error?: string;
};

/**
 * A delta carries only the team whose points changed (the server does not push a delta for every
 * team it overtook), so the ranks of the teams held here are recomputed from their totals, as the
 * server ranks them: 1 + the number of teams with a higher total. Views without ranks keep none.
 */
export function rerank(scores: TeamScore[]): TeamScore[] {
  if (!scores.some((s) => s.rank !== undefined)) return scores;
  return scores.map((s) => ({ ...s, rank: 1 + scores.filter((o) => o.total > s.total).length }));
}

export function useRoom(exercise: string | undefined, team?: string): Live {
  const [state, setState] = useState<Live>({ progress: {}, connected: false });
  const socketRef = useRef<Socket<ServerToClientEvents, ClientToServerEvents>>(undefined);

  useEffect(() => {
    if (!exercise) return;
    const token = loadSession()?.token;
    // batch: the server sends one packet a tick with every change of it, not one per change
    const s: Socket<ServerToClientEvents, ClientToServerEvents> = io({
      auth: { token, batch: true },
      transports: ['websocket'],
    });
    socketRef.current = s;
    setState({ progress: {}, connected: false });
    const join = () =>
      s.emit('join', { exercise, ...(team ? { team } : {}) }, (r) => {
        if (r.ok) setState((p) => ({ ...p, snapshot: r.snapshot, connected: true, error: undefined }));
        else setState((p) => ({ ...p, error: r.error }));
      });
    s.on('connect', join);
    s.on('disconnect', () => setState((p) => ({ ...p, connected: false })));
    s.on('connect_error', (e) => setState((p) => ({ ...p, connected: false, error: e.message })));
    // every change the room pushes, whether it comes alone or in a batch
    const on = {} as { [K in keyof LiveEvents]: LiveEvents[K] };
    on.event = (e) =>
      setState((p) =>
        p.snapshot && !p.snapshot.events.some((x) => x.seq === e.seq)
          ? { ...p, snapshot: { ...p.snapshot, events: [...p.snapshot.events, e] } }
          : p,
      );
    on.score = (d) =>
      setState((p) =>
        p.snapshot
          ? {
              ...p,
              snapshot: {
                ...p.snapshot,
                scores: rerank([...p.snapshot.scores.filter((x) => x.team !== d.team), d.score]).sort((a, b) =>
                  a.team.localeCompare(b.team),
                ),
              },
            }
          : p,
      );
    on.exercise = (x) => setState((p) => (p.snapshot ? { ...p, snapshot: { ...p.snapshot, exercise: x } } : p));
    on.runner = (r) =>
      setState((p) =>
        p.snapshot && !('error' in r.state)
          ? { ...p, snapshot: { ...p.snapshot, runners: { ...p.snapshot.runners, [r.team]: r.state } } }
          : p,
      );
    on.deadlines = (d) =>
      setState((p) =>
        p.snapshot && d.exercise === exercise && d.team === p.snapshot.team
          ? { ...p, snapshot: { ...p.snapshot, deadlines: d.deadlines } }
          : p,
      );
    on.progress = (pr) => setState((p) => ({ ...p, progress: { ...p.progress, [pr.team ?? '*']: pr } }));
    for (const name of Object.keys(on) as (keyof LiveEvents)[]) s.on(name, on[name] as never);
    s.on('batch', (messages) => {
      for (const [name, payload] of messages) (on[name] as (p: typeof payload) => void)(payload);
    });
    return () => {
      s.close();
    };
  }, [exercise, team]);

  return state;
}
