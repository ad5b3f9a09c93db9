import { useEffect } from 'react';
import type { IncidentItem, Incidents as IncidentsView, StoredEvent } from '../../../../protocol/index.js';
import { api } from '../../api.js';
import { timeOf, useI18n, type MessageKey } from '../../i18n/index.js';
import { ErrorBox, Empty, Loading, Panel } from '../../components/States.js';
import { useAsync } from '../../components/useAsync.js';
import { SubmitForm, field } from './SubmitForm.js';

const INCIDENT = new Set(['soc.alert', 'inject.sent', 'vendor.asked', 'vendor.answered']);

/**
 * What reached the team from outside (issue #17): the SOC's alerts with their evidence, calls,
 * requests and notices (with the time they ask an answer by), and the vendor — its answers and a
 * form to ask it. Newest first; reloaded when such an event arrives on the team's socket.
 */
export function Incidents({ ex, team, events }: { ex: string; team: string; events: StoredEvent[] }) {
  const { t, lang } = useI18n();
  const arrived = events.filter((e) => INCIDENT.has(e.type) && (e as { team?: string }).team === team).length;
  const view = useAsync(
    () => api<IncidentsView>('GET', `/api/exercises/${ex}/teams/${team}/incidents`),
    [ex, team, arrived],
  );
  useEffect(() => {
    const i = setInterval(view.reload, 20_000);
    return () => clearInterval(i);
  }, [view.reload]);
  const items = [...(view.value?.items ?? [])].reverse();
  const topics = view.value?.topics ?? [];
  const topicTitle = (id: string) => topics.find((x) => x.id === id)?.title[lang] ?? id;
  const line = (i: IncidentItem) => {
    switch (i.type) {
      case 'soc.alert':
        return (
          <>
            <strong>
              <span className={`sev ${i.severity}`}>{t(`inc.sev.${i.severity}` as MessageKey)}</span> {t('inc.alert')}：
              {i.title[lang]}
            </strong>{' '}
            <small>
              {t('inc.alertWhere', { node: i.node, count: i.count })}
              {i.since && ` · ${t('inc.since', { at: timeOf(lang, i.since) })}`}
            </small>
            {i.evidence && i.evidence.length > 0 && (
              <details>
                <summary>{t('inc.evidence')}</summary>
                <pre className="log-lines">{i.evidence.join('\n')}</pre>
              </details>
            )}
          </>
        );
      case 'inject.sent':
        return (
          <>
            <strong>
              {t(`inc.kind.${i.kind}` as MessageKey)}：{i.from}
            </strong>
            <p>{i.message[lang]}</p>
            {i.dueAt && <small className="due">{t('inc.due', { at: timeOf(lang, i.dueAt) })}</small>}
          </>
        );
      case 'vendor.asked':
        return (
          <>
            <strong>{t('inc.asked', { topic: topicTitle(i.topic) })}</strong>
            {i.question && <p>{i.question}</p>}
          </>
        );
      case 'vendor.answered':
        return (
          <>
            <strong>{t('inc.answered', { topic: topicTitle(i.topic) })}</strong>
            <p>{i.answer[lang]}</p>
          </>
        );
    }
  };
  return (
    <Panel title={t('inc.title')} id="incidents">
      {view.error ? (
        <ErrorBox message={view.error} retry={view.reload} />
      ) : !view.value ? (
        <Loading />
      ) : items.length === 0 ? (
        <Empty>{t('inc.none')}</Empty>
      ) : (
        <ul className="incidents" data-testid="incidents">
          {items.map((i) => (
            <li key={i.seq} data-type={i.type}>
              <small>{timeOf(lang, i.at)}</small> {line(i)}
            </li>
          ))}
        </ul>
      )}
      {topics.length > 0 && (
        <SubmitForm
          testid="vendor-form"
          title={t('inc.askVendor')}
          path={`/api/exercises/${ex}/teams/${team}/vendor`}
          submitLabel={t('inc.ask')}
          toBody={(d) => ({ topic: field(d, 'topic'), question: field(d, 'question') })}
        >
          <label htmlFor="v-topic">{t('inc.topic')}</label>
          <select id="v-topic" name="topic" required>
            {topics.map((x) => (
              <option key={x.id} value={x.id}>
                {x.title[lang]}
              </option>
            ))}
          </select>
          <label htmlFor="v-question">{t('inc.question')}</label>
          <textarea id="v-question" name="question" rows={2} maxLength={2000} />
        </SubmitForm>
      )}
    </Panel>
  );
}
