import { INJECT_KINDS } from '../../../protocol/index.js';
import { useI18n, type MessageKey } from '../i18n/index.js';
import { SubmitForm, field } from './team/SubmitForm.js';

/**
 * The instructor's inject: a call, a request, a notice or a vendor message, to one team or all,
 * optionally asking for a reaction (a report, to a recipient, within minutes) that is judged on the
 * after-action timeline.
 */
export function InjectSender({ exercise, teams }: { exercise: string; teams: { id: string; name: string }[] }) {
  const { t } = useI18n();
  return (
    <SubmitForm
      testid="inject-form"
      title={t('inj.title')}
      path={`/api/exercises/${exercise}/injects`}
      submitLabel={t('inj.send')}
      toBody={(d) => {
        const to = field(d, 'to');
        const within = Number(field(d, 'within'));
        const recipient = field(d, 'recipient');
        return {
          teams: to === 'all' ? 'all' : [to],
          kind: field(d, 'kind'),
          from: field(d, 'from'),
          message: { ja: field(d, 'ja') || undefined, en: field(d, 'en') || undefined },
          ...(within > 0
            ? {
                expect: {
                  kind: field(d, 'react') || 'report',
                  withinMinutes: within,
                  ...(recipient ? { recipient } : {}),
                },
              }
            : {}),
        };
      }}
    >
      <label htmlFor="inj-to">{t('inj.to')}</label>
      <select id="inj-to" name="to">
        <option value="all">{t('inj.all')}</option>
        {teams.map((tm) => (
          <option key={tm.id} value={tm.id}>
            {tm.id} {tm.name}
          </option>
        ))}
      </select>
      <label htmlFor="inj-kind">{t('inj.kind')}</label>
      <select id="inj-kind" name="kind">
        {INJECT_KINDS.map((k) => (
          <option key={k} value={k}>
            {t(`inc.kind.${k}` as MessageKey)}
          </option>
        ))}
      </select>
      <label htmlFor="inj-from">{t('inj.from')}</label>
      <input id="inj-from" name="from" required maxLength={200} />
      <label htmlFor="inj-ja">{t('inj.messageJa')}</label>
      <textarea id="inj-ja" name="ja" rows={3} maxLength={4000} />
      <label htmlFor="inj-en">{t('inj.messageEn')}</label>
      <textarea id="inj-en" name="en" rows={2} maxLength={4000} />
      <fieldset>
        <legend>{t('inj.expect')}</legend>
        <label htmlFor="inj-react">{t('inj.react')}</label>
        <select id="inj-react" name="react">
          <option value="report">{t('inj.react.report')}</option>
          <option value="action">{t('inj.react.action')}</option>
          <option value="finding">{t('inj.react.finding')}</option>
        </select>
        <label htmlFor="inj-recipient">{t('inj.recipient')}</label>
        <input id="inj-recipient" name="recipient" maxLength={100} />
        <label htmlFor="inj-within">{t('inj.within')}</label>
        <input id="inj-within" name="within" type="number" min={0} max={1440} defaultValue={0} />
      </fieldset>
    </SubmitForm>
  );
}
