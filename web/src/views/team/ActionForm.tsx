import { useI18n } from '../../i18n/index.js';
import { SubmitForm, field } from './SubmitForm.js';

export function ActionForm({ base, nodes }: { base: string; nodes: string[] }) {
  const { t } = useI18n();
  return (
    <SubmitForm
      testid="action-form"
      title={t('action.title')}
      path={`${base}/actions`}
      submitLabel={t('action.submit')}
      toBody={(d) => ({ ...(field(d, 'node') ? { node: field(d, 'node') } : {}), what: field(d, 'what') })}
    >
      <label htmlFor="a-node">{t('action.node')}</label>
      <select id="a-node" name="node" defaultValue="">
        <option value="">–</option>
        {nodes.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
      <label htmlFor="a-what">{t('action.what')}</label>
      <textarea id="a-what" name="what" rows={3} required />
    </SubmitForm>
  );
}
