import type { ReactNode } from 'react';
import { useI18n } from '../i18n/index.js';

export function Loading() {
  const { t } = useI18n();
  return (
    <p className="state loading" role="status" aria-live="polite">
      {t('state.loading')}
    </p>
  );
}

export function ErrorBox({ message, retry }: { message: string; retry?: () => void }) {
  const { t } = useI18n();
  return (
    <div className="state error" role="alert">
      <span>{t('state.error', { message })}</span>
      {retry && (
        <button type="button" onClick={retry}>
          {t('state.retry')}
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children?: ReactNode }) {
  const { t } = useI18n();
  return <p className="state empty">{children ?? t('state.empty')}</p>;
}

/** Renders loading / error / empty / content from one async value. */
export function Async<T>({
  value,
  error,
  retry,
  empty,
  children,
}: {
  value: T | undefined;
  error?: string;
  retry?: () => void;
  empty?: (v: T) => boolean;
  children: (v: T) => ReactNode;
}) {
  if (error) return <ErrorBox message={error} {...(retry ? { retry } : {})} />;
  if (value === undefined) return <Loading />;
  if (empty?.(value)) return <Empty />;
  return <>{children(value)}</>;
}

export function Panel({
  title,
  children,
  id,
  actions,
}: {
  title: string;
  children: ReactNode;
  id?: string;
  actions?: ReactNode;
}) {
  return (
    <section className="panel" aria-labelledby={id ? `${id}-h` : undefined} id={id}>
      <header>
        <h2 id={id ? `${id}-h` : undefined}>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}
