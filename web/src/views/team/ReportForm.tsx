import { useState, type FormEvent } from 'react';
import {
  REPORT_CHANNELS,
  REPORT_FIELDS,
  REPORT_KINDS,
  REPORT_RECIPIENTS,
  checkPlainLanguage,
  type Glossary,
  type JargonHit,
  type ReportChannel,
  type ReportDeadlines,
  type ReportField,
  type ReportKind,
  type ReportRecipient,
} from '../../../../protocol/index.js';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useAsync } from '../../components/useAsync.js';

const empty = (): Record<ReportField, string> =>
  Object.fromEntries(REPORT_FIELDS.map((f) => [f, ''])) as Record<ReportField, string>;

/** The kind a new report should be: 続報 once a 第一報 went out (the team's own log or this form). */
const nextKind = (sent: readonly ReportKind[]): ReportKind => (sent.includes('first') ? 'update' : 'first');

/**
 * The incident report in the guideline's fields, each with what to write and an example; who it
 * goes to and, for the public, where it is published. Plain-language hints only for what the
 * public reads. After sending, the text and its hints are cleared and the kind moves on.
 */
export function ReportForm({ base, deadlines }: { base: string; deadlines?: ReportDeadlines | undefined }) {
  const { t, lang } = useI18n();
  const glossary = useAsync(() => api<Glossary>('GET', '/api/glossary'), []);
  const [sentHere, setSentHere] = useState<ReportKind[]>([]);
  const sent = [...(deadlines?.sentKinds ?? []), ...sentHere];
  const closed = !!deadlines?.closed || sent.includes('final');
  const [kind, setKind] = useState<ReportKind | undefined>();
  const [text, setText] = useState(empty);
  // a first report goes to management, the authority and the public (the web site) at once
  const [recipients, setRecipients] = useState<ReportRecipient[]>(['management', 'authority', 'public']);
  const [channels, setChannels] = useState<ReportChannel[]>(['web']);
  const [msg, setMsg] = useState<{ ok: boolean; text: string }>();
  const [busy, setBusy] = useState(false);
  const current = kind ?? nextKind(sent);
  const forPublic = recipients.includes('public');
  const hits = (f: ReportField): JargonHit[] =>
    forPublic && glossary.value && text[f] ? checkPlainLanguage(text[f], lang, glossary.value) : [];
  const toggle = <X,>(list: X[], x: X, on: boolean) =>
    on ? [...list.filter((y) => y !== x), x] : list.filter((y) => y !== x);

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setBusy(true);
    try {
      await api('POST', `${base}/reports`, {
        kind: current,
        language: lang,
        fields: Object.fromEntries(REPORT_FIELDS.map((f) => [f, text[f].trim()])),
        recipients,
        channels: forPublic ? channels : [],
      });
      setMsg({ ok: true, text: t('form.sent') });
      setSentHere((x) => [...x, current]);
      // the next report starts blank (no hints of the old text) and is a 続報
      setText(empty());
      setKind(undefined);
    } catch (err) {
      setMsg({ ok: false, text: t('form.failed', { message: (err as Error).message }) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={submit} data-testid="report-form">
      <h3>{t('report.title')}</h3>
      {closed && (
        <p className="ok" data-testid="report-closed">
          {t('report.closed')}
        </p>
      )}
      <label htmlFor="rp-kind">{t('report.kind')}</label>
      <select id="rp-kind" name="kind" value={current} onChange={(e) => setKind(e.target.value as ReportKind)}>
        {REPORT_KINDS.map((k) => (
          <option key={k} value={k}>
            {sent.includes(k) && k !== 'update'
              ? t('report.kind.sent', { kind: t(`report.kind.${k}`) })
              : t(`report.kind.${k}`)}
          </option>
        ))}
      </select>
      <fieldset className="choices" data-testid="report-recipients">
        <legend>{t('report.recipients')}</legend>
        {REPORT_RECIPIENTS.map((r) => (
          <label key={r} className="check">
            <input
              type="checkbox"
              name="recipients"
              value={r}
              checked={recipients.includes(r)}
              onChange={(e) => setRecipients((x) => toggle(x, r, e.target.checked))}
            />{' '}
            {t(`report.recipient.${r}`)}
          </label>
        ))}
      </fieldset>
      {forPublic && (
        <fieldset className="choices" data-testid="report-channels">
          <legend>{t('report.channels')}</legend>
          {REPORT_CHANNELS.map((c) => (
            <label key={c} className="check">
              <input
                type="checkbox"
                name="channels"
                value={c}
                checked={channels.includes(c)}
                onChange={(e) => setChannels((x) => toggle(x, c, e.target.checked))}
              />{' '}
              {t(`report.channel.${c}`)}
            </label>
          ))}
          {channels.includes('web') && <p className="help">{t('report.webHint')}</p>}
        </fieldset>
      )}
      {REPORT_FIELDS.map((f) => {
        const found = hits(f);
        const describedBy = [`rp-${f}-help`, ...(found.length ? [`rp-${f}-plain`] : [])].join(' ');
        const common = {
          id: `rp-${f}`,
          name: f,
          required: true,
          value: text[f],
          placeholder: t('report.exampleLabel', { text: t(`report.example.${f}`) }),
          onChange: (e: { target: { value: string } }) => setText((x) => ({ ...x, [f]: e.target.value })),
          'aria-describedby': describedBy,
        };
        return (
          <div key={f} className="field">
            <label htmlFor={`rp-${f}`}>{t(`report.${f}`)}</label>
            <small id={`rp-${f}-help`} className="help">
              {t(`report.help.${f}`)}
            </small>
            {f === 'occurredAt' ? <input {...common} /> : <textarea rows={2} {...common} />}
            {found.length > 0 && (
              <ul id={`rp-${f}-plain`} className="plain-hints" data-testid="plain-hint">
                {found.map((h, i) => (
                  <li key={i}>{t('report.plain', { word: h.found, plain: h.plain })}</li>
                ))}
              </ul>
            )}
          </div>
        );
      })}
      <button type="submit" disabled={busy}>
        {t('report.submit')}
      </button>
      {msg && (
        <p role={msg.ok ? 'status' : 'alert'} className={msg.ok ? 'ok' : 'state error'}>
          {msg.text}
        </p>
      )}
    </form>
  );
}
