/** Team workspace: the team's network, terminals, log search, submissions with report clocks, hints, own score. */
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { type StoredEvent, checkPlainLanguage, type Glossary, type JargonHit } from '../../../protocol/index.js';
import { api, type Session } from '../api.js';
import { useRoom } from '../live.js';
import { duration, timeOf, useI18n, type MessageKey } from '../i18n/index.js';
import { Async, Empty, ErrorBox, Loading, Panel } from '../components/States.js';
import { useAsync } from '../components/useAsync.js';
import { ScoreTable } from '../components/Scores.js';
import { NetworkMap, type MapRange } from '../components/NetworkMap.js';
import { TerminalView } from '../components/Terminal.js';
import type { StepHints } from '../components/ScenarioTimeline.js';
import { describeEvent } from '../events.js';

type RangeView = Omit<MapRange, 'nodes'> & { nodes: (MapRange['nodes'][number] & { users: string[] })[] };
const TABS = ['terminals', 'logs', 'forms', 'hints'] as const;
type Tab = (typeof TABS)[number];

export function TeamView({ session }: { session: Session }) {
  const { t, lang } = useI18n();
  const ex = session.exercise!;
  const team = session.team!;
  const live = useRoom(ex, team);
  const range = useAsync(() => api<RangeView>('GET', `/api/exercises/${ex}/teams/${team}/range`), [ex, team]);
  const [tab, setTab] = useState<Tab>('terminals');
  // node health changes while the team works (a node they broke, a reset): refresh the drawing
  useEffect(() => { const i = setInterval(range.reload, 15_000); return () => clearInterval(i); }, [range.reload]);
  const events = live.snapshot?.events ?? [];
  const heldHints = events.filter((e) => (e.type === 'hint.released' || e.type === 'hint.bought') && (e as { team?: string }).team === team).length;
  return (
    <div className="workspace">
      <div className="toolbar">
        <h2>{t('ws.title', { team: `${team}${session.teamName ? ` ${session.teamName}` : ''}` })}</h2>
        {live.snapshot && <span data-testid="ex-state">{t(`exState.${live.snapshot.exercise.state}` as MessageKey)}</span>}
        <span className={live.connected ? 'live on' : 'live off'}>{live.connected ? t('state.live') : t('state.offline')}</span>
      </div>
      <div className="grid side">
        <div>
          <Panel title={t('ws.network')} id="network">
            <Async value={range.value} error={range.error} retry={range.reload}>{(r) => <NetworkMap range={r} />}</Async>
          </Panel>
          <Panel title={t('score.own')} id="own-score">
            {live.error ? <ErrorBox message={live.error} /> : !live.snapshot ? <Loading /> : (
              <>
                <ScoreTable scores={live.snapshot.scores} highlight={team} />
                {live.snapshot.frozenAt && <p className="note">{t('score.frozen', { at: timeOf(lang, live.snapshot.frozenAt) })}</p>}
              </>
            )}
          </Panel>
        </div>
        <div>
          <div role="tablist" className="tabs" aria-label={t('ws.title', { team })}>
            {TABS.map((k) => (
              <button key={k} role="tab" id={`tab-${k}`} aria-selected={tab === k} aria-controls={`pane-${k}`} type="button" onClick={() => setTab(k)}>
                {t(`ws.${k}` as MessageKey)}
                {k === 'hints' && heldHints > 0 && <span className="badge"> {heldHints}</span>}
              </button>
            ))}
          </div>
          <div role="tabpanel" id="pane-terminals" aria-labelledby="tab-terminals" hidden={tab !== 'terminals'}>
            <Terminals ex={ex} team={team} range={range.value} />
          </div>
          <div role="tabpanel" id="pane-logs" aria-labelledby="tab-logs" hidden={tab !== 'logs'}>
            <LogSearch ex={ex} team={team} nodes={range.value?.nodes.map((n) => n.node) ?? []} />
          </div>
          <div role="tabpanel" id="pane-forms" aria-labelledby="tab-forms" hidden={tab !== 'forms'}>
            <Forms ex={ex} team={team} events={events} nodes={range.value?.nodes.map((n) => n.node) ?? []} />
          </div>
          <div role="tabpanel" id="pane-hints" aria-labelledby="tab-hints" hidden={tab !== 'hints'}>
            <Hints ex={ex} team={team} events={events} />
          </div>
        </div>
      </div>
    </div>
  );
}

