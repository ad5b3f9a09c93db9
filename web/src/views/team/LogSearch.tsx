import { useRef, useState, type FormEvent } from 'react';
import { api } from '../../api.js';
import { timeOf, useI18n } from '../../i18n/index.js';
import { Empty, ErrorBox, Loading, Panel } from '../../components/States.js';

interface LogLine {
  at: string;
  node: string;
  service: string;
  msg: string;
}

export function LogSearch({ ex, team, nodes }: { ex: string; team: string; nodes: string[] }) {
  const { t, lang } = useI18n();
  const [query, setQuery] = useState('');
  const [result, setResult] = useState<{ lines?: LogLine[]; error?: string; busy?: boolean; more?: boolean }>({});
  const [older, setOlder] = useState<{ busy?: boolean; error?: string }>({});
  // a slow answer to an earlier search must not replace the answer to the latest one
  const latest = useRef(0);
  const search = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const d = new FormData(e.currentTarget);
    const p = new URLSearchParams();
    for (const k of ['q', 'node', 'service', 'since']) {
      const v = String(d.get(k) ?? '').trim();
      if (v) p.set(k, v);
    }
    setQuery(p.toString());
    setResult({ busy: true });
    setOlder({});
    const n = ++latest.current;
    try {
      const r = await api<{ lines: LogLine[]; more?: boolean }>('GET', `/api/exercises/${ex}/teams/${team}/logs?${p}`);
      if (n === latest.current) setResult({ lines: r.lines, more: !!r.more });
    } catch (err) {
      if (n === latest.current) setResult({ error: (err as Error).message });
    }
  };
  /** the page of matches just before the ones shown (the view holds every page it has loaded) */
  const loadOlder = async () => {
    const held = result.lines ?? [];
    const p = new URLSearchParams(query);
    p.set('skip', String(held.length));
    const n = latest.current;
    setOlder({ busy: true });
    try {
      const r = await api<{ lines: LogLine[]; more?: boolean }>('GET', `/api/exercises/${ex}/teams/${team}/logs?${p}`);
      if (n !== latest.current) return;
      setResult({ lines: [...r.lines, ...held], more: !!r.more });
      setOlder({});
    } catch (err) {
      setOlder({ error: (err as Error).message });
    }
  };
  return (
    <Panel title={t('ws.logs')} id="logs">
      <form className="inline" onSubmit={search} data-testid="log-search">
        <label htmlFor="log-q">{t('logs.text')}</label>
        <input id="log-q" name="q" />
        <label htmlFor="log-node">{t('logs.node')}</label>
        <select id="log-node" name="node" defaultValue="">
          <option value="">{t('logs.any')}</option>
          {nodes.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
        <label htmlFor="log-service">{t('logs.service')}</label>
        <input id="log-service" name="service" size={10} placeholder="squid, ulogd…" />
        <label htmlFor="log-since">{t('logs.since')}</label>
        <input id="log-since" name="since" size={8} placeholder="30m" />
        <button type="submit">{t('logs.search')}</button>
      </form>
      {result.busy ? (
        <Loading />
      ) : result.error ? (
        <ErrorBox message={result.error} />
      ) : result.lines === undefined ? null : result.lines.length === 0 ? (
        <Empty>{t('logs.none')}</Empty>
      ) : (
        <>
          <p className="note" data-testid="log-count" data-query={query}>
            {t('logs.count', { n: result.lines.length })}
          </p>
          {result.more && (
            <p className="no-print">
              <button type="button" onClick={() => void loadOlder()} disabled={older.busy} data-testid="log-older">
                {t('logs.older')}
              </button>
              {older.error && <ErrorBox message={older.error} />}
            </p>
          )}
          <table className="list logs" data-testid="log-lines">
            <tbody>
              {result.lines.map((l, i) => (
                <tr key={i}>
                  <td>{timeOf(lang, l.at)}</td>
                  <td>{l.node}</td>
                  <td>{l.service}</td>
                  <td className="msg">{l.msg}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Panel>
  );
}
