import { INDICATOR_TYPES } from '../../../../protocol/index.js';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { SubmitForm, field } from './SubmitForm.js';

export function FindingForm({ base }: { base: string }) {
  const { t } = useI18n();
  return (
    <SubmitForm
      testid="finding-form"
      title={t('finding.title')}
      path={`${base}/findings`}
      submitLabel={t('finding.submit')}
      toBody={(d) => {
        const tech = field(d, 'technique');
        const value = field(d, 'value');
        return {
          ...(value ? { indicatorType: field(d, 'indicatorType'), value } : {}),
          ...(tech ? { technique: tech } : {}),
          text: field(d, 'text'),
        };
      }}
    >
      <label htmlFor="f-type">{t('finding.type')}</label>
      <select id="f-type" name="indicatorType" defaultValue="ip">
        {INDICATOR_TYPES.map((i) => (
          <option key={i} value={i}>
            {t(`indicator.${i}` as MessageKey)}
          </option>
        ))}
      </select>
      <label htmlFor="f-value">{t('finding.value')}</label>
      <input id="f-value" name="value" />
      <label htmlFor="f-tech">{t('finding.technique')}</label>
      <input id="f-tech" name="technique" pattern="T\d{4}(\.\d{3})?" placeholder="T1190" />
      <label htmlFor="f-text">{t('finding.text')}</label>
      <textarea id="f-text" name="text" rows={2} />
    </SubmitForm>
  );
}