function Terminals({ ex, team, range }: { ex: string; team: string; range?: RangeView }) {
  const { t } = useI18n();
  const [tabs, setTabs] = useState<{ id: number; node: string; user?: string }[]>([]);
  const [active, setActive] = useState<number>();
  const [node, setNode] = useState('');
  const [user, setUser] = useState('');
  const nodes = range?.nodes ?? [];
  const users = nodes.find((n) => n.node === node)?.users ?? [];
  useEffect(() => { if (!node && nodes[0]) setNode(nodes.find((n) => n.users.length)?.node ?? nodes[0].node); }, [nodes, node]);
  const open = (e: FormEvent) => {
    e.preventDefault();
    const id = Date.now();
    setTabs((ts) => [...ts, { id, node, ...(user ? { user } : {}) }]);
    setActive(id);
  };
  const host = location.hostname;
  return (
    <Panel title={t('ws.terminals')} id="terminals">
      <form className="inline" onSubmit={open}>
        <label htmlFor="term-node">{t('term.node')}</label>
        <select id="term-node" value={node} onChange={(e) => { setNode(e.target.value); setUser(''); }}>
          {nodes.map((n) => <option key={n.node} value={n.node}>{n.node} — {n.title}</option>)}
        </select>
        <label htmlFor="term-user">{t('term.user')}</label>
        <select id="term-user" value={user} onChange={(e) => setUser(e.target.value)}>
          <option value="">{users[0] ?? 'root'}</option>
          {users.slice(1).map((u) => <option key={u} value={u}>{u}</option>)}
        </select>
        <button type="submit" disabled={!node}>{t('term.open')}</button>
      </form>
      <p className="note">{t('term.copyHint')}</p>
      <p className="note">{t('term.ssh', { command: `ssh -p 2222 ${team}+${node || 'pc1'}@${host}` })}</p>
      {tabs.length === 0 ? <Empty>{t('term.none')}</Empty> : (
        <>
          <div role="tablist" className="tabs small" aria-label={t('ws.terminals')}>
            {tabs.map((x) => (
              <span key={x.id} className="tab">
                <button role="tab" type="button" aria-selected={active === x.id} onClick={() => setActive(x.id)}>{x.node}{x.user ? ` (${x.user})` : ''}</button>
                <button type="button" aria-label={`${t('term.close')} ${x.node}`} onClick={() => setTabs((ts) => ts.filter((y) => y.id !== x.id))}>×</button>
              </span>
            ))}
          </div>
          {tabs.map((x) => <TerminalView key={x.id} exercise={ex} team={team} node={x.node} {...(x.user ? { user: x.user } : {})} active={active === x.id} />)}
        </>
      )}
    </Panel>
  );
}

interface LogLine { at: string; node: string; service: string; msg: string }

