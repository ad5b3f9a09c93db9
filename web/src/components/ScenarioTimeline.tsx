/**
 * The instructor's scenario timeline for one team: every planned step of the attack beside what
 * the attacker actually did (live from the runner), with skip and hint release per step.
 * Before the attack starts the steps come from the scenario's ground truth (the hints route).
 */
import { useState } from 'react';
import type { RunnerState, StepHints, StepState, StoredEvent } from '../../../protocol/index.js';
import { api } from '../api.js';
import { duration, timeOf, useI18n, type MessageKey } from '../i18n/index.js';
import { useAsync } from './useAsync.js';
import { Empty, ErrorBox, Loading } from './States.js';
import { explainReason } from '../reasons.js';

const STATUSES = ['pending', 'waiting', 'running', 'succeeded', 'blocked', 'failed', 'skipped'] as const;
const RESOLVED = new Set(['succeeded', 'blocked', 'failed', 'skipped']);
const RUNNER = ['idle', 'running', 'paused', 'stopping', 'stopped', 'finished', 'suspended'];

/** The runner's state arrives untyped over the socket; only a well-formed one is drawn. */
function asRunner(x: unknown): RunnerState | undefined {
  const r = x as Partial<RunnerState> | undefined;
  return r && Array.isArray(r.steps) && typeof r.status === 'string' ? (r as RunnerState) : undefined;
}

function runnerError(x: unknown): string | undefined {
  const e = (x as { error?: unknown } | undefined)?.error;
  return typeof e === 'string' ? e : undefined;
}

