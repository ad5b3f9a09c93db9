import { useI18n } from '../../i18n/index.js';
import { SubmitForm, field } from './SubmitForm.js';

export function RecoveryForm({ base }: { base: string }) {
  const { t } = useI18n();
  return (
    <SubmitForm
      testid="recovery-form"
      title={t('recovery.title')}
      path={`${base}/recoveries`}
      submitLabel={t('recovery.submit')}
      toBody={(d) => ({ what: field(d, 'what') })}
    >
      <label htmlFor="r-what">{t('recovery.what')}</label>
      <textarea id="r-what" name="what" rows={3} required />
    </SubmitForm>
  );
}