function LogSearch({ ex, team, nodes }: { ex: string; team: string; nodes: string[] }) {
  const { t, lang } = useI18n();
  const [query, setQuery] = useState('');
  const [result, setResult] = useState<{ lines?: LogLine[]; error?: string; busy?: boolean }>({});
  // a slow answer to an earlier search must not replace the answer to the latest one
  const latest = useRef(0);
  const search = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const d = new FormData(e.currentTarget);
    const p = new URLSearchParams();
    for (const k of ['q', 'node', 'service', 'since']) { const v = String(d.get(k) ?? '').trim(); if (v) p.set(k, v); }
    setQuery(p.toString());
    setResult({ busy: true });
    const n = ++latest.current;
    try {
      const r = await api<{ lines: LogLine[] }>('GET', `/api/exercises/${ex}/teams/${team}/logs?${p}`);
      if (n === latest.current) setResult({ lines: r.lines });
    } catch (err) {
      if (n === latest.current) setResult({ error: (err as Error).message });
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
          {nodes.map((n) => <option key={n} value={n}>{n}</option>)}
        </select>
        <label htmlFor="log-service">{t('logs.service')}</label>
        <input id="log-service" name="service" size={10} placeholder="squid, ulogd…" />
        <label htmlFor="log-since">{t('logs.since')}</label>
        <input id="log-since" name="since" size={8} placeholder="30m" />
        <button type="submit">{t('logs.search')}</button>
      </form>
      {result.busy ? <Loading /> : result.error ? <ErrorBox message={result.error} /> : result.lines === undefined ? null
        : result.lines.length === 0 ? <Empty>{t('logs.none')}</Empty> : (
          <>
            <p className="note" data-testid="log-count" data-query={query}>{t('logs.count', { n: result.lines.length })}</p>
            <table className="list logs" data-testid="log-lines">
              <tbody>
                {result.lines.map((l, i) => (
                  <tr key={i}><td>{timeOf(lang, l.at)}</td><td>{l.node}</td><td>{l.service}</td><td className="msg">{l.msg}</td></tr>
                ))}
              </tbody>
            </table>
          </>
        )}
    </Panel>
  );
}