export function ScenarioTimeline({
  exercise,
  team,
  events,
  runner: raw,
  active,
  act,
}: {
  exercise: string;
  team: string;
  events: StoredEvent[];
  runner: unknown;
  /** the exercise runs or is paused: hints may be released */
  active: boolean;
  act: (path: string, body?: unknown) => Promise<void>;
}) {
  const { t, lang } = useI18n();
  const hintEvents = events.filter(
    (e) => (e.type === 'hint.released' || e.type === 'hint.bought') && (e as { team?: string }).team === team,
  ).length;
  const plan = useAsync(
    () => api<{ steps: StepHints[] }>('GET', `/api/exercises/${exercise}/teams/${team}/hints`),
    [exercise, team, hintEvents],
  );
  const runner = asRunner(raw);
  const failed = runnerError(raw);
  const [choice, setChoice] = useState<Record<string, string>>({});
  const byId = new Map((plan.value?.steps ?? []).map((s) => [s.step, s]));
  const live = new Map((runner?.steps ?? []).map((s) => [s.id, s]));
  // the runner's order is the plan's (with planned offsets); before it exists, the scenario's
  const ids = runner ? runner.steps.map((s) => s.id) : (plan.value?.steps ?? []).map((s) => s.step);
  const done = runner ? runner.steps.filter((s) => RESOLVED.has(s.status)).length : 0;
  const titleOf = (step: string) => byId.get(step)?.title[lang] ?? step;
  return (
    <section
      className="timeline"
      aria-label={`${t('timeline.title')} ${team}`}
      data-testid={`timeline-${team}`}
      data-status={runner?.status ?? 'none'}
    >
      <h3>
        {t('map.team', { team })}{' '}
        <small data-testid={`runner-${team}`}>
          {runner
            ? t('timeline.runner', {
                status: RUNNER.includes(runner.status) ? t(`runner.${runner.status}` as MessageKey) : runner.status,
                clock: duration(runner.clock * 1000),
                speed: runner.speed,
                done,
                total: runner.steps.length,
              })
            : t('timeline.notStarted')}
        </small>{' '}
        {runner && active && (
          <button
            type="button"
            className="secondary"
            data-testid={`restart-attack-${team}`}
            onClick={() => {
              // destructive: the team's attack and its traces start over
              if (confirm(t('timeline.restartConfirm', { team }))) void act(`teams/${team}/restart-attack`);
            }}
          >
            {t('timeline.restart')}
          </button>
        )}
      </h3>
      {failed && <ErrorBox message={failed} />}
      {plan.error && !runner ? (
        <ErrorBox message={plan.error} retry={plan.reload} />
      ) : !plan.value && !runner ? (
        <Loading />
      ) : ids.length === 0 ? (
        <Empty>{t('timeline.none')}</Empty>
      ) : (
        <table className="list">
          <thead>
            <tr>
              <th scope="col">{t('timeline.step')}</th>
              <th scope="col">{t('timeline.planned')}</th>
              <th scope="col">{t('timeline.outcome')}</th>
              <th scope="col">{t('timeline.at')}</th>
              <th scope="col">{t('timeline.controls')}</th>
            </tr>
          </thead>
          <tbody>
            {ids.map((id) => {
              const s: StepState | undefined = live.get(id);
              const info = byId.get(id);
              const status = s?.status ?? 'pending';
              const hints = info?.hints ?? [];
              const pick = choice[id] ?? hints.find((h) => !h.got)?.id ?? hints[0]?.id ?? '';
              return (
                <tr key={id} data-step={id} data-status={status}>
                  <td>
                    {info ? info.title[lang] : id} <small>({s?.technique ?? info?.technique})</small>
                    {s?.node && <small> · {s.node}</small>}
                  </td>
                  <td>{s ? `T+${duration(s.plannedOffset * 1000)}` : ''}</td>
                  <td className={`outcome ${RESOLVED.has(status) ? status : 'planned'}`}>
                    {(STATUSES as readonly string[]).includes(status) ? t(`step.${status}` as MessageKey) : status}
                    {s?.skippedByInstructor && <small> · {t('timeline.byInstructor')}</small>}
                    {s?.reason && status !== 'succeeded' && (
                      <Reason testid="step-reason" text={explainReason(t, s.reason, titleOf)} />
                    )}
                    {!RESOLVED.has(status) && s?.waitingFor && (
                      <Reason text={explainReason(t, s.waitingFor, titleOf)} />
                    )}
                  </td>
                  <td>{s?.endedAt ? timeOf(lang, s.endedAt) : s?.startedAt ? timeOf(lang, s.startedAt) : ''}</td>
                  <td>
                    {runner && (status === 'pending' || status === 'waiting') && (
                      <button
                        type="button"
                        onClick={() => void act(`teams/${team}/skip`, { step: id })}
                        aria-label={`${t('timeline.skip')}: ${info ? info.title[lang] : id} (${team})`}
                      >
                        {t('timeline.skip')}
                      </button>
                    )}
                    {hints.length > 0 && (
                      <form
                        className="inline"
                        onSubmit={(e) => {
                          e.preventDefault();
                          void act(`teams/${team}/hints/release`, { step: id, hint: pick });
                        }}
                      >
                        <label className="sr" htmlFor={`hint-${team}-${id}`}>
                          {t('hint.id')}
                        </label>
                        <select
                          id={`hint-${team}-${id}`}
                          value={pick}
                          onChange={(e) => setChoice({ ...choice, [id]: e.target.value })}
                        >
                          {hints.map((h, i) => (
                            <option key={h.id} value={h.id} title={h.text?.[lang]}>
                              {t('hint.nth', { n: i + 1 })}
                              {h.text ? `${lang === 'ja' ? '：' : ': '}${h.text[lang].slice(0, 24)}…` : ''}
                              {h.got ? ` ✓ ${t(`hint.got.${h.got}` as MessageKey)}` : ''}
                            </option>
                          ))}
                        </select>
                        <button
                          type="submit"
                          disabled={!active || hints.find((h) => h.id === pick)?.got !== undefined}
                          aria-label={`${t('timeline.hint')}: ${info ? info.title[lang] : id} (${team})`}
                        >
                          {t('timeline.hint')}
                        </button>
                      </form>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** A step's reason: in words where the runner's sentence is known, else its own text, marked as technical. */
function Reason({ text, testid }: { text: { text: string; raw: boolean }; testid?: string }) {
  return (
    <div className="reason" data-testid={testid}>
      {text.raw ? <code translate="no">{text.text}</code> : text.text}
    </div>
  );
}
