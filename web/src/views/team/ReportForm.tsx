import { useState } from 'react';
import { REPORT_FIELDS, checkPlainLanguage, type Glossary, type JargonHit } from '../../../../protocol/index.js';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useAsync } from '../../components/useAsync.js';
import { SubmitForm, field } from './SubmitForm.js';

/** The incident report, with a plain-language hint under each field that uses jargon. */
export function ReportForm({ base }: { base: string }) {
  const { t, lang } = useI18n();
  const glossary = useAsync(() => api<Glossary>('GET', '/api/glossary'), []);
  const [text, setText] = useState<Record<string, string>>({});
  const hits = (f: string): JargonHit[] =>
    glossary.value && text[f] ? checkPlainLanguage(text[f]!, lang, glossary.value) : [];
  return (
    <SubmitForm
      testid="report-form"
      title={t('report.title')}
      path={`${base}/reports`}
      submitLabel={t('report.submit')}
      toBody={(d) => ({
        kind: field(d, 'kind'),
        language: lang,
        fields: Object.fromEntries(REPORT_FIELDS.map((f) => [f, field(d, f)])),
      })}
    >
      <label htmlFor="rp-kind">{t('report.kind')}</label>
      <select id="rp-kind" name="kind" defaultValue="first">
        {(['first', 'update', 'final'] as const).map((k) => (
          <option key={k} value={k}>
            {t(`report.kind.${k}`)}
          </option>
        ))}
      </select>
      {REPORT_FIELDS.map((f) => {
        const found = hits(f);
        const onChange = (e: { target: { value: string } }) => setText((x) => ({ ...x, [f]: e.target.value }));
        return (
          <div key={f} className="field">
            <label htmlFor={`rp-${f}`}>{t(`report.${f}`)}</label>
            {f === 'occurredAt' ? (
              <input
                id={`rp-${f}`}
                name={f}
                required
                onChange={onChange}
                aria-describedby={found.length ? `rp-${f}-plain` : undefined}
              />
            ) : (
              <textarea
                id={`rp-${f}`}
                name={f}
                rows={2}
                required
                onChange={onChange}
                aria-describedby={found.length ? `rp-${f}-plain` : undefined}
              />
            )}
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
    </SubmitForm>
  );
}