/** A form that posts its fields and shows sent / failed inline. */
function SubmitForm({ title, path, toBody, submitLabel, children, testid }: {
  title: string; path: string; toBody: (d: FormData) => unknown; submitLabel: string; children: ReactNode; testid: string;
}) {
  const { t } = useI18n();
  const [msg, setMsg] = useState<{ ok: boolean; text: string }>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    setBusy(true);
    try {
      await api('POST', path, toBody(new FormData(form)));
      setMsg({ ok: true, text: t('form.sent') });
      form.reset();
    } catch (err) {
      setMsg({ ok: false, text: t('form.failed', { message: (err as Error).message }) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="form" onSubmit={submit} data-testid={testid}>
      <h3>{title}</h3>
      {children}
      <button type="submit" disabled={busy}>{submitLabel}</button>
      {msg && <p role={msg.ok ? 'status' : 'alert'} className={msg.ok ? 'ok' : 'state error'}>{msg.text}</p>}
    </form>
  );
}

const INDICATORS = ['ip', 'domain', 'url', 'hash', 'account', 'file', 'process', 'log', 'email', 'port'] as const;
const str = (d: FormData, k: string) => String(d.get(k) ?? '').trim();

function Forms({ ex, team, events, nodes }: { ex: string; team: string; events: StoredEvent[]; nodes: string[] }) {
  const { t } = useI18n();
  const base = `/api/exercises/${ex}/teams/${team}`;
  return (
    <Panel title={t('ws.forms')} id="forms">
      <ReportClock events={events} team={team} />
      <div className="grid two">
        <SubmitForm testid="finding-form" title={t('finding.title')} path={`${base}/findings`} submitLabel={t('finding.submit')}
          toBody={(d) => {
            const tech = str(d, 'technique'); const value = str(d, 'value');
            return { ...(value ? { indicatorType: str(d, 'indicatorType'), value } : {}), ...(tech ? { technique: tech } : {}), text: str(d, 'text') };
          }}>
          <label htmlFor="f-type">{t('finding.type')}</label>
          <select id="f-type" name="indicatorType" defaultValue="ip">{INDICATORS.map((i) => <option key={i} value={i}>{i}</option>)}</select>
          <label htmlFor="f-value">{t('finding.value')}</label>
          <input id="f-value" name="value" />
          <label htmlFor="f-tech">{t('finding.technique')}</label>
          <input id="f-tech" name="technique" pattern="T\d{4}(\.\d{3})?" placeholder="T1190" />
          <label htmlFor="f-text">{t('finding.text')}</label>
          <textarea id="f-text" name="text" rows={2} />
        </SubmitForm>
        <SubmitForm testid="action-form" title={t('action.title')} path={`${base}/actions`} submitLabel={t('action.submit')}
          toBody={(d) => ({ ...(str(d, 'node') ? { node: str(d, 'node') } : {}), what: str(d, 'what') })}>
          <label htmlFor="a-node">{t('action.node')}</label>
          <select id="a-node" name="node" defaultValue=""><option value="">–</option>{nodes.map((n) => <option key={n} value={n}>{n}</option>)}</select>
          <label htmlFor="a-what">{t('action.what')}</label>
          <textarea id="a-what" name="what" rows={3} required />
        </SubmitForm>
        <ReportForm base={base} />
        <SubmitForm testid="recovery-form" title={t('recovery.title')} path={`${base}/recoveries`} submitLabel={t('recovery.submit')} toBody={(d) => ({ what: str(d, 'what') })}>
          <label htmlFor="r-what">{t('recovery.what')}</label>
          <textarea id="r-what" name="what" rows={3} required />
        </SubmitForm>
      </div>
    </Panel>
  );
}

const REPORT_FIELDS = ['occurredAt', 'affected', 'cause', 'outlook', 'alternatives', 'actions'] as const;

function ReportForm({ base }: { base: string }) {
  const { t, lang } = useI18n();
  const glossary = useAsync(() => api<Glossary>('GET', '/api/glossary'), []);
  const [text, setText] = useState<Record<string, string>>({});
  const hits = (f: string): JargonHit[] => (glossary.value && text[f] ? checkPlainLanguage(text[f]!, lang, glossary.value) : []);
  return (
    <SubmitForm testid="report-form" title={t('report.title')} path={`${base}/reports`} submitLabel={t('report.submit')}
      toBody={(d) => ({ kind: str(d, 'kind'), language: lang, fields: Object.fromEntries(REPORT_FIELDS.map((f) => [f, str(d, f)])) })}>
      <label htmlFor="rp-kind">{t('report.kind')}</label>
      <select id="rp-kind" name="kind" defaultValue="first">
        {(['first', 'update', 'final'] as const).map((k) => <option key={k} value={k}>{t(`report.kind.${k}`)}</option>)}
      </select>
      {REPORT_FIELDS.map((f) => {
        const found = hits(f);
        const onChange = (e: { target: { value: string } }) => setText((x) => ({ ...x, [f]: e.target.value }));
        return (
          <div key={f} className="field">
            <label htmlFor={`rp-${f}`}>{t(`report.${f}`)}</label>
            {f === 'occurredAt'
              ? <input id={`rp-${f}`} name={f} required onChange={onChange} aria-describedby={found.length ? `rp-${f}-plain` : undefined} />
              : <textarea id={`rp-${f}`} name={f} rows={2} required onChange={onChange} aria-describedby={found.length ? `rp-${f}-plain` : undefined} />}
            {found.length > 0 && (
              <ul id={`rp-${f}-plain`} className="plain-hints" data-testid="plain-hint">
                {found.map((h, i) => <li key={i}>{t('report.plain', { word: h.found, plain: h.plain })}</li>)}
              </ul>
            )}
          </div>
        );
      })}
    </SubmitForm>
  );
}

/** Countdowns to the 30-minute first report and the next hourly update, from the team's own log. */
function ReportClock({ events, team }: { events: StoredEvent[]; team: string }) {
  const { t } = useI18n();
  const [now, setNow] = useState(Date.now());
  useEffect(() => { const i = setInterval(() => setNow(Date.now()), 1000); return () => clearInterval(i); }, []);
  const mine = events.filter((e) => (e as { team?: string }).team === team);
  const impact = mine.find((e) => e.type === 'attack.step' && (e as { impact?: boolean }).impact);
  const reports = mine.filter((e) => e.type === 'report.submitted');
  if (!impact) return <p className="clock" data-testid="report-clock">{t('report.notStarted')}</p>;
  const due = Date.parse(impact.at) + 30 * 60_000;
  const last = reports.at(-1);
  return (
    <div className="clock" data-testid="report-clock" role="timer" aria-live="off">
      {!reports.length
        ? <strong className={now > due ? 'late' : ''}>{now > due ? t('report.firstLate', { time: duration(now - due) }) : t('report.firstDue', { time: duration(due - now) })}</strong>
        : <span>{t('report.firstDone')}</span>}
      {last && (() => {
        const next = Date.parse(last.at) + 60 * 60_000;
        return <strong className={now > next ? 'late' : ''}>{now > next ? t('report.updateLate', { time: duration(now - next) }) : t('report.nextUpdate', { time: duration(next - now) })}</strong>;
      })()}
    </div>
  );
}

function Hints({ ex, team, events }: { ex: string; team: string; events: StoredEvent[] }) {
  const { t, lang } = useI18n();
  const mine = events.filter((e) => (e as { team?: string }).team === team);
  // a released hint or a new attack step changes what the team may see: reload then
  const changes = mine.filter((e) => e.type === 'hint.released' || e.type === 'hint.bought' || e.type === 'attack.step').length;
  const list = useAsync(() => api<{ steps: StepHints[] }>('GET', `/api/exercises/${ex}/teams/${team}/hints`), [ex, team, changes]);
  const steps = list.value?.steps ?? [];
  const held = steps.flatMap((s) => s.hints.filter((h) => h.got).map((h) => ({ step: s, hint: h })));
  const buyable = steps.flatMap((s) => s.hints.filter((h) => !h.got).map((h) => ({ step: s, hint: h })));
  const when = new Map(mine.filter((e) => e.type === 'hint.released' || e.type === 'hint.bought').map((e) => [`${(e as { step: string }).step}\n${(e as { hint: string }).hint}`, e.at]));
  return (
    <Panel title={t('ws.hints')} id="hints">
      <h3>{t('hint.held')}</h3>
      {list.error ? <ErrorBox message={list.error} retry={list.reload} /> : !list.value ? <Loading /> : held.length === 0 ? <Empty>{t('hint.none')}</Empty> : (
        <ul className="hints" data-testid="hints-held">
          {held.map(({ step, hint }) => (
            <li key={`${step.step}/${hint.id}`} data-hint={hint.id}>
              <strong>{step.title[lang]}</strong> <small>{timeOf(lang, when.get(`${step.step}\n${hint.id}`))} · {t(`hint.got.${hint.got!}` as MessageKey)}{hint.got === 'bought' ? ` (−${hint.cost})` : ''}</small>
              <p>{hint.text?.[lang]}</p>
            </li>
          ))}
        </ul>
      )}
      {list.value && (buyable.length === 0 ? <Empty>{t('hint.noneToBuy')}</Empty> : (
        <SubmitForm testid="hint-form" title={t('hint.buy')} path={`/api/exercises/${ex}/teams/${team}/hints/buy`} submitLabel={t('hint.buy')}
          toBody={(d) => { const [step, hint] = str(d, 'pick').split('\n'); return { step, hint }; }}>
          <label htmlFor="h-pick">{t('hint.step')}</label>
          <select id="h-pick" name="pick" required>
            {buyable.map(({ step, hint }) => <option key={`${step.step}/${hint.id}`} value={`${step.step}\n${hint.id}`}>{step.title[lang]} · {hint.id} · {t('hint.cost', { cost: hint.cost })}</option>)}
          </select>
        </SubmitForm>
      ))}
      <h3>{t('review.timeline')}</h3>
      <ul className="events" data-testid="team-events">
        {mine.slice(-30).reverse().map((e) => <li key={e.seq}>{timeOf(lang, e.at)} {describeEvent(t, e)}</li>)}
      </ul>
    </Panel>
  );
}
