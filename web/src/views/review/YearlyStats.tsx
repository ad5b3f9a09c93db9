/**
 * The organizers' yearly table in the seed's shape: per fiscal year and course the sessions,
 * participants, venues and period, a total per year and over all years; past years imported from
 * CSV; two bar charts (sessions and participants per year) drawn as inline SVG.
 */
import { useState, type ChangeEvent } from 'react';
import type { YearlyTable } from '../../../../protocol/index.js';
import { api } from '../../api.js';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { Async, Empty, Panel } from '../../components/States.js';
import { useAsync } from '../../components/useAsync.js';

export function YearlyStats({ save }: { save: (path: string, name: string) => void }) {
  const { t, lang } = useI18n();
  const data = useAsync(() => api<{ table: YearlyTable }>('GET', '/api/stats/yearly'), []);
  const [msg, setMsg] = useState<{ ok: boolean; text: string }>();
  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    try {
      const r = await api<{ imported: number }>('POST', '/api/stats/yearly', { csv: await file.text() });
      setMsg({ ok: true, text: t('stats.imported', { n: r.imported }) });
      data.reload();
    } catch (err) {
      setMsg({ ok: false, text: t('stats.importFailed', { message: (err as Error).message }) });
    }
  };
  return (
    <Panel
      title={t('review.stats')}
      id="stats"
      actions={
        <span className="no-print">
          <button
            type="button"
            onClick={() => save(`/api/stats/yearly?format=csv&lang=${lang}`, 'enshu-yearly-stats.csv')}
          >
            {t('review.exportCsv')}
          </button>
          <button type="button" onClick={() => save('/api/stats/yearly', 'enshu-yearly-stats.json')}>
            {t('review.exportJson')}
          </button>
          <label className="button">
            {t('stats.import')}
            <input
              type="file"
              accept=".csv,text/csv"
              data-testid="stats-import"
              onChange={(e) => void onFile(e)}
              className="visually-hidden"
            />
          </label>
        </span>
      }
    >
      {msg && (
        <p role={msg.ok ? 'status' : 'alert'} className={msg.ok ? 'ok' : 'state error'}>
          {msg.text}
        </p>
      )}
      <Async value={data.value?.table} error={data.error} retry={data.reload}>
        {(table) => (table.years.length ? <TableAndCharts table={table} /> : <Empty>{t('stats.none')}</Empty>)}
      </Async>
    </Panel>
  );
}

const num = (n: number | null | undefined, lang: string) =>
  n === null || n === undefined ? '—' : n.toLocaleString(lang === 'ja' ? 'ja-JP' : 'en-GB');

function TableAndCharts({ table }: { table: YearlyTable }) {
  const { t, lang } = useI18n();
  const course = (c: string | null) => (c === null ? t('stats.courseAll') : t(`course.${c}` as MessageKey));
  return (
    <>
      <table className="list" data-testid="stats">
        <thead>
          <tr>
            <th scope="col">{t('stats.fiscalYear')}</th>
            <th scope="col">{t('stats.course')}</th>
            <th scope="col" className="num">
              {t('stats.sessions')}
            </th>
            <th scope="col" className="num">
              {t('stats.participants')}
            </th>
            <th scope="col">{t('stats.venues')}</th>
            <th scope="col">{t('stats.period')}</th>
            <th scope="col">{t('stats.source')}</th>
          </tr>
        </thead>
        <tbody>
          {table.years.map((y) => [
            ...y.rows.map((r, i) => (
              <tr key={`${y.fiscalYear}-${i}`}>
                <td>{t('stats.fy', { year: y.fiscalYear })}</td>
                <td>{course(r.course)}</td>
                <td className="num">{num(r.sessions, lang)}</td>
                <td className="num">{num(r.participants, lang)}</td>
                <td>{r.venues}</td>
                <td>{r.period}</td>
                <td>{t(`stats.source.${r.source}`)}</td>
              </tr>
            )),
            <tr key={`${y.fiscalYear}-total`} className="total" data-testid="stats-year-total">
              <th scope="row" colSpan={2}>
                {t('stats.yearTotal', { year: y.fiscalYear })}
              </th>
              <td className="num">{num(y.sessions, lang)}</td>
              <td className="num">{num(y.participants, lang)}</td>
              <td colSpan={3} />
            </tr>,
          ])}
        </tbody>
        <tfoot>
          <tr className="total" data-testid="stats-grand-total">
            <th scope="row" colSpan={2}>
              {t('stats.grandTotal')}
            </th>
            <td className="num">{num(table.sessions, lang)}</td>
            <td className="num">{num(table.participants, lang)}</td>
            <td colSpan={3} />
          </tr>
        </tfoot>
      </table>
      <div className="charts">
        <BarChart
          testid="chart-sessions"
          title={t('stats.chartSessions')}
          bars={table.years.map((y) => ({ label: t('stats.fy', { year: y.fiscalYear }), value: y.sessions }))}
        />
        <BarChart
          testid="chart-participants"
          title={t('stats.chartParticipants')}
          bars={table.years.map((y) => ({ label: t('stats.fy', { year: y.fiscalYear }), value: y.participants }))}
        />
      </div>
    </>
  );
}

/** A bar chart as inline SVG: one bar per year with its value above it (no chart library). */
function BarChart({
  title,
  bars,
  testid,
}: {
  title: string;
  bars: { label: string; value: number | null }[];
  testid: string;
}) {
  const { lang } = useI18n();
  const w = 64;
  const gap = 16;
  const h = 160;
  const top = 24;
  const bottom = 28;
  const max = Math.max(1, ...bars.map((b) => b.value ?? 0));
  const width = bars.length * (w + gap) + gap;
  return (
    <figure className="chart" data-testid={testid}>
      <figcaption>{title}</figcaption>
      <svg
        role="img"
        aria-label={title}
        viewBox={`0 0 ${width} ${h + top + bottom}`}
        width={width}
        height={h + top + bottom}
      >
        <line x1={0} x2={width} y1={top + h} y2={top + h} stroke="#888" />
        {bars.map((b, i) => {
          const x = gap + i * (w + gap);
          const bh = b.value === null ? 0 : Math.round((b.value / max) * h);
          return (
            <g key={b.label}>
              <rect x={x} y={top + h - bh} width={w} height={bh} fill="#3b6ea5">
                <title>{`${b.label}: ${num(b.value, lang)}`}</title>
              </rect>
              <text x={x + w / 2} y={top + h - bh - 6} textAnchor="middle" fontSize="12">
                {num(b.value, lang)}
              </text>
              <text x={x + w / 2} y={top + h + 18} textAnchor="middle" fontSize="12">
                {b.label}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
