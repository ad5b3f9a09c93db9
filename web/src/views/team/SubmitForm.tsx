import { useState, type FormEvent, type ReactNode } from 'react';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';

/** A form field's text, trimmed; '' when the field is missing. */
export const field = (d: FormData, k: string) => String(d.get(k) ?? '').trim();

/** A form that posts its fields and shows sent / failed inline. */
export function SubmitForm({
  title,
  path,
  toBody,
  submitLabel,
  children,
  testid,
}: {
  title: string;
  path: string;
  toBody: (d: FormData) => unknown;
  submitLabel: string;
  children: ReactNode;
  testid: string;
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
      <button type="submit" disabled={busy}>
        {submitLabel}
      </button>
      {msg && (
        <p role={msg.ok ? 'status' : 'alert'} className={msg.ok ? 'ok' : 'state error'}>
          {msg.text}
        </p>
      )}
    </form>
  );
}
