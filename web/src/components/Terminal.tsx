/** One browser terminal (xterm.js) on a node of the team's range, over the server's /terminal namespace. */
import { useEffect, useRef, useState } from 'react';
import { Terminal as XTerm } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { io, type Socket } from 'socket.io-client';
import type { TerminalAuth, TerminalClientEvents, TerminalServerEvents } from '../../../protocol/index.js';
import { loadSession } from '../api.js';
import { useI18n } from '../i18n/index.js';

type Status =
  { kind: 'connecting' } | { kind: 'open' } | { kind: 'closed'; code: number } | { kind: 'refused'; reason: string };

export function TerminalView({
  exercise,
  team,
  node,
  user,
  active,
}: {
  exercise: string;
  team: string;
  node: string;
  user?: string;
  active: boolean;
}) {
  const { t } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const [status, setStatus] = useState<Status>({ kind: 'connecting' });
  const [attempt, setAttempt] = useState(0);
  const fitRef = useRef<FitAddon>(undefined);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const term = new XTerm({
      cursorBlink: true,
      fontSize: 14,
      scrollback: 5000,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace',
    });
    const fit = new FitAddon();
    fitRef.current = fit;
    term.loadAddon(fit);
    term.open(el);
    try {
      fit.fit();
    } catch {
      /* hidden tab: sized when shown */
    }
    setStatus({ kind: 'connecting' });
    const auth: TerminalAuth = {
      token: loadSession()?.token ?? '',
      exercise,
      team,
      node,
      ...(user ? { user } : {}),
      cols: term.cols,
      rows: term.rows,
    };
    const s: Socket<TerminalServerEvents, TerminalClientEvents> = io('/terminal', {
      auth: { ...auth },
      transports: ['websocket'],
      reconnection: false,
    });
    s.on('connect', () => {
      setStatus({ kind: 'open' });
      term.focus();
    });
    s.on('connect_error', (e) =>
      setStatus({ kind: 'refused', reason: (e as Error & { data?: { detail?: string } }).data?.detail ?? e.message }),
    );
    s.on('output', (d) => term.write(new Uint8Array(d)));
    s.on('exit', (code) => setStatus({ kind: 'closed', code }));
    s.on('disconnect', (why) => {
      if (why !== 'io client disconnect') setStatus((st) => (st.kind === 'closed' ? st : { kind: 'closed', code: -1 }));
    });
    const onData = term.onData((d) => s.emit('input', d));
    const onResize = term.onResize(({ cols, rows }) => s.emit('resize', { cols, rows }));
    // Copy and paste with Ctrl+Shift+C / V, as in desktop terminals (Ctrl+C stays an interrupt).
    term.attachCustomKeyEventHandler((ev) => {
      if (ev.type !== 'keydown' || !ev.ctrlKey || !ev.shiftKey) return true;
      if (ev.code === 'KeyC' && term.hasSelection()) {
        void navigator.clipboard?.writeText(term.getSelection());
        return false;
      }
      if (ev.code === 'KeyV') {
        void navigator.clipboard?.readText().then((x) => term.paste(x));
        return false;
      }
      return true;
    });
    const ro = new ResizeObserver(() => {
      try {
        fit.fit();
      } catch {
        /* not laid out */
      }
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      onData.dispose();
      onResize.dispose();
      s.close();
      term.dispose();
    };
  }, [exercise, team, node, user, attempt]);

  useEffect(() => {
    if (active)
      setTimeout(() => {
        try {
          fitRef.current?.fit();
        } catch {
          /* ignore */
        }
      }, 0);
  }, [active]);

  return (
    <div className="terminal-wrap" hidden={!active} data-testid={`terminal-${node}`}>
      <div className="term-status" role="status" aria-live="polite">
        {status.kind === 'connecting' && t('term.connecting')}
        {status.kind === 'closed' && t('term.closed', { code: status.code })}
        {status.kind === 'refused' && t('term.refused', { reason: status.reason })}
        {(status.kind === 'closed' || status.kind === 'refused') && (
          <button type="button" onClick={() => setAttempt((a) => a + 1)}>
            {t('term.reconnect')}
          </button>
        )}
      </div>
      <div className="terminal" ref={box} />
    </div>
  );
}
